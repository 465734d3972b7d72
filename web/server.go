// Package web is huiqi's HTTP side: the public JSON API that the enterprise
// service platform embeds, the enterprise chat widget, and the
// server-rendered staff console for hotline and unit staff. It owns HTTP:
// routes, request limits, sessions, roles, the JSON error object and the
// pages. It depends on small interfaces declared here (Knowledge, Awarder,
// Router, Engine, Tickets, Questions) over the domain packages' own types,
// which the command line wires to the knowledge base, the award rules, the
// intake store and the conversation engine; what a ticket may do next, who
// may re-route it and what its reporter may see are intake's answers, which
// the web only filters by the signed-in user's role.
//
// Public (no login; rate-limited per client IP; JSON bodies up to 64 KiB):
//
//	POST /api/ask              {"question","top"}            → the ask object
//	POST /api/award            the profile of awards.md       → the award object
//	POST /api/route            {"text","location"}            → the route object
//	POST /api/chat             {"conversation","text","action","form"} → {"conversation","replies"}
//	GET  /api/chat/notifications?conversation=C&after=N → {"conversation","notifications"} (notices.go)
//	GET  /api/chat/events?conversation=C                → server-sent "notification" events
//	POST /api/tickets          {"text","enterprise","contact","location"} → 201 report object + "secret"
//	                           (Idempotency-Key: the same key again answers with the same ticket)
//	GET  /api/tickets/{id}?secret=S                          → the ticket object (404 without the right secret)
//	GET  /healthz                                            → 200 {"status":"ok"} / 503
//	GET  /chat                                               → the chat widget page
//
// Staff JSON (Authorization: Bearer TOKEN, or the console's session cookie
// plus X-CSRF-Token on POST):
//
//	POST /api/staff/login                {"name","password"} → {"token","csrf","expires","user"}
//	POST /api/staff/logout
//	POST /api/staff/password             {"current","new"} → a new session as for login; every other ends
//	GET  /api/staff/tickets?unit=U       → {"unit","tickets":[…],"next","total","overdue"} (unit staff: own unit only)
//	POST /api/staff/tickets              {"text","enterprise","contact","location"} → 201 (roles that file; channel 热线; Idempotency-Key per account)
//	GET  /api/staff/tickets/{id}         → the ticket with text, enterprise, contact, channel, moves
//	POST /api/staff/tickets/{id}/move    {"to","note"}
//	POST /api/staff/tickets/{id}/reroute {"lead_unit","co_units","note"} (roles that re-route)
//	GET  /api/staff/unanswered           → {"questions":[{"id","text","at","count"}],"next","total"} (roles that review)
//	POST /api/staff/unanswered/{id}/attach {"measure"}        (roles that review)
//	GET  /api/staff/stats                → {"by_unit","overdue","total","answered","unanswered"}
//
// Lists come in pages: ?limit=N (1–200, default 50) and ?after= the "next"
// of the page before. What each role may see and do is intake/roles.json
// (intake.Roles); a ticket a user may not see is 404, as one that does not
// exist. Staff answers are Cache-Control: no-store.
//
// Console (HTML, CSRF token in every form, every form answered by a
// redirect): /console/login, /console/lookup, /console/tickets,
// /console/tickets/{id}, /console/new, /console/unanswered,
// /console/dashboard, /console/password, and for the roles that may
// manage notices /console/notices (list, paste or upload a draft),
// /console/notices/{id} (preview), …/{id}/publish, …/{id}/withdraw.
//
// Errors are {"error":{"code","message"}} with code invalid (400),
// unauthorized (401), forbidden (403), not_found (404), method_not_allowed
// (405), too_large (413), unsupported_media_type (415), rate_limited (429),
// internal (500) or unavailable (503: storage damaged, full or read-only);
// classify is the one place that maps errors to them.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"huiqi/intake"
	"huiqi/ratelimit"
	"huiqi/sqlite"
)

