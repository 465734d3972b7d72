package intake

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	for _, f := range []string{nt.Enterprise, nt.Contact, nt.Location, nt.Channel, nt.ReporterKey, nt.By, nt.Key} {
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
	var print, sealed, replay string
	if nt.Key != "" {
		print = fingerprint(t.Text, t.Enterprise, t.Contact, t.Location, t.Channel, by, t.ReporterKey)
		if sealed, err = seal(nt.Key, secret, s.cfg.Rand); err != nil {
			return Ticket{}, fmt.Errorf("intake: file: %w", err)
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if nt.Key != "" {
			id, was, err := filedBefore(ctx, tx, nt.Key, print) // filingkey.go
			if err != nil || id != "" {
				replay, sealed = id, was
				return err
			}
		}
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
		if err := insertEvent(ctx, tx, t.ID, 1, ev); err != nil {
			return err
		}
		if nt.Key != "" {
			if err := saveFilingKey(ctx, tx, nt.Key, print, t.ID, sealed, now); err != nil {
				return err
			}
		}
		return s.queueNotifications(ctx, tx, &t, ev, 1) // outbox.go
	})
	if errors.Is(err, ErrKeyReused) {
		return Ticket{}, err
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("intake: file: %w", err)
	}
	if replay != "" {
		return s.replayed(ctx, replay, nt.Key, sealed)
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
	where := `WHERE status IN ` + statusIn(func(s Status) bool { return s != StatusVisited })
	var args []any
	if unit != "" {
		where += ` AND (lead_unit = ? OR EXISTS (SELECT 1 FROM json_each(co_units) WHERE value = ?)`
		args = append(args, unit, unit)
		if unit == s.cfg.Rules.Desk {
			where += ` OR status IN ` + statusIn(awaitsDispatch)
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

func isInput(err error) bool {
	var ie *inputError
	return errors.As(err, &ie)
}
