package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// qImportTicket writes every column of a ticket as given.
const qImportTicket = `INSERT INTO intake_tickets (id, status, lead_unit, co_units, measures, mode,
	matched, flags, unresolved, confidence, due, sign_due, due_estimated, sign_due_estimated,
	escalated, escalated_to, extend_days, reply, rating, created_at, updated_at,
	text, enterprise, contact, location, channel, reporter_key, secret_hash)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`

// Import stores tickets whose history happened elsewhere (another
// system's records, or generated data for benchmarks) as they are: ids,
// states, dates and events as given, with their rows in the staff lists
// and the tally, all in one transaction. It checks the form (an id, a
// known state, a filing event first) but not the workflow, sends no
// notification and gives no secret (the reporters look their tickets up
// by their conversation key). An id already stored refuses the whole
// batch.
func (s *Store) Import(ctx context.Context, ts []Ticket) error {
	for i := range ts {
		t := &ts[i]
		if id, err := ParseID(t.ID); err != nil || id != t.ID {
			return fmt.Errorf("%w: 导入的工单号 %q 格式不对", ErrInvalid, t.ID)
		}
		if !slices.Contains(Statuses(), t.Status) {
			return fmt.Errorf("%w: 导入的工单 %s 状态 %q 未知", ErrInvalid, t.ID, t.Status)
		}
		if len(t.Events) == 0 || t.Events[0].Kind != KindFile {
			return fmt.Errorf("%w: 导入的工单 %s 须以受理记录开始", ErrInvalid, t.ID)
		}
		for _, u := range append([]string{t.LeadUnit}, t.CoUnits...) {
			if err := checkUnitName(u); err != nil {
				return err
			}
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i := range ts {
			t := ts[i]
			res, err := s.exec(ctx, tx, qImportTicket,
				t.ID, t.Status, t.LeadUnit, jsonList(t.CoUnits), jsonList(t.Measures), t.Mode, t.Matched,
				jsonList(t.Flags), jsonList(t.Unresolved), t.Confidence, t.Due, t.SignDue, t.DueEstimated, t.SignDueEstimated,
				t.Escalated, t.EscalatedTo, t.ExtendDays, t.Reply, t.Rating, fmtTime(t.CreatedAt), fmtTime(t.UpdatedAt),
				t.Text, t.Enterprise, t.Contact, t.Location, t.Channel, t.ReporterKey, "")
			if err != nil {
				return fmt.Errorf("import %s: %w", t.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("import %s: %w: 工单号已存在", t.ID, ErrInvalid)
			}
			for j, ev := range t.Events {
				if ev.Unit == "" {
					ev.Unit = s.actingUnit(&t, ev)
				}
				if err := s.insertEvent(ctx, tx, t.ID, j+1, ev); err != nil {
					return fmt.Errorf("import %s: %w", t.ID, err)
				}
			}
			if err := s.syncLists(ctx, tx, nil, &t); err != nil {
				return fmt.Errorf("import %s: %w", t.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		if isInput(err) {
			return err
		}
		return fmt.Errorf("intake: import: %w", err)
	}
	return nil
}
