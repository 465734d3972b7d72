package intake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The workflow's moves as the store makes them, each in one transaction
// that appends its event: the table of workflow.go says which are allowed.

// Remark is what a move carries: Told is what the enterprise is told (it
// reads it with its ticket), Internal what stays with staff.
type Remark struct {
	Told     string
	Internal string
}

// Move moves a ticket along the workflow (see Transitions). to may be
// Extend (延期), then note is the reason and the full remaining extension
// is granted (use Extend for a number of days). A refused move returns
// ErrBadMove and changes nothing. The note of the reply (已办结) and of
// the rating (已回访) is told to the enterprise; any other note stays
// with staff (use MoveWith to tell it something else).
func (s *Store) Move(ctx context.Context, id string, to Status, by, note string) (Ticket, error) {
	if to == Extend {
		return s.Extend(ctx, id, 0, by, note)
	}
	r := Remark{Internal: note}
	if n := needOf(to); n == NeedReply || n == NeedRating {
		r = Remark{Told: note}
	}
	return s.MoveWith(ctx, id, to, by, r)
}

// needOf is what a move to the state to must carry: the table gives every
// move to one state the same need (TestNeedOfState).
func needOf(to Status) Need {
	for _, t := range Transitions() {
		if t.To == to && t.By != ActorSystem {
			return t.Need
		}
	}
	return NeedNothing
}

// MoveWith is Move with what to tell the enterprise and what to keep
// internal given apart. The reply of 已办结 is r.Told; a reason (退单) may
// be either.
func (s *Store) MoveWith(ctx context.Context, id string, to Status, by string, r Remark) (Ticket, error) {
	if to == Extend {
		return Ticket{}, fmt.Errorf("%w:延期请用 Extend", ErrBadMove)
	}
	by, told, err := checkByNote(by, r.Told)
	if err != nil {
		return Ticket{}, err
	}
	_, internal, err := checkByNote(by, r.Internal)
	if err != nil {
		return Ticket{}, err
	}
	return s.update(ctx, id, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		tr, ok := lookupMove(t.Status, to)
		if !ok {
			return fmt.Errorf("%w:%s → %s 不在流程中", ErrBadMove, t.Status, to)
		}
		var rating, comment string
		switch tr.Need {
		case NeedReason:
			if told == "" && internal == "" {
				return fmt.Errorf("%w:%s 须注明原因(如 职能不符)", ErrBadMove, to)
			}
		case NeedReply:
			if told == "" {
				return fmt.Errorf("%w:办结须附给企业的答复", ErrBadMove)
			}
			t.Reply = told
		case NeedRating:
			var err error
			if rating, comment, err = ParseRating(told); err != nil {
				return err
			}
			t.Rating = rating
		}
		from := t.Status
		t.Status = to
		if to == StatusDispatched {
			t.SignDue, t.SignDueEstimated = s.deadline(now, s.cfg.Deadlines.SignDays)
		}
		if err := s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindMove, From: from, Status: to, By: by, Note: told, Internal: internal}); err != nil {
			return err
		}
		if rating == RatingUnsatisfied {
			// 不满意 reopens: the unit works on it again with a fresh deadline.
			t.Status = StatusHandling
			t.Due, t.DueEstimated = s.deadline(now, s.cfg.Deadlines.CloseDays)
			t.Reply = ""
			t.Escalated = false
			msg := "企业不满意,重新办理"
			if comment != "" {
				msg += ":" + comment
			}
			return s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindReopen, From: StatusVisited, Status: StatusHandling, By: "系统", Note: msg})
		}
		return nil
	})
}

// Extend grants an extension (延期) of days working days with a reason, for
// a ticket the unit has signed (已签收 or 办理中). days <= 0 grants all that
// remains of Deadlines.MaxExtensionDays; the total may not exceed it.
func (s *Store) Extend(ctx context.Context, id string, days int, by, reason string) (Ticket, error) {
	by, reason, err := checkByNote(by, reason)
	if err != nil {
		return Ticket{}, err
	}
	if reason == "" {
		return Ticket{}, fmt.Errorf("%w:延期须注明原因", ErrBadMove)
	}
	return s.update(ctx, id, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		if !t.Status.CanExtend() {
			return fmt.Errorf("%w:%s 状态不能延期(签收后、办结前才可延期)", ErrBadMove, t.Status)
		}
		left := s.cfg.Deadlines.MaxExtensionDays - t.ExtendDays
		days := days
		if days <= 0 {
			days = left
		}
		if days <= 0 || days > left {
			return fmt.Errorf("%w:延期累计不超过%d个工作日,还可延期%d个工作日", ErrBadMove, s.cfg.Deadlines.MaxExtensionDays, max(left, 0))
		}
		var est bool
		t.Due, est = s.deadline(t.Due.Time(), days)
		t.DueEstimated = t.DueEstimated || est
		t.ExtendDays += days
		return s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindExtend, From: t.Status, Status: t.Status, By: by,
			Note: fmt.Sprintf("延期%d个工作日至%s", days, t.Due), Internal: reason})
	})
}