// Config wires a Server. Knowledge, Tickets, Questions, DB and Accounts are
// required; a nil Awarder, Router or Engine makes its endpoint answer 500
// with a message.
type Config struct {
	Knowledge Knowledge
	Awarder   Awarder
	Router    Router
	Engine    Engine
	Tickets   Tickets
	Questions Questions
	// DB is the database the stores live in: /healthz pings it, and the
	// questions staff attach to measures are saved in knowledge's table there.
	DB       *sqlite.DB
	Accounts *Accounts
	Log      *slog.Logger
	Now      func() time.Time
	// StaffNotice, when set, is an operations notice shown on every console
	// page for the time given ("" for none): the working-day calendar's
	// request for its next year (intake.Calendar.Notice).
	StaffNotice func(time.Time) string
	// Notices, when set, is the workflow over policy notices behind the
	// console's notice pages (for roles that may manage notices).
	Notices NoticeDesk

	// SecureCookies marks cookies Secure even on plain HTTP (behind a TLS
	// proxy); they are always Secure when the request came over TLS.
	SecureCookies bool
	// MaxBody is the largest request body in bytes (default 64 KiB).
	MaxBody int64
	// Daily is the store's daily counts per client address; with it the
	// public API files at most DailyTickets tickets (default 50) and keeps
	// at most DailyQuestions unanswered questions (default 500) a day from
	// one address (an IPv6 /64). Nil, or a negative cap, turns a cap off.
	Daily          DailyCounts
	DailyTickets   int
	DailyQuestions int
	// RatePerSecond and RateBurst limit the public API per client IP
	// (defaults 5/s, burst 30); a negative RatePerSecond disables the limit.
	RatePerSecond float64
	RateBurst     int
	// LoginFree is how many failed sign-ins in a row an address or a name
	// makes before each further attempt waits (default 5); LoginDelay is
	// the first wait (default 1 s), doubled with every failure up to
	// LoginMaxDelay (default 15 min). A name in its wait still lets a clean
	// address try: the owner is slowed, never locked out (see signinGuard).
	// A negative LoginFree turns the guard off.
	LoginFree     int
	LoginDelay    time.Duration
	LoginMaxDelay time.Duration
	// MaxConns caps the connections served at once (default 1000): a flood
	// of half-open connections waits in the listen queue instead of costing
	// memory; each is dropped after ReadHeaderTimeout.
	MaxConns int
	// MaxClients bounds the rate limiters' and the sign-in guard's maps
	// (default 10000 each).
	MaxClients int
	// RateClock is the rate limiters' clock (default Now). A server whose
	// Now is fixed for a demonstration (HUIQI_NOW) must pass a real clock,
	// or a client's bucket, once empty, would never refill.
	RateClock func() time.Time
	// TrustProxy takes the client's address from the last X-Forwarded-For
	// entry (the one our own reverse proxy appended); set it only behind
	// such a proxy, or clients could pick their own rate-limit key.
	TrustProxy bool
	// CORSOrigins are the exact origins (https://platform.example) whose
	// pages may call the public API from the browser; none by default. The
	// staff API and the console are never cross-origin.
	CORSOrigins []string
}

// Server serves the API and the console.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	kb      Knowledge
	tickets Tickets
	qs      Questions
	db      *sqlite.DB
	acc     *Accounts
	roles   *intake.Roles
	public  *ratelimit.Limiter
	signins *signinGuard
	pages   map[string]*template.Template
	handler http.Handler

	notices noticeHub // the chat's notification streams (notices.go)

	answered, unanswered atomic.Int64 // /api/ask outcomes not yet flushed
	flushMu              sync.Mutex

	// While Serve runs, unanswered questions are stored by a background
	// writer, so an answer never waits on a database write.
	async  atomic.Bool
	record chan asked
}

// asked is an unanswered question to keep, with the address it came from.
type asked struct{ q, origin string }

