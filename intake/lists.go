package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// The staff lists: every ticket not yet rated (已回访) has a row in
// intake_lists for each list it is on, ordered by deadline, so a page of a
// queue reads the rows of its page and not the history (0006_staff_lists.sql).
// A list is a unit's name or one of these, which no unit's name can be
// (names starting with # are refused).
const (
	listAll       = "#all"       // every ticket not yet rated: the hotline's queue
	listDesk      = "#desk"      // waiting for the desk to dispatch
	listEscalated = "#escalated" // escalated (督办): the escalation unit's
	listSweep     = "#sweep"     // open and not escalated: what the sweep escalates
)

// queued reports whether a ticket in state s is on the staff lists: until
// the enterprise rated the reply.
func queued(s Status) bool { return s != StatusVisited }

// listsOf are the lists t is on.
func listsOf(t *Ticket) []string {
	if !queued(t.Status) {
		return nil
	}
	out := []string{listAll, t.LeadUnit}
	for _, u := range t.CoUnits {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if awaitsDispatch(t.Status) {
		out = append(out, listDesk)
	}
	if t.Escalated {
		out = append(out, listEscalated)
	}
	if t.Status.Open() && !t.Escalated {
		out = append(out, listSweep)
	}
	return out
}

// listsFor are the lists that make up unit's queue ("" the hotline's, every
// ticket): its own, the desk's work for the desk and the escalated tickets
// for the escalation unit.
func (s *Store) listsFor(unit string) []string {
	if unit == "" {
		return []string{listAll}
	}
	out := []string{unit}
	if unit == s.cfg.Rules.Desk {
		out = append(out, listDesk)
	}
	if unit == s.cfg.Rules.EscalateTo {
		out = append(out, listEscalated)
	}
	return out
}

// checkUnitName refuses a unit name that could be taken for a list.
func checkUnitName(u string) error {
	if strings.HasPrefix(strings.TrimSpace(u), "#") {
		return fmt.Errorf("%w: 单位名称不能以 # 开头", ErrInvalid)
	}
	return nil
}

// syncLists rewrites t's rows in the lists, and its count in the tally
// when its unit, status or escalation changed (old is the key it was
// counted under; nil for a new ticket).
func (s *Store) syncLists(ctx context.Context, tx *sql.Tx, old *tallyKey, t *Ticket) error {
	if old != nil {
		if _, err := s.exec(ctx, tx, qListsDelete, t.ID); err != nil {
			return fmt.Errorf("lists: %w", err)
		}
	}
	for _, l := range listsOf(t) {
		if _, err := s.exec(ctx, tx, qListsInsert, l, t.Status.Open(), t.Due, t.ID); err != nil {
			return fmt.Errorf("lists: %w", err)
		}
	}
	now := tallyKey{t.LeadUnit, t.Status, t.Escalated, t.Due}
	if old != nil && old.openDue() != now.openDue() {
		if d := old.openDue(); d != "" {
			if _, err := s.exec(ctx, tx, qDueTallyAdd, d, -1); err != nil {
				return fmt.Errorf("tally: %w", err)
			}
		}
	}
	if d := now.openDue(); d != "" && (old == nil || old.openDue() != d) {
		if _, err := s.exec(ctx, tx, qDueTallyAdd, d, 1); err != nil {
			return fmt.Errorf("tally: %w", err)
		}
	}
	if old != nil && old.counted() == now.counted() {
		return nil
	}
	if old != nil {
		if _, err := s.exec(ctx, tx, qTallyAdd, old.lead, old.status, old.escalated, -1); err != nil {
			return fmt.Errorf("tally: %w", err)
		}
	}
	if _, err := s.exec(ctx, tx, qTallyAdd, now.lead, now.status, now.escalated, 1); err != nil {
		return fmt.Errorf("tally: %w", err)
	}
	return nil
}

const (
	qListsDelete = `DELETE FROM intake_lists WHERE ticket_id = ?`
	qListsInsert = `INSERT INTO intake_lists (list, open, due, ticket_id) VALUES (?, ?, ?, ?)`
	qTallyAdd    = `INSERT INTO intake_tally (lead_unit, status, escalated, n) VALUES (?, ?, ?, ?)
		ON CONFLICT (lead_unit, status, escalated) DO UPDATE SET n = intake_tally.n + excluded.n`
	qDueTallyAdd = `INSERT INTO intake_due_tally (due, n) VALUES (?, ?)
		ON CONFLICT (due) DO UPDATE SET n = intake_due_tally.n + excluded.n`
)

// tallyKey is what a ticket is counted under: its unit, status and
// escalation in intake_tally, its deadline while open in intake_due_tally.
type tallyKey struct {
	lead      string
	status    Status
	escalated bool
	due       Date
}

// counted is the key of intake_tally.
func (k tallyKey) counted() tallyKey { k.due = Date{}; return k }

// openDue is the key of intake_due_tally, "" for a closed ticket.
func (k tallyKey) openDue() string {
	if !k.status.Open() {
		return ""
	}
	return k.due.String()
}

// The three ranges of a list a queue page reads, each in the clustered
// order (list, open, due, ticket_id) from a cursor on: the overdue tickets
// (open, deadline before today), the open ones on time, and the closed
// ones (已办结, waiting for the return visit).
const (
	qListOverdue = `SELECT due, ticket_id FROM intake_lists WHERE list = ? AND open = TRUE AND due < ?
		AND (due, ticket_id) > (?, ?) ORDER BY due, ticket_id LIMIT ?`
	qListOnTime = `SELECT due, ticket_id FROM intake_lists WHERE list = ? AND open = TRUE AND due >= ?
		AND (due, ticket_id) > (?, ?) ORDER BY due, ticket_id LIMIT ?`
	qListClosed = `SELECT due, ticket_id FROM intake_lists WHERE list = ? AND open = FALSE
		AND (due, ticket_id) > (?, ?) ORDER BY due, ticket_id LIMIT ?`
)

// listEntry is a ticket's place in a queue.
type listEntry struct {
	phase   int // 0 overdue, 1 the rest
	due, id string
}

// queueIDs are the ids of one page of the queue made of lists, as of
// today: overdue tickets first, then by deadline and id (the order the
// whole queue always had). It reads at most limit+1 rows from each range of
// each list, whatever the history, and the cursor of the next page ("" at
// the end).
func (s *Store) queueIDs(ctx context.Context, tx *sql.Tx, lists []string, today string, cur queueCursor, limit int) ([]string, string, error) {
	var picked []listEntry
	for phase := cur.phase; phase <= 1 && len(picked) <= limit; phase++ {
		after := listEntry{phase: phase}
		if phase == cur.phase {
			after.due, after.id = cur.due, cur.id
		}
		want := limit + 1 - len(picked)
		var cands []listEntry
		for _, l := range lists {
			var ranges [][]any
			if phase == 0 {
				ranges = [][]any{{qListOverdue, l, today, after.due, after.id, want}}
			} else {
				ranges = [][]any{{qListOnTime, l, today, after.due, after.id, want}, {qListClosed, l, after.due, after.id, want}}
			}
			for _, r := range ranges {
				got, err := s.listRange(ctx, tx, phase, r[0].(string), r[1:]...)
				if err != nil {
					return nil, "", err
				}
				cands = append(cands, got...)
			}
		}
		slices.SortFunc(cands, func(a, b listEntry) int {
			if c := strings.Compare(a.due, b.due); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		cands = slices.CompactFunc(cands, func(a, b listEntry) bool { return a.id == b.id })
		picked = append(picked, cands[:min(want, len(cands))]...)
	}
	next := ""
	if len(picked) > limit {
		picked = picked[:limit]
		last := picked[limit-1]
		next = queueCursor(last).String()
	}
	ids := make([]string, len(picked))
	for i, e := range picked {
		ids[i] = e.id
	}
	return ids, next, nil
}

func (s *Store) listRange(ctx context.Context, tx *sql.Tx, phase int, q string, args ...any) ([]listEntry, error) {
	rows, err := s.query(ctx, tx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listEntry
	for rows.Next() {
		e := listEntry{phase: phase}
		if err := rows.Scan(&e.due, &e.id); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// qDueSoon are the ids of the open tickets whose close deadline, or whose
// sign deadline while no unit has accepted them, falls in a range of days:
// the open rows of the hotline's list by deadline, and the partial index
// of 0008 (whose states must be Status.Unsigned's, as statusIn writes them).
var qDueSoon = `SELECT ticket_id FROM intake_lists WHERE list = ? AND open = TRUE AND due BETWEEN ? AND ?
	UNION SELECT id FROM intake_tickets WHERE status IN ` + statusIn(Status.Unsigned) + ` AND sign_due BETWEEN ? AND ?
	ORDER BY 1`
