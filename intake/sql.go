package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"huiqi/internal/zhtext"
)

// The store's SQL: one transaction per exported method (write retries
// while another process holds the lock), tickets read with their events in
// one query per page, the lists and tally kept with every save, statements
// prepared once, and the columns' formats (JSON lists, RFC 3339 times in
// China time). What differs between databases is in dialect.go.

// update loads a ticket in a write transaction, lets fn change it (fn
// appends its events) and saves it; an error from fn rolls everything back.
func (s *Store) update(ctx context.Context, id string, fn func(tx *sql.Tx, t *Ticket, now time.Time) error) (Ticket, error) {
	now := s.clock()
	var t Ticket
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if t, _, err = s.getTicket(ctx, tx, id); err != nil {
			return err
		}
		if err := fn(tx, &t, now); err != nil {
			return err
		}
		return s.saveTicket(ctx, tx, &t, now)
	})
	if err != nil {
		if isInput(err) {
			return Ticket{}, err
		}
		return Ticket{}, fmt.Errorf("intake: update %s: %w", id, err)
	}
	s.present(&t, now)
	return t, nil
}

const (
	qSelectKey = `SELECT lead_unit, status, escalated, co_units, due FROM intake_tickets WHERE id = ?`
	qUpdate    = `UPDATE intake_tickets SET status = ?, lead_unit = ?, co_units = ?, measures = ?,
		mode = ?, matched = ?, flags = ?, unresolved = ?, due = ?, sign_due = ?, due_estimated = ?, sign_due_estimated = ?,
		escalated = ?, escalated_to = ?, extend_days = ?, reply = ?, rating = ?, updated_at = ? WHERE id = ?`
)

// saveTicket writes the ticket's mutable columns (the filing columns and
// the events are never rewritten) and, when its unit, co-units, status,
// escalation or deadline changed, its rows in the lists and the tally.
func (s *Store) saveTicket(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time) error {
	var old tallyKey
	var oldCo string
	if err := s.queryRow(ctx, tx, qSelectKey, t.ID).Scan(&old.lead, &old.status, &old.escalated, &oldCo, &old.due); err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	t.UpdatedAt = now
	co := jsonList(t.CoUnits)
	_, err := s.exec(ctx, tx, qUpdate,
		t.Status, t.LeadUnit, co, jsonList(t.Measures), t.Mode, t.Matched, jsonList(t.Flags),
		jsonList(t.Unresolved), t.Due, t.SignDue, t.DueEstimated, t.SignDueEstimated, t.Escalated, t.EscalatedTo, t.ExtendDays, t.Reply, t.Rating,
		fmtTime(now), t.ID)
	if err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	if old == (tallyKey{t.LeadUnit, t.Status, t.Escalated, t.Due}) && oldCo == co {
		return nil
	}
	return s.syncLists(ctx, tx, &old, t)
}

func (s *Store) appendEvent(ctx context.Context, tx *sql.Tx, t *Ticket, ev Event) error {
	if ev.Unit == "" {
		ev.Unit = s.actingUnit(t, ev)
	}
	if err := s.insertEvent(ctx, tx, t.ID, len(t.Events)+1, ev); err != nil {
		return err
	}
	t.Events = append(t.Events, ev)
	return s.queueNotifications(ctx, tx, t, ev, len(t.Events)) // outbox.go
}

