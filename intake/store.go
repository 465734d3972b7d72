package intake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"huiqi/internal/zhtext"
	"huiqi/sqlite"
)

// migrations are the "intake" component's numbered steps.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps tickets in SQLite. Every exported method is one transaction.
// It is safe for concurrent use, also by several processes on one file.
type Store struct {
	db  *sqlite.DB
	cfg Config
	now func() time.Time
	log *slog.Logger
}

// OpenStore runs the intake migrations on db and returns the store. now is
// the clock (China time is used for ids and dates whatever its zone).
func OpenStore(ctx context.Context, db *sqlite.DB, cfg Config, now func() time.Time) (*Store, error) {
	if db == nil {
		return nil, errors.New("intake: nil database")
	}
	if now == nil {
		now = time.Now
	}
	dl, err := BuiltinDeadlines()
	if err != nil {
		return nil, err
	}
	if cfg.Deadlines, err = dl.Override(cfg.Deadlines); err != nil {
		return nil, fmt.Errorf("intake: deadlines: %w", err)
	}
	if cfg.Rules == nil && cfg.Router != nil {
		cfg.Rules = cfg.Router.Rules()
	}
	if cfg.Rules == nil {
		if cfg.Rules, err = BuiltinRules(); err != nil {
			return nil, err
		}
	}
	if cfg.Calendar == nil {
		c, err := BuiltinCalendar()
		if err != nil {
			return nil, err
		}
		cfg.Calendar = c
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := sqlite.Migrate(ctx, db, "intake", migrations); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	return &Store{db: db, cfg: cfg, now: now, log: cfg.Log}, nil
}

// Config returns the store's effective configuration.
func (s *Store) Config() Config { return s.cfg }

// Calendar is the store's working-day calendar.
func (s *Store) Calendar() *Calendar { return s.cfg.Calendar }

func (s *Store) clock() time.Time { return s.now().In(zhtext.China()).Truncate(time.Second) }

// Input limits (runes).
const (
	maxTextRunes  = 2000
	maxFieldRunes = 200
	maxNoteRunes  = 2000
)

// File files an issue as a ticket: allocates its id, routes it if needed,
// computes deadlines and records the filing event, all in one transaction.
// The returned ticket carries the reporter's secret code (shown once).
func (s *Store) File(ctx context.Context, nt NewTicket) (Ticket, error) {
	text := strings.TrimSpace(nt.Text)
	if text == "" {
		return Ticket{}, fmt.Errorf("%w: 请描述遇到的问题", ErrInvalid)
	}
	if utf8.RuneCountInString(text) > maxTextRunes || !utf8.ValidString(text) {
		return Ticket{}, fmt.Errorf("%w: 问题描述过长或含无效字符(最多%d字)", ErrInvalid, maxTextRunes)
	}
	for _, f := range []string{nt.Enterprise, nt.Contact, nt.Location, nt.Channel, nt.ReporterKey, nt.By} {
		if utf8.RuneCountInString(f) > maxFieldRunes || !utf8.ValidString(f) {
			return Ticket{}, fmt.Errorf("%w: 企业名称、联系方式等字段过长(最多%d字)", ErrInvalid, maxFieldRunes)
		}
	}
	var rt Route
	switch {
	case nt.Route != nil:
		rt = *nt.Route
	case s.cfg.Router != nil:
		rt = s.cfg.Router.Route(text, nt.Location)
	}
	if rt.LeadUnit == "" {
		rt = Route{Matched: false, Measures: []string{}, LeadUnit: s.cfg.Rules.Desk, CoUnits: []string{},
			Mode: ModeByKind, Flags: []string{FlagDeskTriage}}
	}
	if rt.Mode == "" {
		rt.Mode = ModeByKind
	}
	channel := NormalizeChannel(nt.Channel)
	by := strings.TrimSpace(nt.By)
	if by == "" {
		by = "企业"
	}
	secret, err := newSecret(s.cfg.Rand)
	if err != nil {
		return Ticket{}, fmt.Errorf("intake: file: %w", err)
	}
	now := s.clock()
	t := Ticket{
		Summary: Summary{Status: StatusReceived, LeadUnit: rt.LeadUnit, CoUnits: nonNil(rt.CoUnits), Measures: nonNil(rt.Measures),
			Mode: rt.Mode, CreatedAt: now},
		Matched: rt.Matched, Flags: rt.Flags, Unresolved: rt.Unresolved, Confidence: rt.Confidence,
		UpdatedAt: now, Text: text, Enterprise: strings.TrimSpace(nt.Enterprise),
		Contact: strings.TrimSpace(nt.Contact), Location: strings.TrimSpace(nt.Location), Channel: channel,
		ReporterKey: strings.TrimSpace(nt.ReporterKey),
	}
	t.Due, t.DueEstimated = s.deadline(now, s.cfg.Deadlines.CloseDays)
	t.SignDue, t.SignDueEstimated = s.deadline(now, s.cfg.Deadlines.SignDays)
	note := "渠道:" + channel
	if !rt.Matched {
		note += ";未匹配到措施,由平台坐席人工分派"
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		day := now.Format("20060102")
		var seq int
		if err := tx.QueryRowContext(ctx, `INSERT INTO intake_counters (day, last) VALUES (?, 1)
			ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`, day).Scan(&seq); err != nil {
			return fmt.Errorf("allocate id: %w", err)
		}
		t.ID = fmt.Sprintf("CQ-%s-%04d", day, seq)
		if _, err := tx.ExecContext(ctx, `INSERT INTO intake_tickets (id, status, lead_unit, co_units, measures, mode,
			matched, flags, unresolved, confidence, due, sign_due, due_estimated, sign_due_estimated, created_at, updated_at,
			text, enterprise, contact, location, channel, reporter_key, secret_hash)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			t.ID, t.Status, t.LeadUnit, jsonList(t.CoUnits), jsonList(t.Measures), t.Mode, t.Matched,
			jsonList(t.Flags), jsonList(t.Unresolved), t.Confidence, t.Due, t.SignDue, t.DueEstimated,
			t.SignDueEstimated, fmtTime(now), fmtTime(now),
			t.Text, t.Enterprise, t.Contact, t.Location, t.Channel, t.ReporterKey, hashSecret(t.ID, secret)); err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		ev := Event{At: now, Kind: KindFile, Status: StatusReceived, By: by, Note: note}
		t.Events = []Event{ev}
		return insertEvent(ctx, tx, t.ID, 1, ev)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("intake: file: %w", err)
	}
	t.Secret = secret
	s.mark(&t, now)
	return t, nil
}

// Get returns the ticket with its history (operators and unit staff).
func (s *Store) Get(ctx context.Context, id string) (Ticket, error) {
	var t Ticket
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		t, _, err = getTicket(ctx, tx, id)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.mark(&t, s.clock())
	return t, nil
}

// GetForReporter returns the ticket if the asker reported it: reporterKey
// equals the key it was filed with, or secret is its secret code. Otherwise
// ErrNotFound, exactly as for a ticket that does not exist.
func (s *Store) GetForReporter(ctx context.Context, id, reporterKey, secret string) (Ticket, error) {
	var t Ticket
	var hash string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		t, hash, err = getTicket(ctx, tx, id)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	keyOK := reporterKey != "" && t.ReporterKey != "" &&
		subtle.ConstantTimeCompare([]byte(reporterKey), []byte(t.ReporterKey)) == 1
	secretOK := secret != "" && subtle.ConstantTimeCompare([]byte(hashSecret(t.ID, normSecret(secret))), []byte(hash)) == 1
	if !keyOK && !secretOK {
		return Ticket{}, ErrNotFound
	}
	s.mark(&t, s.clock())
	return t, nil
}

// ListByReporter lists the tickets filed under a conversation key, newest
// first.
func (s *Store) ListByReporter(ctx context.Context, reporterKey string) ([]Ticket, error) {
	if strings.TrimSpace(reporterKey) == "" {
		return []Ticket{}, nil
	}
	return s.list(ctx, `WHERE reporter_key = ? ORDER BY created_at DESC, id DESC`, reporterKey)
}

// Queue lists a unit's open work: tickets it leads or co-handles that are
// not yet rated (已回访); the desk's queue also holds everything waiting
// for dispatch (已受理, 退单). unit "" lists all open tickets. Overdue
// tickets come first, then by due date.
func (s *Store) Queue(ctx context.Context, unit string) ([]Ticket, error) {
	where := `WHERE status != '已回访'`
	var args []any
	if unit != "" {
		where += ` AND (lead_unit = ? OR EXISTS (SELECT 1 FROM json_each(co_units) WHERE value = ?)`
		args = append(args, unit, unit)
		if unit == s.cfg.Rules.Desk {
			where += ` OR status IN ('已受理', '退单')`
		}
		if unit == s.cfg.Rules.EscalateTo {
			where += ` OR escalated = 1`
		}
		where += `)`
	}
	ts, err := s.list(ctx, where+` ORDER BY due, id`, args...)
	if err != nil {
		return nil, err
	}
	// Stable partition: overdue first, each group still by due date.
	out := make([]Ticket, 0, len(ts))
	for _, t := range ts {
		if t.Overdue {
			out = append(out, t)
		}
	}
	for _, t := range ts {
		if !t.Overdue {
			out = append(out, t)
		}
	}
	return out, nil
}

// Move moves a ticket along the workflow (see Transitions). to may be
// Extend (延期), then note is the reason and the full remaining extension
// is granted (use Extend for a number of days). A refused move returns
// ErrBadMove and changes nothing.
func (s *Store) Move(ctx context.Context, id string, to Status, by, note string) (Ticket, error) {
	if to == Extend {
		return s.Extend(ctx, id, 0, by, note)
	}
	by, note, err := checkByNote(by, note)
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
			if note == "" {
				return fmt.Errorf("%w:%s 须注明原因(如 职能不符)", ErrBadMove, to)
			}
		case NeedReply:
			if note == "" {
				return fmt.Errorf("%w:办结须附给企业的答复", ErrBadMove)
			}
			t.Reply = note
		case NeedRating:
			var err error
			if rating, comment, err = ParseRating(note); err != nil {
				return err
			}
			t.Rating = rating
		}
		from := t.Status
		t.Status = to
		if to == StatusDispatched {
			t.SignDue, t.SignDueEstimated = s.deadline(now, s.cfg.Deadlines.SignDays)
		}
		if err := s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindMove, From: from, Status: to, By: by, Note: note}); err != nil {
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
			Note: fmt.Sprintf("延期%d个工作日至%s:%s", days, t.Due, reason)})
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
		return s.appendEvent(ctx, tx, t, Event{At: now, Kind: KindReroute, From: t.Status, Status: t.Status, By: by, Note: msg})
	})
}

// EscalateOverdue escalates (督办) every open ticket past its deadline that
// is not escalated yet to the escalation unit of the routing rules (ind-17's
// task-force office):
// its mode becomes 分级 and an event records it. It returns the tickets it
// escalated.
func (s *Store) EscalateOverdue(ctx context.Context) ([]Ticket, error) {
	now := s.clock()
	var out []Ticket
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil // a retried transaction starts over
		rows, err := tx.QueryContext(ctx, `SELECT id FROM intake_tickets
			WHERE status NOT IN ('已办结', '已回访') AND escalated = 0 AND due < ? ORDER BY due, id`, dayKey(now))
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			t, _, err := getTicket(ctx, tx, id)
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
			if err := saveTicket(ctx, tx, &t, now); err != nil {
				return err
			}
			s.mark(&t, now)
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: escalate: %w", err)
	}
	return out, nil
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

// Stats summarises the tickets for the staff dashboard.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ByStatus: map[Status]int{}, ByUnit: map[string]map[Status]int{}}
	today := dayKey(s.clock())
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT lead_unit, status, COUNT(*),
			SUM(CASE WHEN status NOT IN ('已办结', '已回访') AND due < ? THEN 1 ELSE 0 END),
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

// --- helpers -----------------------------------------------------------

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
	return nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, id string, n int, ev Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO intake_events (ticket_id, n, at, kind, from_status, status, by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, n, fmtTime(ev.At), ev.Kind, ev.From, ev.Status, ev.By, ev.Note)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

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

var idRe = regexp.MustCompile(`^CQ-\d{8}-\d{4,6}$`)

// ParseID normalises a ticket id as a person types it (cq-20261127-0001,
// with spaces) and checks its form.
func ParseID(s string) (string, error) {
	id := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !idRe.MatchString(id) {
		return "", fmt.Errorf("%w: 工单号格式应为 CQ-年月日-序号,如 CQ-20261127-0001", ErrInvalid)
	}
	return id, nil
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

func isInput(err error) bool {
	var ie *inputError
	return errors.As(err, &ie)
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

// secretAlphabet avoids look-alikes (0/O, 1/I/L) so a code read out on
// the phone survives.
const secretAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newSecret returns a 10-character code (~49 bits).
func newSecret(r io.Reader) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = secretAlphabet[int(c)%len(secretAlphabet)]
	}
	return string(out), nil
}

func normSecret(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

// hashSecret salts with the ticket id; the codes are random, so a fast
// hash suffices (there is no dictionary to try).
func hashSecret(id, secret string) string {
	h := sha256.Sum256([]byte("huiqi-intake:" + id + ":" + secret))
	return hex.EncodeToString(h[:])
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

var digitsRe = regexp.MustCompile(`[0-9０-９]{7,}`)

func maskDigits(s string) string { return digitsRe.ReplaceAllString(s, "***") }

// normQuestion is the dedupe key of a question: no spaces, no final
// punctuation, lower case.
func normQuestion(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), ""))
	return strings.TrimRight(q, "?!。.,~ \uFF1F\uFF01\uFF0C\uFF5E")
}

// NormalizeChannel maps a channel name to ind-20's three channels (线上,
// 线下, 热线): the chat adapters say terminal/discord/web, which are all
// online. An unknown name is kept as given; empty is 线上.
func NormalizeChannel(c string) string {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "", ChannelOnline, "online", "web", "discord", "terminal", "chat", "api", "网站", "微信", "wechat":
		return ChannelOnline
	case ChannelOffline, "offline", "desk", "窗口", "现场":
		return ChannelOffline
	case ChannelHotline, "hotline", "phone", "电话", "12345":
		return ChannelHotline
	}
	return strings.TrimSpace(c)
}
