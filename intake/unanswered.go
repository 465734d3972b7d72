package intake

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"huiqi/internal/lazyre"
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
	return s.RecordUnansweredFrom(ctx, q, "", "")
}

// RecordUnansweredFrom is RecordUnanswered for a question asked in the
// conversation reporterKey from the address origin (either may be ""; only
// hashes are kept): the same question from them again within
// Config.DuplicateWindow is not counted again, and each distinct one counts
// toward their DailyCount.
func (s *Store) RecordUnansweredFrom(ctx context.Context, q, reporterKey, origin string) error {
	q = maskDigits(strings.Join(strings.Fields(q), " "))
	if q == "" {
		return nil
	}
	q = clip(q, 500)
	norm := normQuestion(q)
	if norm == "" {
		return nil
	}
	now := s.clock()
	whos := reporterHashes(clip(reporterKey, maxFieldRunes), clip(origin, maxFieldRunes))
	fold := foldKey(norm)
	return s.write(ctx, func(tx *sql.Tx) error {
		if seen, err := s.seenRecently(ctx, tx, whos, fold, now); err != nil || seen {
			return err
		}
		at := fmtTime(now)
		if _, err := s.exec(ctx, tx, qUnansweredAdd, norm, q, at, at); err != nil {
			return err
		}
		return s.remember(ctx, tx, kindQuestion, whos, fold, "", now)
	})
}

const qUnansweredAdd = `INSERT INTO intake_unanswered (norm, question, count, first_at, last_at)
	VALUES (?, ?, 1, ?, ?) ON CONFLICT (norm) DO UPDATE SET count = intake_unanswered.count + 1, last_at = excluded.last_at, resolved = ''`

// ResolveUnanswered marks a kept question as answered by a measure (after
// staff attached it with `huiqi lexicon add`); it leaves the list.
func (s *Store) ResolveUnanswered(ctx context.Context, q, measureID string) error {
	norm := normQuestion(maskDigits(strings.Join(strings.Fields(q), " ")))
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `UPDATE intake_unanswered SET resolved = ? WHERE norm = ?`, measureID, norm)
		return err
	})
}

// Unanswered lists the kept questions not yet resolved, most asked first:
// every page of UnansweredPage.
func (s *Store) Unanswered(ctx context.Context) ([]Unanswered, error) {
	out := []Unanswered{}
	p := Page{Limit: MaxPageSize}
	for {
		pg, err := s.UnansweredPage(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Questions...)
		if pg.Next == "" {
			return out, nil
		}
		p.After = pg.Next
	}
}

// The open questions, most asked first, then most recent, from a cursor
// (count, last_at, norm) on, along the partial index of 0006.
const qUnansweredPage = `SELECT norm, question, count, first_at, last_at FROM intake_unanswered
	WHERE resolved = '' AND (count, last_at, norm) < (?, ?, ?) ORDER BY count DESC, last_at DESC, norm DESC LIMIT ?`

// UnansweredPage is one page of the kept questions not yet resolved, most
// asked first.
func (s *Store) UnansweredPage(ctx context.Context, p Page) (QuestionPage, error) {
	after := []string{strconv.FormatInt(math.MaxInt64, 10), "", ""}
	if p.After != "" {
		var err error
		if after, err = decodeCursor(p.After, 3); err != nil {
			return QuestionPage{}, err
		}
	}
	count, err := strconv.ParseInt(after[0], 10, 64)
	if err != nil {
		return QuestionPage{}, errCursor
	}
	limit := p.limit()
	page := QuestionPage{Questions: []Unanswered{}}
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, qUnansweredPage, count, after[1], after[2], limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		var last []string
		for rows.Next() {
			var u Unanswered
			var norm, first, lastAt string
			if err := rows.Scan(&norm, &u.Question, &u.Count, &first, &lastAt); err != nil {
				return err
			}
			if len(page.Questions) == limit {
				page.Next = encodeCursor(last...)
				break
			}
			u.FirstAt, u.LastAt = parseTime(first), parseTime(lastAt)
			page.Questions = append(page.Questions, u)
			last = []string{strconv.Itoa(u.Count), lastAt, norm}
		}
		return rows.Err()
	})
	if err != nil {
		return QuestionPage{}, fmt.Errorf("intake: unanswered: %w", err)
	}
	return page, nil
}

var digitsRe = lazyre.New(`[0-9０-９]{7,}`)

func maskDigits(s string) string { return digitsRe.ReplaceAllString(s, "***") }

// normQuestion is the dedupe key of a question: no spaces, no final
// punctuation, lower case.
func normQuestion(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), ""))
	return strings.TrimRight(q, "?!。.,~ \uFF1F\uFF01\uFF0C\uFF5E")
}
