package cli

import (
	"context"
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
	"huiqi/web"
)

// runServe is `huiqi serve [--addr 127.0.0.1:8080] [--db PATH]`: the HTTP API
// and the staff console, until interrupted.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve")
	limits := newDeadlineFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dbPath := fs.String("db", e.dbPath, "database file, or postgres://… to keep the tickets in a PostgreSQL database several servers share")
	localDB := fs.String("local-db", "", "with --db postgres://…: this server's own SQLite file for conversations, staff accounts and notices (default "+e.dbPath+")")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (when a TLS proxy is in front)")
	rate := fs.Float64("rate", 5, "public API requests per second per client IP (negative: no limit)")
	burst := fs.Int("burst", 30, "public API burst per client IP")
	maxConns := fs.Int("max-conns", 1000, "connections served at once; more wait in the listen queue")
	dailyTickets := fs.Int("daily-tickets", 50, "tickets one client address may file a day through the public API (negative: no cap)")
	dailyQuestions := fs.Int("daily-questions", 500, "unanswered questions kept for review from one client address a day (negative: no cap)")
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
		return usagef("usage: huiqi serve [--addr HOST:PORT] [--db PATH|postgres://… [--local-db PATH]] [--secure-cookies]")
	}
	origins, err := serveOrigins(*cors)
	if err != nil {
		return err
	}
	icfg, err := limits.config()
	if err != nil {
		return err
	}
	where, err := storageOf(*dbPath, *localDB, e.dbPath)
	if err != nil {
		return err
	}
	warnCalendar(e)
	srv, closeAll, err := newWebServerOn(ctx, e, where, e.clockMayWrite(*demo, "the escalation sweep and idle-state pruning"), icfg,
		web.Config{SecureCookies: *secure, RatePerSecond: *rate, RateBurst: *burst, CORSOrigins: origins, TrustProxy: *trustProxy,
			MaxConns: *maxConns, DailyTickets: *dailyTickets, DailyQuestions: *dailyQuestions})
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
func newWebServer(ctx context.Context, e *env, dbPath string, sweep bool, icfg intake.Config, cfg web.Config) (*web.Server, func(), error) {
	return newWebServerOn(ctx, e, storage{file: dbPath}, sweep, icfg, cfg)
}

// newWebServerOn is newWebServer with the tickets where s says. On
// PostgreSQL every server may run the sweep: its transaction is
// serializable, so two at once escalate each ticket once.
func newWebServerOn(ctx context.Context, e *env, s storage, sweep bool, icfg intake.Config, cfg web.Config) (*web.Server, func(), error) {
	a, err := openAppOn(ctx, e, s, icfg)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*web.Server, func(), error) {
		a.Close()
		return nil, nil, err
	}
	if err := a.checkIntegrity(ctx); err != nil {
		return fail(err)
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
	cfg.Knowledge = a.live
	cfg.Notices = knowledge.NewDesk(a.db, a.live, e.now)
	cfg.Awarder = serveAwarder{now: e.now}
	cfg.Router = a.router
	// The web chat shares the server's knowledge base and ticket store, so
	// a question staff attach in the console is answered in the web chat
	// at once, and a ticket filed in the chat is in the console's queue.
	deps := bot.Deps{KeepIdle: !sweep}
	if e.chatUnlimited {
		deps.RateLimit, deps.ActionLimit = -1, -1
	}
	eng, err := a.engine(deps)
	if err != nil {
		return fail(err)
	}
	cfg.Engine = eng
	cfg.Tickets, cfg.Questions, cfg.DB = st, st, a.db
	cfg.Daily = st // the per-address daily caps count in the store
	if sweep {
		go serveEscalate(ctx, e, st, 10*time.Minute)
		go serveCheck(ctx, e, a, 6*time.Hour)
	}
	// A notice published or withdrawn from the command line while the
	// server runs is answered from (or no longer) within a minute.
	rctx, stopReload := context.WithCancel(ctx)
	reloadDone := make(chan struct{})
	go func() {
		defer close(reloadDone)
		serveReloadNotices(rctx, e, a, time.Minute)
	}()
	closeDB := func() {
		stopReload()
		<-reloadDone
		a.Close()
	}
	fail = func(err error) (*web.Server, func(), error) {
		closeDB()
		return nil, nil, err
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
	return srv, closeDB, nil
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

// serveCheck reads the whole database again every interval (the start's
// check, repeated): damage found marks it damaged, so writes stop and
// /healthz answers 503 until it is restored.
func serveCheck(ctx context.Context, e *env, a *app, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := a.checkIntegrity(ctx); err != nil && ctx.Err() == nil {
			e.log.ErrorContext(ctx, "database damaged: writes are refused until it is restored (huiqi restore BACKUP)", "err", err)
		}
	}
}

// serveAwarder adapts the eligibility package to web.Awarder; the clock
// decides which title years are in the future and whether the policy year
// has ended.
type serveAwarder struct{ now func() time.Time }

func (a serveAwarder) Award(r io.Reader) (any, error) {
	now := a.now()
	p, err := eligibility.DecodeProfile(r, now)
	if err != nil {
		return nil, err
	}
	return eligibility.Evaluate(p, now), nil
}

// serveReloadNotices reloads the knowledge base every interval when the
// stored notices changed (a step taken from another process).
func serveReloadNotices(ctx context.Context, e *env, a *app, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if changed, err := a.live.ReloadIfChanged(ctx, a.db.DB); err != nil {
				e.log.Warn("reload notices", "err", err)
			} else if changed {
				e.log.Info("notices changed: knowledge base reloaded")
			}
		}
	}
}
