package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"huiqi/bot"
	"huiqi/eligibility"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"
	"huiqi/web"
)

// runServe is `huiqi serve [--addr 127.0.0.1:8080] [--db PATH]`: the HTTP API
// and the staff console, until interrupted.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dbPath := fs.String("db", e.dbPath, "database file")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (when a TLS proxy is in front)")
	rate := fs.Float64("rate", 5, "public API requests per second per client IP (negative: no limit)")
	burst := fs.Int("burst", 30, "public API burst per client IP")
	trustProxy := fs.Bool("trust-proxy", false, "take client addresses from X-Forwarded-For (only behind your own reverse proxy)")
	cors := fs.String("cors-origin", "", "comma-separated origins whose pages may call the public API (e.g. https://platform.example)")
	logLevel := fs.String("log-level", "info", "request log level: debug, info, warn or error")
	demo := fs.Bool("demo", false, "under HUIQI_NOW, still run the escalation sweep and pruning against this database")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level must be debug, info, warn or error, got %q", *logLevel)
	}
	// A server's operator wants the request log, which the CLI's default
	// warn-level logger would drop.
	se := *e
	se.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	e = &se
	if len(pos) > 0 {
		return usagef("usage: huiqi serve [--addr HOST:PORT] [--db PATH] [--secure-cookies]")
	}
	origins, err := serveOrigins(*cors)
	if err != nil {
		return err
	}
	warnCalendar(e)
	srv, closeAll, err := newWebServer(ctx, e, *dbPath, e.clockMayWrite(*demo, "the escalation sweep and idle-state pruning"),
		web.Config{SecureCookies: *secure, RatePerSecond: *rate, RateBurst: *burst, CORSOrigins: origins, TrustProxy: *trustProxy})
	if err != nil {
		return err
	}
	defer closeAll()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("cannot listen on %s: %v", *addr, err)
	}
	fmt.Fprintf(e.stderr, "huiqi serve: listening on http://%s (console: /console/)\n", ln.Addr())
	return srv.Serve(ctx, ln)
}

