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
	"huiqi/postgres"
	"huiqi/sqlite"
)

// migrations are the "intake" component's numbered steps.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrationsPG are its steps on PostgreSQL.
//
//go:embed migrations_pg/*.sql
var migrationsPG embed.FS

// Store keeps tickets in SQLite or PostgreSQL. Every exported method is one
// transaction. It is safe for concurrent use, also by several processes on
// one file or one PostgreSQL database.
type Store struct {
	db   *sql.DB
	d    dialect
	cfg  Config
	now  func() time.Time
	log  *slog.Logger
	prep map[string]*sql.Stmt // prepared once (sql.go); read-only after OpenStore

	// Statements whose text depends on the dialect.
	qEventsMany, qTicketsMany string
}

// OpenStore runs the intake migrations on db and returns the store. now is
// the clock (China time is used for ids and dates whatever its zone).
func OpenStore(ctx context.Context, db *sqlite.DB, cfg Config, now func() time.Time) (*Store, error) {
	if db == nil {
		return nil, errors.New("intake: nil database")
	}
	d := sqliteDialect{db}
	if err := d.migrate(ctx); err != nil {
		return nil, err
	}
	return newStore(ctx, db.DB, d, cfg, now)
}

// OpenPostgres runs the intake migrations on a PostgreSQL database several
// huiqi processes may share, and returns the store: the same store as
// OpenStore's, in SQL the dialect adapts (dialect.go).
func OpenPostgres(ctx context.Context, db *postgres.DB, cfg Config, now func() time.Time) (*Store, error) {
	if db == nil {
		return nil, errors.New("intake: nil database")
	}
	d := pgDialect{db}
	if err := d.migrate(ctx); err != nil {
		return nil, err
	}
	return newStore(ctx, db.DB, d, cfg, now)
}

// OpenReader opens the store of a database opened read-only
// (sqlite.OpenReadOnly) for the commands that only read: it migrates
// nothing and refuses a database whose intake tables are not at this
// release's version (ErrSchemaBehind: open it writable once;
// sqlite.ErrNewerSchema: a newer huiqi made them).
func OpenReader(ctx context.Context, db *sqlite.DB, cfg Config, now func() time.Time) (*Store, error) {
	if db == nil {
		return nil, errors.New("intake: nil database")
	}
	n, err := sqlite.Outstanding(ctx, db, "intake", migrations)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("intake: %s: %w (%d steps)", db.Path, ErrSchemaBehind, n)
	}
	return newStore(ctx, db.DB, sqliteDialect{db}, cfg, now)
}

// ErrSchemaBehind: the intake tables are older than this release and a
// read-only handle cannot bring them forward.
var ErrSchemaBehind = errors.New("the intake tables are older than this huiqi and must be migrated by opening the database for writing once")

func newStore(ctx context.Context, db *sql.DB, d dialect, cfg Config, now func() time.Time) (*Store, error) {
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
	if cfg.DuplicateWindow == 0 {
		cfg.DuplicateWindow = DefaultDuplicateWindow
	}
	s := &Store{db: db, d: d, cfg: cfg, now: now, log: cfg.Log,
		qEventsMany:  `SELECT ` + eventCols + ` FROM intake_events WHERE ` + d.inList("ticket_id") + ` ORDER BY ticket_id, n`,
		qTicketsMany: `SELECT ` + ticketCols + ` FROM intake_tickets WHERE ` + d.inList("id"),
	}
	hot := []string{qGetTicket, qEventsOne, s.qEventsMany, s.qTicketsMany, qInsertEvent, qInsertTicket, qImportTicket, qSelectKey, qUpdate,
		qListsDelete, qListsInsert, qTallyAdd, qDueTallyAdd, qDueSoon, qListOverdue, qListOnTime, qListClosed, qByReporter, qSweep,
		qRecentFind, qRecentPut, qRecentPrune, qDailyAdd, qDailyPrune, qDailyGet, qUnansweredAdd, qUnansweredPage,
		qTally, qOverdue, qPendingReview}
	if err := s.prepare(ctx, hot); err != nil {
		return nil, err
	}
	return s, nil
}

