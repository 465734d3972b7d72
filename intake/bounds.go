package intake

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// What keeps one reporter from growing the store without bound: the same
// text again within a window is folded into the first filing, and what a
// reporter or an address filed each day is counted, for the caps the web
// applies (DailyCount). Reporters are kept as hashes only.

// DefaultDuplicateWindow is how long the same text from one reporter is
// folded into the first (Config.DuplicateWindow).
const DefaultDuplicateWindow = 24 * time.Hour

// What intake_recent and intake_daily count.
const (
	kindTicket   = "ticket"
	kindQuestion = "question"
)

// Ticket ids: CQ-YYYYMMDD- and idDigits random digits, idDraws draws at a
// length before one more digit (see insertTicket).
const (
	idDigits    = 8
	idDraws     = 8
	maxIDDigits = 12
)

// randomDigits draws n decimal digits from r.
func randomDigits(r io.Reader, n int) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	mod := uint64(1)
	for range n {
		mod *= 10
	}
	// 2^64 is not a multiple of 10^n: the bias is below 10^-7 for n ≤ 12.
	return fmt.Sprintf("%0*d", n, binary.BigEndian.Uint64(b[:])%mod), nil
}

// whoHash is how a reporter key or an address is kept: a hash, never the
// text, and the same key gives the same hash.
func whoHash(who string) string {
	h := sha256.Sum256([]byte("huiqi-intake-who:" + who))
	return hex.EncodeToString(h[:16])
}

// reporterHashes are the hashes a filing is counted and folded under: its
// conversation key and its address, those given.
func reporterHashes(keys ...string) []string {
	var out []string
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, whoHash(k))
		}
	}
	return out
}

// foldKey is the hash of a text as the same text typed again looks: no
// spaces, no final punctuation, lower case.
func foldKey(text string) string {
	h := sha256.Sum256([]byte(normQuestion(text)))
	return hex.EncodeToString(h[:16])
}

const (
	qRecentFind = `SELECT ref FROM intake_recent WHERE kind = ? AND who = ? AND text = ? AND at >= ?`
	qRecentPut  = `INSERT INTO intake_recent (kind, who, text, ref, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, who, text) DO UPDATE SET ref = excluded.ref, at = excluded.at`
	qRecentPrune = `DELETE FROM intake_recent WHERE at < ?`
	qDailyAdd    = `INSERT INTO intake_daily (day, who, kind, n) VALUES (?, ?, ?, 1)
		ON CONFLICT (day, who, kind) DO UPDATE SET n = intake_daily.n + 1`
	qDailyPrune = `DELETE FROM intake_daily WHERE day < ?`
	qDailyGet   = `SELECT kind, n FROM intake_daily WHERE day = ? AND who = ?`
)

// findDuplicate returns the open ticket one of whos filed with the same
// text within the window, if any.
func (s *Store) findDuplicate(ctx context.Context, tx *sql.Tx, whos []string, text string, now time.Time) (Ticket, bool, error) {
	since := fmtTime(now.Add(-s.cfg.DuplicateWindow))
	for _, who := range whos {
		var id string
		err := s.queryRow(ctx, tx, qRecentFind, kindTicket, who, text, since).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Ticket{}, false, err
		}
		t, _, err := s.getTicket(ctx, tx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Ticket{}, false, err
		}
		if t.Status.Open() {
			return t, true, nil
		}
	}
	return Ticket{}, false, nil
}

// seenRecently reports whether one of whos asked the same question within
// the window.
func (s *Store) seenRecently(ctx context.Context, tx *sql.Tx, whos []string, text string, now time.Time) (bool, error) {
	since := fmtTime(now.Add(-s.cfg.DuplicateWindow))
	for _, who := range whos {
		var ref string
		err := s.queryRow(ctx, tx, qRecentFind, kindQuestion, who, text, since).Scan(&ref)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
	}
	return false, nil
}

// remember records a filing or a question of whos: for folding, and in
// the day's counts; what has aged out of both goes.
func (s *Store) remember(ctx context.Context, tx *sql.Tx, kind string, whos []string, text, ref string, now time.Time) error {
	if len(whos) == 0 {
		return nil
	}
	at := fmtTime(now)
	day := now.Format("20060102")
	for _, who := range whos {
		if _, err := s.exec(ctx, tx, qRecentPut, kind, who, text, ref, at); err != nil {
			return fmt.Errorf("remember: %w", err)
		}
		if _, err := s.exec(ctx, tx, qDailyAdd, day, who, kind); err != nil {
			return fmt.Errorf("count: %w", err)
		}
	}
	if _, err := s.exec(ctx, tx, qRecentPrune, fmtTime(now.Add(-s.cfg.DuplicateWindow))); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	if _, err := s.exec(ctx, tx, qDailyPrune, now.AddDate(0, 0, -1).Format("20060102")); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}

// Daily is what one reporter or address filed in a day: new tickets
// (folded duplicates not counted) and unanswered questions (each distinct
// one once a window).
type Daily struct {
	Tickets   int `json:"tickets"`
	Questions int `json:"questions"`
}

// DailyCount is what who (a conversation key, or an address as passed in
// NewTicket.Origin) filed today, China time: the web caps public filings
// and questions on it.
func (s *Store) DailyCount(ctx context.Context, who string) (Daily, error) {
	var d Daily
	if strings.TrimSpace(who) == "" {
		return d, nil
	}
	day := s.clock().Format("20060102")
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, qDailyGet, day, whoHash(strings.TrimSpace(who)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				return err
			}
			switch kind {
			case kindTicket:
				d.Tickets = n
			case kindQuestion:
				d.Questions = n
			}
		}
		return rows.Err()
	})
	if err != nil {
		return Daily{}, fmt.Errorf("intake: daily count: %w", err)
	}
	return d, nil
}
