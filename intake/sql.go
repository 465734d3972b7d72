package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"huiqi/internal/zhtext"
)

// The store's SQL: one transaction per exported method (write retries
// while another process holds the lock), tickets read with their events,
// and the columns' formats (JSON lists, RFC 3339 times in China time).

// update loads a ticket in a write transaction, lets fn change it (fn
// appends its events) and saves it; an error from fn rolls everything back.
func (s *Store) update(ctx context.Context, id string, fn func(tx *sql.Tx, t *Ticket, now time.Time) error) (Ticket, error) {
	now := s.clock()
	var t Ticket
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if t, _, err = getTicket(ctx, tx, id); err != nil {
			return err
		}
		if err := fn(tx, &t, now); err != nil {
			return err
		}
		return saveTicket(ctx, tx, &t, now)
	})
	if err != nil {
		if isInput(err) {
			return Ticket{}, err
		}
		return Ticket{}, fmt.Errorf("intake: update %s: %w", id, err)
	}
	s.mark(&t, now)
	return t, nil
}

// saveTicket writes the ticket's mutable columns (the filing columns and
// the events are never rewritten).
func saveTicket(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time) error {
	t.UpdatedAt = now
	_, err := tx.ExecContext(ctx, `UPDATE intake_tickets SET status = ?, lead_unit = ?, co_units = ?, measures = ?,
		mode = ?, matched = ?, flags = ?, unresolved = ?, due = ?, sign_due = ?, due_estimated = ?, sign_due_estimated = ?,
		escalated = ?, escalated_to = ?, extend_days = ?, reply = ?, rating = ?, updated_at = ? WHERE id = ?`,
		t.Status, t.LeadUnit, jsonList(t.CoUnits), jsonList(t.Measures), t.Mode, t.Matched, jsonList(t.Flags),
		jsonList(t.Unresolved), t.Due, t.SignDue, t.DueEstimated, t.SignDueEstimated, t.Escalated, t.EscalatedTo, t.ExtendDays, t.Reply, t.Rating,
		fmtTime(now), t.ID)
	if err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	return nil
}

func (s *Store) appendEvent(ctx context.Context, tx *sql.Tx, t *Ticket, ev Event) error {
	if err := insertEvent(ctx, tx, t.ID, len(t.Events)+1, ev); err != nil {
		return err
	}
	t.Events = append(t.Events, ev)
	return s.queueNotifications(ctx, tx, t, ev, len(t.Events)) // outbox.go
}

func insertEvent(ctx context.Context, tx *sql.Tx, id string, n int, ev Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO intake_events (ticket_id, n, at, kind, from_status, status, by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, n, fmtTime(ev.At), ev.Kind, ev.From, ev.Status, ev.By, ev.Note)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

const ticketCols = `id, status, lead_unit, co_units, measures, mode, matched, flags, unresolved, confidence, due,
	sign_due, due_estimated, sign_due_estimated, escalated, escalated_to, extend_days, reply, rating, created_at, updated_at, text, enterprise, contact,
	location, channel, reporter_key, secret_hash`

type scanner interface{ Scan(dest ...any) error }

func scanTicket(row scanner) (Ticket, string, error) {
	var t Ticket
	var co, ms, fl, un, created, updated, hash string
	err := row.Scan(&t.ID, &t.Status, &t.LeadUnit, &co, &ms, &t.Mode, &t.Matched, &fl, &un, &t.Confidence, &t.Due,
		&t.SignDue, &t.DueEstimated, &t.SignDueEstimated, &t.Escalated, &t.EscalatedTo, &t.ExtendDays, &t.Reply, &t.Rating, &created, &updated, &t.Text,
		&t.Enterprise, &t.Contact, &t.Location, &t.Channel, &t.ReporterKey, &hash)
	if err != nil {
		return Ticket{}, "", err
	}
	t.CoUnits, t.Measures = parseList(co), parseList(ms)
	if f := parseList(fl); len(f) > 0 {
		t.Flags = f
	}
	if u := parseList(un); len(u) > 0 {
		t.Unresolved = u
	}
	t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
	return t, hash, nil
}

func getTicket(ctx context.Context, tx *sql.Tx, id string) (Ticket, string, error) {
	id, err := ParseID(id)
	if err != nil {
		return Ticket{}, "", ErrNotFound
	}
	t, hash, err := scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM intake_tickets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, "", ErrNotFound
	}
	if err != nil {
		return Ticket{}, "", err
	}
	evs, err := loadEvents(ctx, tx, id)
	if err != nil {
		return Ticket{}, "", err
	}
	t.Events = evs
	return t, hash, nil
}

func loadEvents(ctx context.Context, tx *sql.Tx, id string) ([]Event, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at, kind, from_status, status, by, note FROM intake_events
		WHERE ticket_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	evs := []Event{}
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Kind, &e.From, &e.Status, &e.By, &e.Note); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

func (s *Store) list(ctx context.Context, where string, args ...any) ([]Ticket, error) {
	out := []Ticket{}
	now := s.clock()
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+ticketCols+` FROM intake_tickets `+where, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			t, _, err := scanTicket(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Events, err = loadEvents(ctx, tx, out[i].ID); err != nil {
				return err
			}
			s.mark(&out[i], now)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: list: %w", err)
	}
	return out, nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE: the database's
// _txlock), retrying when another process holds the lock past the busy
// timeout.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.once(ctx, nil, fn)
		if err == nil || !isBusy(err) || ctx.Err() != nil {
			return err
		}
		s.log.Warn("intake: database busy, retrying", "attempt", attempt+1, "err", err)
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	return err
}

func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.once(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (s *Store) once(ctx context.Context, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func isBusy(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLITE_BUSY") || strings.Contains(m, "database is locked")
}

func jsonList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func parseList(s string) []string {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil || out == nil {
		return []string{}
	}
	return out
}

func fmtTime(t time.Time) string { return t.In(zhtext.China()).Format(time.RFC3339) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.In(zhtext.China())
}

// statusIn is the SQL list of the states keep is true for, so a query says
// what workflow.go says (the states are the package's constants, never
// input, so they are written as literals).
func statusIn(keep func(Status) bool) string {
	var q []string
	for _, s := range Statuses() {
		if keep(s) {
			q = append(q, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(q, ", ") + ")"
}