// Close releases the store's prepared statements (the database stays
// open: its owner closes it).
func (s *Store) Close() error {
	s.closeStmts()
	return nil
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
	for _, f := range []string{nt.Enterprise, nt.Contact, nt.Location, nt.Channel, nt.ReporterKey, nt.Origin, nt.By, nt.Key} {
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
	for _, u := range append([]string{rt.LeadUnit}, rt.CoUnits...) {
		if err := checkUnitName(u); err != nil {
			return Ticket{}, err
		}
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
	whos := reporterHashes(t.ReporterKey, nt.Origin)
	fold := foldKey(text)
	var dup Ticket
	var folded bool
	err = s.write(ctx, func(tx *sql.Tx) error {
		folded = false
		if nt.Key != "" {
			id, was, err := s.filedBefore(ctx, tx, nt.Key, print) // filingkey.go
			if err != nil || id != "" {
				replay, sealed = id, was
				return err
			}
		}
		var err error
		if dup, folded, err = s.findDuplicate(ctx, tx, whos, fold, now); err != nil || folded {
			return err
		}
		if err := s.insertTicket(ctx, tx, &t, secret, now); err != nil {
			return err
		}
		ev := Event{At: now, Kind: KindFile, Status: StatusReceived, By: by, Internal: note}
		ev.Unit = s.actingUnit(&t, ev)
		t.Events = []Event{ev}
		if err := s.insertEvent(ctx, tx, t.ID, 1, ev); err != nil {
			return err
		}
		if nt.Key != "" {
			if err := s.saveFilingKey(ctx, tx, nt.Key, print, t.ID, sealed, now); err != nil {
				return err
			}
		}
		if err := s.syncLists(ctx, tx, nil, &t); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, kindTicket, whos, fold, t.ID, now); err != nil {
			return err
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
	if folded {
		dup.Duplicate = true
		s.present(&dup, now)
		return dup, nil
	}
	t.Secret = secret
	s.present(&t, now)
	return t, nil
}

const qInsertTicket = `INSERT INTO intake_tickets (id, status, lead_unit, co_units, measures, mode,
	matched, flags, unresolved, confidence, due, sign_due, due_estimated, sign_due_estimated, created_at, updated_at,
	text, enterprise, contact, location, channel, reporter_key, secret_hash)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`

// insertTicket gives t a new id and inserts it: CQ-YYYYMMDD- and eight
// random digits (idDigits), drawn again while one is taken, with a digit
// more after a few draws, so ids stay readable whatever the day's count
// and say nothing of it. Ids of the earlier scheme (CQ-YYYYMMDD-0001, by
// count) still parse and can never be drawn twice.
func (s *Store) insertTicket(ctx context.Context, tx *sql.Tx, t *Ticket, secret string, now time.Time) error {
	day := now.Format("20060102")
	for attempt := 0; ; attempt++ {
		digits := idDigits + attempt/idDraws
		if digits > maxIDDigits {
			return errors.New("allocate id: no free id after many draws")
		}
		suffix, err := randomDigits(s.cfg.Rand, digits)
		if err != nil {
			return fmt.Errorf("allocate id: %w", err)
		}
		t.ID = "CQ-" + day + "-" + suffix
		res, err := s.exec(ctx, tx, qInsertTicket,
			t.ID, t.Status, t.LeadUnit, jsonList(t.CoUnits), jsonList(t.Measures), t.Mode, t.Matched,
			jsonList(t.Flags), jsonList(t.Unresolved), t.Confidence, t.Due, t.SignDue, t.DueEstimated,
			t.SignDueEstimated, fmtTime(now), fmtTime(now),
			t.Text, t.Enterprise, t.Contact, t.Location, t.Channel, t.ReporterKey, hashSecret(t.ID, secret))
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
	}
}

// Get returns the ticket with its history (operators and unit staff).
func (s *Store) Get(ctx context.Context, id string) (Ticket, error) {
	var t Ticket
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		t, _, err = s.getTicket(ctx, tx, id)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.present(&t, s.clock())
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
		t, hash, err = s.getTicket(ctx, tx, id)
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
	s.present(&t, s.clock())
	return t, nil
}

// ListByReporter lists the tickets filed under a conversation key, newest
// first: every page of ReporterPage.
func (s *Store) ListByReporter(ctx context.Context, reporterKey string) ([]Ticket, error) {
	return allPages(func(p Page) (TicketPage, error) { return s.ReporterPage(ctx, reporterKey, p) })
}

// The reporter's tickets, newest first, from a cursor (created_at, id) on:
// the partial index on (reporter_key, created_at, id) serves it because the
// query repeats the index's condition.
const qByReporter = `SELECT id, created_at FROM intake_tickets WHERE reporter_key = ? AND reporter_key != ''
	AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`

// ReporterPage is one page of the tickets filed under a conversation key,
// newest first (查进度).
func (s *Store) ReporterPage(ctx context.Context, reporterKey string, p Page) (TicketPage, error) {
	reporterKey = strings.TrimSpace(reporterKey)
	if reporterKey == "" {
		return TicketPage{Tickets: []Ticket{}}, nil
	}
	// The first page starts after the greatest key: created_at is RFC 3339
	// text, and "~" sorts after every digit.
	after := []string{"~", ""}
	if p.After != "" {
		var err error
		if after, err = decodeCursor(p.After, 2); err != nil {
			return TicketPage{}, err
		}
	}
	limit := p.limit()
	var page TicketPage
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, qByReporter, reporterKey, after[0], after[1], limit+1)
		if err != nil {
			return err
		}
		var ids, created []string
		for rows.Next() {
			var id, at string
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return err
			}
			ids, created = append(ids, id), append(created, at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) > limit {
			ids = ids[:limit]
			page.Next = encodeCursor(created[limit-1], ids[limit-1])
		}
		page.Tickets, err = s.loadTickets(ctx, tx, ids)
		return err
	})
	if err != nil {
		return TicketPage{}, fmt.Errorf("intake: list by reporter: %w", err)
	}
	s.presentAll(page.Tickets)
	return page, nil
}

// Queue lists a unit's open work: every page of QueuePage.
func (s *Store) Queue(ctx context.Context, unit string) ([]Ticket, error) {
	return allPages(func(p Page) (TicketPage, error) { return s.QueuePage(ctx, unit, p) })
}

// QueuePage is one page of a unit's open work: tickets it leads or
// co-handles that are not yet rated (已回访); the desk's queue also holds
// everything waiting for dispatch (已受理, 退单), the escalation unit's
// everything escalated. unit "" lists all such tickets. Overdue tickets
// come first, then by due date and id. A page reads its own rows of the
// staff lists (lists.go), so it costs the same at a thousand tickets and
// at a million.
func (s *Store) QueuePage(ctx context.Context, unit string, p Page) (TicketPage, error) {
	cur, err := parseQueueCursor(p.After)
	if err != nil {
		return TicketPage{}, err
	}
	now := s.clock()
	var page TicketPage
	err = s.read(ctx, func(tx *sql.Tx) error {
		ids, next, err := s.queueIDs(ctx, tx, s.listsFor(strings.TrimSpace(unit)), dayKey(now), cur, p.limit())
		if err != nil {
			return err
		}
		page.Next = next
		page.Tickets, err = s.loadTickets(ctx, tx, ids)
		return err
	})
	if err != nil {
		return TicketPage{}, fmt.Errorf("intake: queue: %w", err)
	}
	s.presentAll(page.Tickets)
	return page, nil
}

// allPages gathers every page of a list, MaxPageSize at a time.
func allPages(page func(Page) (TicketPage, error)) ([]Ticket, error) {
	out := []Ticket{}
	p := Page{Limit: MaxPageSize}
	for {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Tickets...)
		if pg.Next == "" {
			return out, nil
		}
		p.After = pg.Next
	}
}