// New builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Knowledge == nil || cfg.Tickets == nil || cfg.Questions == nil || cfg.DB == nil || cfg.Accounts == nil {
		return nil, errors.New("web: Knowledge, Tickets, Questions, DB and Accounts are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateClock == nil {
		cfg.RateClock = cfg.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = 5
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = 30
	}
	if cfg.DailyTickets == 0 {
		cfg.DailyTickets = 50
	}
	if cfg.DailyQuestions == 0 {
		cfg.DailyQuestions = 500
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1000
	}
	if cfg.LoginFree == 0 {
		cfg.LoginFree = 5
	}
	if cfg.LoginDelay <= 0 {
		cfg.LoginDelay = time.Second
	}
	if cfg.LoginMaxDelay <= 0 {
		cfg.LoginMaxDelay = 15 * time.Minute
	}
	s := &Server{cfg: cfg, log: cfg.Log, now: cfg.Now, kb: cfg.Knowledge, tickets: cfg.Tickets, qs: cfg.Questions,
		db: cfg.DB, acc: cfg.Accounts, roles: cfg.Accounts.Roles(), record: make(chan asked, 1024)}
	if cfg.RatePerSecond > 0 {
		s.public = ratelimit.New(cfg.RatePerSecond, cfg.RateBurst, cfg.MaxClients, cfg.RateClock)
	}
	if cfg.LoginFree > 0 {
		s.signins = newSigninGuard(cfg.RateClock, cfg.LoginFree, cfg.LoginDelay, cfg.LoginMaxDelay, cfg.MaxClients)
	}
	pages, err := parsePages(pageFuncs(s.roles))
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx is cancelled, then shuts down gracefully
// (in-flight requests get up to 10 s) and flushes the ask counts.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(s.notices.shutdown) // event streams end, or Shutdown would wait for them
	errc := make(chan error, 1)
	recorded := make(chan struct{})
	stopRecording := make(chan struct{})
	s.async.Store(true)
	go func() {
		defer close(recorded)
		s.recordLoop(context.WithoutCancel(ctx), stopRecording)
	}()
	defer func() {
		s.async.Store(false)
		close(stopRecording)
		<-recorded
	}()
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, s.cfg.MaxConns)) }()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			s.Flush(context.WithoutCancel(ctx))
			return fmt.Errorf("web: serve: %w", err)
		case <-tick.C:
			s.Flush(ctx)
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			<-errc
			s.Flush(sctx)
			if err != nil {
				return fmt.Errorf("web: shutdown: %w", err)
			}
			return nil
		}
	}
}

// recordLoop stores queued unanswered questions until stop, then the rest.
func (s *Server) recordLoop(ctx context.Context, stop <-chan struct{}) {
	store := func(q asked) {
		if err := s.qs.RecordUnansweredFrom(ctx, q.q, "", q.origin); err != nil {
			s.log.WarnContext(ctx, "record unanswered question", "err", err)
		}
	}
	for {
		select {
		case q := <-s.record:
			store(q)
		case <-stop:
			for {
				select {
				case q := <-s.record:
					store(q)
				default:
					return
				}
			}
		}
	}
}

// Flush writes the batched /api/ask counts to the database.
func (s *Server) Flush(ctx context.Context) {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	a, u := s.answered.Swap(0), s.unanswered.Swap(0)
	if err := s.acc.AddAskCounts(ctx, int(a), int(u)); err != nil {
		s.answered.Add(a)
		s.unanswered.Add(u)
		s.log.WarnContext(ctx, "flush ask counts", "err", err)
	}
}

// mux registers handlers by method and path and answers any other method on
// a known path with a JSON or HTML 405 carrying Allow.
type mux struct {
	*http.ServeMux
	allowed map[string][]string
}

func (m *mux) handle(method, path string, h http.HandlerFunc) {
	m.ServeMux.HandleFunc(method+" "+path, h)
	if m.allowed[path] == nil {
		m.ServeMux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			allow := append([]string(nil), m.allowed[path]...)
			sort.Strings(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			e := errorf(CodeMethodNotAllowed, "此地址不支持 %s 请求", r.Method)
			if strings.HasPrefix(path, "/console/") {
				http.Error(w, e.Message, http.StatusMethodNotAllowed)
				return
			}
			writeJSONError(w, r, e)
		})
	}
	m.allowed[path] = append(m.allowed[path], method)
	if method == http.MethodGet {
		m.allowed[path] = append(m.allowed[path], http.MethodHead)
	}
}

func writeJSONError(w http.ResponseWriter, r *http.Request, e *Error) {
	writeError(w, r, slog.New(slog.DiscardHandler), e)
}