// Reroute sends a ticket to other units (staff correcting the routing).
// Allowed before a unit has accepted it (已受理, 已派单, 退单); the new
// route is recorded as an event.
func (s *Store) Reroute(ctx context.Context, id string, rt Route, by, note string) (Ticket, error) {
	by, note, err := checkByNote(by, note)
	if err != nil {
		return Ticket{}, err
	}
	if strings.TrimSpace(rt.LeadUnit) == "" {
		return Ticket{}, fmt.Errorf("%w:改派须指定牵头单位", ErrInvalid)
	}
	for _, u := range append([]string{rt.LeadUnit}, rt.CoUnits...) {
		if err := checkUnitName(u); err != nil {
			return Ticket{}, err
		}
	}
	return s.update(ctx, id, func(tx *sql.Tx, t *Ticket, now time.Time) error {
		if !t.Status.CanReroute() {
			return fmt.Errorf("%w:%s 状态不能改派(单位签收前才可改派)", ErrBadMove, t.Status)
		}
		old := describeUnits(t.LeadUnit, t.CoUnits)
		t.LeadUnit = strings.TrimSpace(rt.LeadUnit)
		t.CoUnits = nonNil(rt.CoUnits)
		if rt.Measures != nil {
			t.Measures = rt.Measures
		}
		switch {
		case t.Escalated:
			t.Mode = ModeByLevel
		case rt.Mode != "":
			t.Mode = rt.Mode
		case len(t.CoUnits) > 0:
			t.Mode = ModeJoint
		default:
			t.Mode = ModeByKind
		}
		t.Matched = t.Matched || rt.Matched || len(t.Measures) > 0
		t.Flags = removeFlag(removeFlag(t.Flags, FlagDeskTriage), FlagGenericUnit)
		t.Unresolved = nil
		msg := "改派:" + old + " → " + describeUnits(t.LeadUnit, t.CoUnits)
		if note != "" {
			msg += ";" + note
		}
		return s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindReroute, From: t.Status, Status: t.Status, By: by, Internal: msg})
	})
}

// EscalateOverdue escalates (督办) every open ticket past its deadline that
// is not escalated yet to the escalation unit of the routing rules (ind-17's
// task-force office):
// its mode becomes 分级 and an event records it. It returns the tickets it
// escalated. It reads the overdue rows of the sweep's list (lists.go), so
// a sweep that finds nothing costs one index probe.
func (s *Store) EscalateOverdue(ctx context.Context) ([]Ticket, error) {
	now := s.clock()
	var out []Ticket
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil // a retried transaction starts over
		due, err := s.listRange(ctx, tx, 0, qSweep, listSweep, dayKey(now))
		if err != nil {
			return err
		}
		for _, e := range due {
			id := e.id
			t, _, err := s.getTicket(ctx, tx, id)
			if err != nil {
				return err
			}
			t.Escalated = true
			t.EscalatedTo = s.cfg.Rules.EscalateLabel
			t.Mode = ModeByLevel
			t.Flags = addFlag(t.Flags, FlagEscalated)
			note := fmt.Sprintf("逾期督办:办结期限%s已过,提请%s督办", t.Due, s.cfg.Rules.EscalateLabel)
			if err := s.appendEvent(ctx, tx, &t, Event{At: now, Kind: KindEscalate, From: t.Status, Status: t.Status, By: "系统", Note: note}); err != nil {
				return err
			}
			if err := s.saveTicket(ctx, tx, &t, now); err != nil {
				return err
			}
			s.present(&t, now)
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: escalate: %w", err)
	}
	return out, nil
}

// qSweep reads the overdue rows of the sweep's list: open tickets not yet
// escalated whose deadline has passed.
const qSweep = `SELECT due, ticket_id FROM intake_lists WHERE list = ? AND open = TRUE AND due < ? ORDER BY due, ticket_id`

// deadline is the day n working days after from, and whether the count
// crossed days the reviewed holiday calendar lacks.
func (s *Store) deadline(from time.Time, n int) (Date, bool) {
	d, est := s.cfg.Calendar.Deadline(from, n)
	return DateOf(d), est
}

// mark computes the deadline flags as of now: overdue when open and today
// is after the close deadline; sign-overdue when no unit has accepted it
// yet and today is after the sign deadline.
func (s *Store) mark(t *Ticket, now time.Time) {
	today := DateOf(now)
	t.Overdue = t.Status.Open() && !t.Due.IsZero() && today.After(t.Due)
	t.SignOverdue = t.Status.Unsigned() && !t.SignDue.IsZero() && today.After(t.SignDue)
}

func checkByNote(by, note string) (string, string, error) {
	by, note = strings.TrimSpace(by), strings.TrimSpace(note)
	if by == "" {
		return "", "", fmt.Errorf("%w: 须注明操作人(--by)", ErrInvalid)
	}
	if utf8.RuneCountInString(by) > maxFieldRunes || utf8.RuneCountInString(note) > maxNoteRunes ||
		!utf8.ValidString(by) || !utf8.ValidString(note) {
		return "", "", fmt.Errorf("%w: 操作人或备注过长", ErrInvalid)
	}
	return by, note, nil
}

func describeUnits(lead string, co []string) string {
	if len(co) == 0 {
		return lead
	}
	return lead + "(协办:" + strings.Join(co, "、") + ")"
}

func addFlag(fl []string, f string) []string {
	for _, x := range fl {
		if x == f {
			return fl
		}
	}
	return append(fl, f)
}

func removeFlag(fl []string, f string) []string {
	var out []string
	for _, x := range fl {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}