// present computes what a read adds to a stored ticket: the deadline flags
// as of now (mark), and the acting unit of the events recorded before
// events kept one.
func (s *Store) present(t *Ticket, now time.Time) {
	s.mark(t, now)
	for i := range t.Events {
		if t.Events[i].Unit == "" {
			t.Events[i].Unit = s.actingUnit(t, t.Events[i])
		}
	}
}

func (s *Store) presentAll(ts []Ticket) {
	now := s.clock()
	for i := range ts {
		s.present(&ts[i], now)
	}
}

// actingUnit is the unit on whose behalf an event was made, which the
// enterprise sees instead of the sign-in name: the workflow table says
// whether a move is the desk's or the handling unit's; the filing and
// re-routing are the desk's; the escalation and the reopen huiqi's own.
func (s *Store) actingUnit(t *Ticket, ev Event) string {
	switch ev.Kind {
	case KindFile, KindReroute:
		return s.cfg.Rules.Desk
	case KindExtend:
		return t.LeadUnit
	case KindEscalate, KindReopen:
		return string(ActorSystem)
	}
	for _, tr := range Transitions() {
		if tr.From == ev.From && tr.To == ev.Status {
			switch tr.By {
			case ActorDesk:
				return s.cfg.Rules.Desk
			case ActorUnit:
				return t.LeadUnit
			}
			return string(ActorSystem)
		}
	}
	return s.cfg.Rules.Desk
}

func isInput(err error) bool {
	var ie *inputError
	return errors.As(err, &ie)
}