func (s *Server) routes() http.Handler {
	m := &mux{ServeMux: http.NewServeMux(), allowed: map[string][]string{}}

	// Public API.
	m.handle("POST", "/api/ask", s.limited(s.apiAsk))
	m.handle("POST", "/api/award", s.limited(s.apiAward))
	m.handle("POST", "/api/route", s.limited(s.apiRoute))
	m.handle("POST", "/api/chat", s.limited(s.apiChat))
	m.handle("GET", "/api/chat/notifications", s.limited(s.apiChatNotifications))
	m.handle("GET", "/api/chat/events", s.limited(s.apiChatEvents))
	m.handle("POST", "/api/tickets", s.limited(s.apiFile))
	m.handle("GET", "/api/tickets/{id}", s.limited(s.apiTicket))
	m.handle("GET", "/healthz", s.healthz)

	// Staff API: bearer token or session cookie (+ X-CSRF-Token on POST).
	m.handle("POST", "/api/staff/login", s.apiLogin)
	m.handle("POST", "/api/staff/logout", s.staffAPI(s.apiLogout))
	m.handle("POST", "/api/staff/password", s.staffAPI(s.apiPassword))
	m.handle("GET", "/api/staff/tickets", s.staffAPI(s.apiQueue))
	m.handle("POST", "/api/staff/tickets", s.staffAPI(s.apiStaffFile))
	m.handle("GET", "/api/staff/tickets/{id}", s.staffAPI(s.apiStaffTicket))
	m.handle("POST", "/api/staff/tickets/{id}/move", s.staffAPI(s.apiMove))
	m.handle("POST", "/api/staff/tickets/{id}/reroute", s.staffAPI(s.apiReroute))
	m.handle("GET", "/api/staff/unanswered", s.staffAPI(s.apiUnanswered))
	m.handle("POST", "/api/staff/unanswered/{id}/attach", s.staffAPI(s.apiAttach))
	m.handle("GET", "/api/staff/stats", s.staffAPI(s.apiStats))
	m.ServeMux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, r, errorf(CodeNotFound, "没有这个接口"))
	})

	// Staff console.
	m.handle("GET", "/console/login", s.loginPage)
	m.handle("POST", "/console/login", s.loginSubmit)
	m.handle("POST", "/console/logout", s.console(s.logoutSubmit))
	m.handle("GET", "/console/password", s.console(s.passwordPage))
	m.handle("POST", "/console/password", s.console(s.passwordSubmit))
	m.handle("GET", "/console/{$}", s.console(func(w http.ResponseWriter, r *http.Request, ss *Session) {
		http.Redirect(w, r, s.home(ss.User), http.StatusSeeOther)
	}))
	m.handle("GET", "/console/lookup", s.console(s.lookupPage))
	m.handle("GET", "/console/tickets", s.console(s.queuePage))
	m.handle("GET", "/console/tickets/{id}", s.console(s.ticketPage))
	m.handle("GET", "/console/find", s.console(s.findTicket))
	m.handle("POST", "/console/tickets/{id}/move", s.console(s.moveSubmit))
	m.handle("POST", "/console/tickets/{id}/reroute", s.console(s.rerouteSubmit))
	m.handle("GET", "/console/new", s.console(s.newPage))
	m.handle("POST", "/console/new", s.console(s.newSubmit))
	m.handle("GET", "/console/unanswered", s.console(s.unansweredPage))
	m.handle("POST", "/console/unanswered/{id}/attach", s.console(s.attachSubmit))
	m.handle("GET", "/console/dashboard", s.console(s.dashboardPage))
	m.handle("GET", "/console/notices", s.console(s.policyDesk(s.noticesPage)))
	m.handle("POST", "/console/notices", s.noticeUpload(s.policyDesk(s.noticeSubmit)))
	m.handle("GET", "/console/notices/{id}", s.console(s.policyDesk(s.noticePage)))
	m.handle("POST", "/console/notices/{id}/publish", s.console(s.policyDesk(s.noticeMove(true))))
	m.handle("POST", "/console/notices/{id}/withdraw", s.console(s.policyDesk(s.noticeMove(false))))
	m.handle("GET", "/chat", s.limited(s.chatPage))
	m.ServeMux.Handle("GET /static/", http.FileServerFS(staticFS()))
	m.ServeMux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	})
	return s.middleware(m)
}

// chatPage is the enterprise chat widget over /api/chat. Unlike the
// console, the platform's pages (CORSOrigins) may frame it.
func (s *Server) chatPage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	ancestors := "'self'"
	for _, o := range s.cfg.CORSOrigins {
		ancestors += " " + o
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors "+ancestors+"; form-action 'self'; base-uri 'none'")
	h.Del("X-Frame-Options")
	s.render(w, r, http.StatusOK, "chat.html", page{Title: "在线咨询", Public: true})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	// Health is the damage any check or statement has found, or a read of
	// the schema page: a damaged database answers 503 until it is restored.
	if err := s.db.Health(ctx); err != nil {
		s.log.WarnContext(ctx, "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
