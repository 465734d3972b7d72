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

// Stats summarises the tickets for the staff dashboard.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ByStatus: map[Status]int{}, ByUnit: map[string]map[Status]int{}}
	today := dayKey(s.clock())
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT lead_unit, status, COUNT(*),
			SUM(CASE WHEN status IN `+statusIn(Status.Open)+` AND due < ? THEN 1 ELSE 0 END),
			SUM(escalated) FROM intake_tickets GROUP BY lead_unit, status`, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit, status string
			var n, overdue, esc int
			if err := rows.Scan(&unit, &status, &n, &overdue, &esc); err != nil {
				return err
			}
			if st.ByUnit[unit] == nil {
				st.ByUnit[unit] = map[Status]int{}
			}
			st.ByUnit[unit][Status(status)] += n
			st.ByStatus[Status(status)] += n
			st.Total += n
			if Status(status).Open() {
				st.Open += n
			}
			st.Overdue += overdue
			st.Escalated += esc
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM intake_unanswered WHERE resolved = ''`).Scan(&st.Unanswered)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("intake: stats: %w", err)
	}
	return st, nil
}