// serveOrigins splits and checks the --cors-origin list: each an http(s)
// origin, no path.
func serveOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.User != nil || strings.ContainsAny(o, " ;'\"") {
			return nil, usagef("--cors-origin: %q is not an origin such as https://platform.example", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// newWebServer opens the database and wires the packages into a web.Server.
// sweep runs the escalation sweep and lets the engine and the accounts
// prune idle state (off when a fixed clock would make them write fiction).
func newWebServer(ctx context.Context, e *env, dbPath string, sweep bool, cfg web.Config) (*web.Server, func(), error) {
	a, err := openApp(ctx, e, dbPath, intake.Config{})
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*web.Server, func(), error) {
		a.Close()
		return nil, nil, err
	}
	base, st := a.base, a.tickets
	// Ask once per measure before serving: the knowledge base fills its
	// snippet caches lazily, so the first callers would pay for it.
	for _, m := range base.Measures() {
		base.Ask(m.Title, len(base.Measures()), e.now())
	}
	acc, err := a.accounts(ctx)
	if err != nil {
		return fail(err)
	}
	acc.KeepExpired = !sweep
	cfg.Knowledge = base
	cfg.Awarder = serveAwarder{}
	cfg.Router = serveRouter{intake.NewRouter(base)}
	// The web chat shares the server's knowledge base and ticket store, so
	// a question staff attach in the console is answered in the web chat
	// at once, and a ticket filed in the chat is in the console's queue.
	eng, err := a.engine(bot.Deps{KeepIdle: !sweep})
	if err != nil {
		return fail(err)
	}
	cfg.Chatter = serveChatter{eng}
	cfg.Backend = &serveBackend{st: st, db: a.db}
	if sweep {
		go serveEscalate(ctx, e, st, 10*time.Minute)
	}
	cfg.StaffNotice = st.Calendar().Notice
	cfg.Accounts = acc
	cfg.Log = e.log
	cfg.Now = e.now
	if cfg.RateClock == nil {
		// HUIQI_NOW fixes e.now; rate limits must still refill in real time.
		cfg.RateClock = time.Now
	}
	srv, err := web.New(cfg)
	if err != nil {
		return fail(err)
	}
	return srv, func() { a.Close() }, nil
}

// serveEscalate escalates (督办) overdue tickets now and every interval
// until ctx ends: the server is the process that runs all day.
func serveEscalate(ctx context.Context, e *env, st *intake.Store, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		ts, err := st.EscalateOverdue(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			e.log.WarnContext(ctx, "escalate overdue tickets", "err", err)
		case len(ts) > 0:
			e.log.InfoContext(ctx, "escalated overdue tickets", "count", len(ts))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// serveChatter runs web chat turns, keyed web:<conversation id>.
type serveChatter struct{ eng *bot.Engine }

func (c serveChatter) Chat(ctx context.Context, conversation string, in bot.Input) ([]bot.Reply, error) {
	return c.eng.Handle(ctx, bot.Key{Channel: "web", User: conversation}, in)
}

// serveAwarder adapts the eligibility package to web.Awarder.
type serveAwarder struct{}

func (serveAwarder) Award(r io.Reader) (any, error) {
	p, err := eligibility.DecodeProfile(r)
	if err != nil {
		return nil, err
	}
	return eligibility.Evaluate(p), nil
}

// serveRouter adapts the intake router to web.Router.
type serveRouter struct{ r *intake.Router }

func (s serveRouter) Route(text, location string) any { return s.r.Route(text, location) }

// serveBackend adapts the intake store (and the lexicon table) to web.Backend.
type serveBackend struct {
	st *intake.Store
	db *sqlite.DB
}

// serveErr maps intake's errors onto the web's sentinels.
func serveErr(err error) error {
	switch {
	case err == nil:
		return nil
	case intake.IsNotFound(err):
		return fmt.Errorf("%w: %w", web.ErrNotFound, err)
	case errors.Is(err, intake.ErrBadMove):
		return fmt.Errorf("%w: %w", web.ErrBadMove, err)
	}
	return err
}

// serveChannels maps the web's channel names onto intake's.
var serveChannels = map[string]string{web.ChannelWeb: "线上", web.ChannelHotline: "热线"}

func (b *serveBackend) File(ctx context.Context, nt web.NewTicket) (web.Ticket, error) {
	ch := serveChannels[nt.Channel]
	if ch == "" {
		ch = "线上"
	}
	t, err := b.st.File(ctx, intake.NewTicket{Text: nt.Text, Enterprise: nt.Enterprise, Contact: nt.Contact,
		Location: nt.Location, Channel: ch, By: nt.Reporter})
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	return serveTicket(t), nil
}

func (b *serveBackend) Get(ctx context.Context, id string) (web.Ticket, error) {
	t, err := b.st.Get(ctx, id)
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	return serveTicket(t), nil
}

func (b *serveBackend) GetWithSecret(ctx context.Context, id, secret string) (web.Ticket, error) {
	t, err := b.st.GetForReporter(ctx, id, "", secret)
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	// Only what intake lets the enterprise see: no reporter names, no filing
	// text, no internal routing remarks.
	p := t.Public()
	w := web.Ticket{ID: p.ID, Status: string(p.Status), LeadUnit: p.LeadUnit, CoUnits: p.CoUnits,
		Measures: p.Measures, Mode: p.Mode, Due: p.Due, DueEstimated: p.DueEstimated, Overdue: p.Overdue, CreatedAt: p.CreatedAt,
		Reply: p.Reply, Events: []web.Event{}}
	for _, ev := range p.Events {
		w.Events = append(w.Events, web.Event{At: ev.At, Status: string(ev.Status), By: ev.By, Note: ev.Note})
	}
	return w, nil
}

func (b *serveBackend) Queue(ctx context.Context, unit string) ([]web.Ticket, error) {
	ts, err := b.st.Queue(ctx, unit)
	if err != nil {
		return nil, serveErr(err)
	}
	out := make([]web.Ticket, 0, len(ts))
	for _, t := range ts {
		out = append(out, serveTicket(t))
	}
	return out, nil
}

func (b *serveBackend) Move(ctx context.Context, id, to, by, note string) (web.Ticket, error) {
	st, err := intake.ParseStatus(to)
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	t, err := b.st.Move(ctx, id, st, by, note)
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	return serveTicket(t), nil
}

func (b *serveBackend) Reroute(ctx context.Context, id, lead string, co []string, by, note string) (web.Ticket, error) {
	t, err := b.st.Reroute(ctx, id, intake.Route{Matched: true, LeadUnit: lead, CoUnits: co}, by, note)
	if err != nil {
		return web.Ticket{}, serveErr(err)
	}
	return serveTicket(t), nil
}

func (b *serveBackend) RecordUnanswered(ctx context.Context, q string) error {
	return b.st.RecordUnanswered(ctx, q)
}

// serveQuestionID names an unanswered question by its text's hash (intake
// keys them by text).
func serveQuestionID(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:8])
}

func (b *serveBackend) Unanswered(ctx context.Context) ([]web.Question, error) {
	qs, err := b.st.Unanswered(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Question, 0, len(qs))
	for _, q := range qs {
		out = append(out, web.Question{ID: serveQuestionID(q.Question), Text: q.Question, At: q.LastAt, Count: q.Count})
	}
	return out, nil
}

func (b *serveBackend) Attach(ctx context.Context, questionID, measureID, question string) error {
	if err := knowledge.SaveQuestion(ctx, b.db.DB, measureID, question); err != nil {
		return err
	}
	return b.st.ResolveUnanswered(ctx, question, measureID)
}

func (b *serveBackend) Stats(ctx context.Context) (web.Stats, error) {
	s, err := b.st.Stats(ctx)
	if err != nil {
		return web.Stats{}, err
	}
	out := web.Stats{ByUnit: map[string]map[string]int{}, Overdue: s.Overdue, Total: s.Total,
		Escalated: s.Escalated, PendingReview: s.Unanswered}
	for u, by := range s.ByUnit {
		m := map[string]int{}
		for st, n := range by {
			m[string(st)] = n
		}
		out.ByUnit[u] = m
	}
	return out, nil
}

func (b *serveBackend) Ping(ctx context.Context) error { return b.db.PingContext(ctx) }

// serveNeeds says in Chinese what each kind of move's note must hold.
var serveNeeds = map[intake.Need]string{
	intake.NeedReason: "请在办理说明里写明原因",
	intake.NeedReply:  "请在办理说明里写给企业的答复",
	intake.NeedRating: "办理说明以 满意 / 基本满意 / 不满意 开头，可再加意见",
}

// serveTicket converts an intake ticket, with the moves its status allows.
func serveTicket(t intake.Ticket) web.Ticket {
	w := web.Ticket{ID: t.ID, Status: string(t.Status), LeadUnit: t.LeadUnit, CoUnits: t.CoUnits,
		Measures: t.Measures, Mode: t.Mode, Due: t.Due, DueEstimated: t.DueEstimated, Overdue: t.Overdue, CreatedAt: t.CreatedAt,
		Reply: t.Reply, Secret: t.Secret, Text: t.Text, Enterprise: t.Enterprise, Contact: t.Contact,
		Channel: t.Channel}
	for _, ev := range t.Events {
		w.Events = append(w.Events, web.Event{At: ev.At, From: string(ev.From), Status: string(ev.Status), By: ev.By, Note: ev.Note})
	}
	for _, tr := range intake.Transitions() {
		if tr.From != t.Status || strings.Contains(tr.Who, "系统") {
			continue
		}
		w.Next = append(w.Next, web.Move{To: string(tr.To), ByUnit: tr.Who == "承办单位", Need: serveNeeds[tr.Need]})
	}
	switch t.Status {
	case intake.StatusReceived, intake.StatusDispatched, intake.StatusReturned:
		w.CanReroute = true // intake allows re-routing until a unit accepts
	}
	if t.Status == intake.StatusSigned || t.Status == intake.StatusHandling {
		w.Next = append(w.Next, web.Move{To: string(intake.Extend), ByUnit: true, Need: serveNeeds[intake.NeedReason]})
	}
	return w
}
