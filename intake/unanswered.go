package intake

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"time"
)

// Unanswered is a question huiqi could not answer, kept for staff (text
// only, no identity).
type Unanswered struct {
	Question string    `json:"question"`
	Count    int       `json:"count"`
	FirstAt  time.Time `json:"first_at"`
	LastAt   time.Time `json:"last_at"`
}

// RecordUnanswered keeps a question the bot could not answer: its text
// only (long digit runs such as phone numbers are masked), counted once per
// distinct question.
func (s *Store) RecordUnanswered(ctx context.Context, q string) error {
	q = maskDigits(strings.Join(strings.Fields(q), " "))
	if q == "" {
		return nil
	}
	q = clip(q, 500)
	norm := normQuestion(q)
	if norm == "" {
		return nil
	}
	now := fmtTime(s.clock())
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO intake_unanswered (norm, question, count, first_at, last_at)
			VALUES (?, ?, 1, ?, ?) ON CONFLICT(norm) DO UPDATE SET count = count + 1, last_at = excluded.last_at, resolved = ''`,
			norm, q, now, now)
		return err
	})
}

// ResolveUnanswered marks a kept question as answered by a measure (after
// staff attached it with `huiqi lexicon add`); it leaves the list.
func (s *Store) ResolveUnanswered(ctx context.Context, q, measureID string) error {
	norm := normQuestion(maskDigits(strings.Join(strings.Fields(q), " ")))
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE intake_unanswered SET resolved = ? WHERE norm = ?`, measureID, norm)
		return err
	})
}

// Unanswered lists the kept questions not yet resolved, most asked first.
func (s *Store) Unanswered(ctx context.Context) ([]Unanswered, error) {
	out := []Unanswered{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT question, count, first_at, last_at FROM intake_unanswered
			WHERE resolved = '' ORDER BY count DESC, last_at DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u Unanswered
			var first, last string
			if err := rows.Scan(&u.Question, &u.Count, &first, &last); err != nil {
				return err
			}
			u.FirstAt, u.LastAt = parseTime(first), parseTime(last)
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

var digitsRe = regexp.MustCompile(`[0-9０-９]{7,}`)

func maskDigits(s string) string { return digitsRe.ReplaceAllString(s, "***") }

// normQuestion is the dedupe key of a question: no spaces, no final
// punctuation, lower case.
func normQuestion(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), ""))
	return strings.TrimRight(q, "?!。.,~ \uFF1F\uFF01\uFF0C\uFF5E")
}
