package intake

import (
	"context"
	"database/sql"
	"fmt"
)

// Stats is the dashboard's summary.
type Stats struct {
	Total      int                       `json:"total"`
	ByStatus   map[Status]int            `json:"by_status"`
	ByUnit     map[string]map[Status]int `json:"by_unit"` // lead unit -> status -> count
	Open       int                       `json:"open"`
	Overdue    int                       `json:"overdue"`
	Escalated  int                       `json:"escalated"`
	Unanswered int                       `json:"unanswered"` // distinct questions awaiting review
}

// Stats summarises the tickets for the staff dashboard from the tallies
// kept with every filing and save (a few rows per unit, one per day of an
// open deadline, whatever the history) and the open review list.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ByStatus: map[Status]int{}, ByUnit: map[string]map[Status]int{}}
	today := dayKey(s.clock())
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, qTally)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit string
			var status Status
			var esc bool
			var n int
			if err := rows.Scan(&unit, &status, &esc, &n); err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			if st.ByUnit[unit] == nil {
				st.ByUnit[unit] = map[Status]int{}
			}
			st.ByUnit[unit][status] += n
			st.ByStatus[status] += n
			st.Total += n
			if status.Open() {
				st.Open += n
			}
			if esc {
				st.Escalated += n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.queryRow(ctx, tx, qOverdue, today).Scan(&st.Overdue); err != nil {
			return err
		}
		return s.queryRow(ctx, tx, qPendingReview).Scan(&st.Unanswered)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("intake: stats: %w", err)
	}
	return st, nil
}

const (
	qTally         = `SELECT lead_unit, status, escalated, n FROM intake_tally`
	qOverdue       = `SELECT COALESCE(SUM(n), 0) FROM intake_due_tally WHERE due < ?`
	qPendingReview = `SELECT COUNT(*) FROM intake_unanswered WHERE resolved = ''`
)