const qInsertEvent = `INSERT INTO intake_events (ticket_id, n, at, kind, from_status, status, by, note, internal, unit)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, id string, n int, ev Event) error {
	_, err := s.exec(ctx, tx, qInsertEvent, id, n, fmtTime(ev.At), ev.Kind, ev.From, ev.Status, ev.By, ev.Note, ev.Internal, ev.Unit)
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

var qGetTicket = `SELECT ` + ticketCols + ` FROM intake_tickets WHERE id = ?`

func (s *Store) getTicket(ctx context.Context, tx *sql.Tx, id string) (Ticket, string, error) {
	id, err := ParseID(id)
	if err != nil {
		return Ticket{}, "", ErrNotFound
	}
	t, hash, err := scanTicket(s.queryRow(ctx, tx, qGetTicket, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, "", ErrNotFound
	}
	if err != nil {
		return Ticket{}, "", err
	}
	evs, err := s.loadEvents(ctx, tx, []string{id})
	if err != nil {
		return Ticket{}, "", err
	}
	t.Events = evs[id]
	return t, hash, nil
}

const eventCols = `ticket_id, at, kind, from_status, status, by, note, internal, unit`

// loadEvents reads the events of the tickets ids in one query, each
// ticket's in order; every id gets a list, empty when it has none.
func (s *Store) loadEvents(ctx context.Context, tx *sql.Tx, ids []string) (map[string][]Event, error) {
	out := make(map[string][]Event, len(ids))
	for _, id := range ids {
		out[id] = []Event{}
	}
	var rows *sql.Rows
	var err error
	if len(ids) == 1 {
		rows, err = s.query(ctx, tx, qEventsOne, ids[0])
	} else {
		rows, err = s.query(ctx, tx, s.qEventsMany, s.d.listArg(ids))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var id, at string
		if err := rows.Scan(&id, &at, &e.Kind, &e.From, &e.Status, &e.By, &e.Note, &e.Internal, &e.Unit); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out[id] = append(out[id], e)
	}
	return out, rows.Err()
}

const qEventsOne = `SELECT ` + eventCols + ` FROM intake_events WHERE ticket_id = ? ORDER BY n`

// loadTickets reads the tickets ids with their events, in the order of
// ids (two queries whatever their number); ids not found are left out.
func (s *Store) loadTickets(ctx context.Context, tx *sql.Tx, ids []string) ([]Ticket, error) {
	if len(ids) == 0 {
		return []Ticket{}, nil
	}
	rows, err := s.query(ctx, tx, s.qTicketsMany, s.d.listArg(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Ticket, len(ids))
	for rows.Next() {
		t, _, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	evs, err := s.loadEvents(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			t.Events = evs[id]
			out = append(out, t)
		}
	}
	return out, nil
}

// write runs fn in a write transaction (the dialect's: BEGIN IMMEDIATE on
// SQLite, SERIALIZABLE on PostgreSQL), running it again while it fails
// retryably (another process held the lock past the busy timeout; a
// serialization failure), after a growing, jittered pause.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < s.d.attempts(); attempt++ {
		err = s.once(ctx, s.d.txOptions(false), fn)
		if err == nil || !s.d.retryable(err) || ctx.Err() != nil {
			return err
		}
		if attempt >= 2 {
			s.log.Warn("intake: database busy, retrying", "attempt", attempt+1, "err", err)
		}
		pause := time.Duration(min(50*(attempt+1), 500)) * time.Millisecond
		select {
		case <-time.After(pause/2 + rand.N(pause/2)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.once(ctx, s.d.txOptions(true), fn)
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

// prepare prepares the statements the store runs most (hot), once, when
// the store opens: preparing one inside a transaction would wait for a
// second connection while holding the first (see sqlite.MaxOpenConns).
func (s *Store) prepare(ctx context.Context, hot []string) error {
	s.prep = make(map[string]*sql.Stmt, len(hot))
	for _, q := range hot {
		st, err := s.db.PrepareContext(ctx, s.d.bind(q))
		if err != nil {
			s.closeStmts()
			return fmt.Errorf("intake: prepare %.60q: %w", q, err)
		}
		s.prep[q] = st
	}
	return nil
}

func (s *Store) closeStmts() {
	for _, st := range s.prep {
		st.Close()
	}
	s.prep = nil
}

// exec, query and queryRow run q in tx, through its prepared statement
// when q is one (prepared on tx's connection the first time it runs there).
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st, ok := s.prep[q]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, s.d.bind(q), args...)
}

func (s *Store) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st, ok := s.prep[q]; ok {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, s.d.bind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st, ok := s.prep[q]; ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, s.d.bind(q), args...)
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
