// Package discord is the Discord channel of the conversation engine: it runs
// a bot on github.com/bwmarrin/discordgo that takes slash commands, buttons,
// select menus, modals, DMs and mentions, hands them to the engine, and
// renders its replies within Discord's limits.
//
// One conversation per Discord user: the key is bot.Key{Channel: "discord",
// User: <user id>} wherever the user writes (DM, any channel, any guild), so a
// dialog started by mention in a channel continues in the DM where its
// private replies go, and /ticket finds the tickets the user filed anywhere.
//
// It owns Discord: the gateway (reconnected here, at the resume URL, and
// stopped on fatal close codes: gateway.go), slash commands, components,
// Discord's limits (rate limits kept in the REST transport: throttle.go),
// and the delivery of the outbox's Discord notifications (Notifier). It must not know the workflow or the measures: the staff
// commands ask intake's store (Desk) and show intake's tickets, and /measure
// shows knowledge's measure and validity.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/knowledge"

	"github.com/bwmarrin/discordgo"
)

// Engine is the conversation engine (*bot.Engine).
type Engine interface {
	Handle(ctx context.Context, key bot.Key, in bot.Input) ([]bot.Reply, error)
}

// Knowledge answers /measure and /unit and suggests measures and units as
// the user types (*knowledge.Base).
type Knowledge interface {
	Measure(ref string) (*knowledge.Measure, bool)
	Measures() []*knowledge.Measure
	Unit(name string) knowledge.UnitResult
	// Scope says which notices huiqi answers from.
	Scope() knowledge.Scope
	// Validity says whether m is in force on the day of now.
	Validity(m *knowledge.Measure, now time.Time) knowledge.Validity
}

// Desk is the staff side of the intake (*intake.Store satisfies it): a
// unit's queue, a ticket, status moves.
type Desk interface {
	Queue(ctx context.Context, unit string) ([]intake.Ticket, error)
	Get(ctx context.Context, id string) (intake.Ticket, error)
	Move(ctx context.Context, id string, to intake.Status, by, note string) (intake.Ticket, error)
}

// Reports lists the tickets a reporter filed (*intake.Store), for /ticket's
// suggestions.
type Reports interface {
	ListByReporter(ctx context.Context, reporterKey string) ([]intake.Ticket, error)
}

// ErrTokenRejected is returned by Run when the server refuses the token.
var ErrTokenRejected = errors.New("discord: token rejected by the server (401 Unauthorized)")

// Config is how the bot connects. Token is required.
type Config struct {
	Token   string // without the "Bot " prefix
	GuildID string // register commands in this guild only (instant); empty: global
	// API points REST and gateway at a Discord-compatible server
	// (http(s)://host[:port][/path]); empty is discord.com.
	API        string
	ShardID    int
	ShardCount int // 0 or 1: no sharding
	// Staff maps server roles to platform roles (the config file's
	// "staff"); StaffRole is a role id whose members are the hotline
	// (--staff-role, before roles came from data). With neither, nobody
	// may use the staff commands.
	Staff     []StaffRole
	StaffRole string
	// Roles are what each platform role may do; default intake's roles.json.
	Roles *intake.Roles
	// DeferAfter is how long an interaction waits for the engine before the
	// bot defers (Discord allows 3 s for the first response); default 1.5 s.
	DeferAfter time.Duration
	Now        func() time.Time
	Log        *slog.Logger
	// Ready, when set, is called once the bot is connected and its commands
	// are registered, with the bot's user name and application id.
	Ready func(botName, appID string)
}

// Deps are the parts the bot talks to. Engine is required; without
// Knowledge, /measure and /unit say they are unavailable, and without Desk
// so do the staff commands.
type Deps struct {
	Engine    Engine
	Knowledge Knowledge
	Desk      Desk
	Reports   Reports
}

// Bot is a running Discord adapter. Create it with New, start it with Run.
type Bot struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	ids   *idMap
	forms *formCache
	locks *keyLocks
	ui    *uiLast
	roles *intake.Roles

	mu    sync.Mutex
	appID string
	botID string
	live  *discordgo.Session // while Run is connected
	busy  inflight
	turns atomic.Int64 // engine turns, in order (handle)
}

// New checks the configuration.
func New(cfg Config, deps Deps) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("discord: token is required")
	}
	if deps.Engine == nil {
		return nil, errors.New("discord: engine is required")
	}
	if cfg.API != "" {
		if _, err := parseAPI(cfg.API); err != nil {
			return nil, err
		}
	}
	if cfg.ShardCount > 1 && (cfg.ShardID < 0 || cfg.ShardID >= cfg.ShardCount) {
		return nil, fmt.Errorf("discord: shard %d out of range 0..%d", cfg.ShardID, cfg.ShardCount-1)
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = 1500 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Roles == nil {
		r, err := intake.BuiltinRoles()
		if err != nil {
			return nil, err
		}
		cfg.Roles = r
	}
	for _, st := range cfg.Staff {
		if _, ok := cfg.Roles.Get(st.Role); !ok {
			return nil, fmt.Errorf("discord: staff role %s maps to unknown role %q", st.DiscordRole, st.Role)
		}
	}
	return &Bot{
		cfg: cfg, deps: deps, log: cfg.Log, roles: cfg.Roles,
		ids: newIDMap(), forms: newFormCache(), locks: newKeyLocks(), ui: newUILast(),
	}, nil
}

// ParseShard parses --shard ID/COUNT, e.g. "0/4".
func ParseShard(s string) (id, count int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, 0, fmt.Errorf("shard %q: want ID/COUNT, e.g. 0/2", s)
	}
	id, err1 := strconv.Atoi(strings.TrimSpace(a))
	count, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || count < 1 || id < 0 || id >= count || count > 1<<16 {
		return 0, 0, fmt.Errorf("shard %q: want ID/COUNT with 0 <= ID < COUNT, e.g. 0/2", s)
	}
	return id, count, nil
}

// intents are what the bot asks the gateway for. None is privileged: the
// bot reads only DMs and messages that mention it, whose content Discord
// delivers without the Message Content intent.
const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// shutdownGrace is how long requests still in flight may run once the bot
// is stopping; every rate-limit wait ends at once.
const shutdownGrace = 4 * time.Second

// session builds the discordgo session, pointed at cfg.API when set, with
// the throttle (throttle.go) in front of its REST calls.
func (b *Bot) session() (*discordgo.Session, *throttle, error) {
	s, err := discordgo.New("Bot " + strings.TrimSpace(b.cfg.Token))
	if err != nil {
		return nil, nil, fmt.Errorf("discord: %w", err)
	}
	var rt http.RoundTripper = http.DefaultTransport
	if b.cfg.API != "" {
		t, err := newRewriteTransport(b.cfg.API, http.DefaultTransport)
		if err != nil {
			return nil, nil, err
		}
		rt = t
	}
	th := newThrottle(rt, b.log)
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: th}
	s.Identify.Intents = intents
	if b.cfg.ShardCount > 1 {
		s.ShardID, s.ShardCount = b.cfg.ShardID, b.cfg.ShardCount
	}
	s.StateEnabled = true
	s.LogLevel = discordgo.LogError
	return s, th, nil
}

// Run connects, registers the slash commands and serves until ctx is done.
// It returns ErrTokenRejected (wrapped) when the server refuses the token,
// and a *GatewayClosedError when the gateway closes the connection for a
// reason reconnecting cannot fix.
func (b *Bot) Run(ctx context.Context) error {
	s, th, err := b.session()
	if err != nil {
		return err
	}
	me, err := s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("discord: cannot reach the API at %s: %w", b.apiName(), ue.Err)
		}
		return classify("check token", err)
	}
	b.mu.Lock()
	b.botID = me.ID
	b.mu.Unlock()

	remove := []func(){
		s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			if !b.busy.enter() {
				return
			}
			defer b.busy.leave()
			b.onInteraction(ctx, s, ic.Interaction)
		}),
		s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
			if !b.busy.enter() {
				return
			}
			defer b.busy.leave()
			b.onMessage(ctx, s, m.Message)
		}),
	}
	gw := newGateway(s, b.log)
	if err := gw.open(); err != nil {
		var fe *GatewayClosedError
		if errors.As(err, &fe) {
			b.log.Error("discord: gateway refused the connection; not reconnecting", "code", fe.Code, "reason", fe.Reason)
			return fe
		}
		return classify("connect to gateway", err)
	}
	gwCtx, stopGateway := context.WithCancel(ctx)
	gwDone := make(chan struct{})
	go func() { defer close(gwDone); gw.run(gwCtx) }()
	b.mu.Lock()
	b.live = s
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.live = nil
		b.mu.Unlock()
		// Waits for rate limits end now, and requests still in flight a
		// few seconds later, so the bot stops within Discord's patience
		// and an operator's (SIGTERM) whatever it was waiting for.
		th.shutdown(shutdownGrace)
		for _, r := range remove {
			r()
		}
		stopGateway()
		select { // a reconnect stuck in a handshake must not hold the stop
		case <-gwDone:
		case <-time.After(2 * time.Second):
		}
		b.busy.wait()
		if err := gw.close(); err != nil {
			b.log.Warn("discord: close", "err", err)
		}
	}()

	appID := me.ID
	s.State.RLock()
	if s.State.Application != nil && s.State.Application.ID != "" {
		appID = s.State.Application.ID
	}
	if s.State.User != nil && s.State.User.ID != "" {
		b.mu.Lock()
		b.botID = s.State.User.ID
		b.mu.Unlock()
	}
	s.State.RUnlock()
	b.mu.Lock()
	b.appID = appID
	b.mu.Unlock()

	if _, err := s.ApplicationCommandBulkOverwrite(appID, b.cfg.GuildID, commands(b.docs()), discordgo.WithContext(ctx)); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return classify("register commands", err)
	}
	b.log.Info("discord: ready", "app", appID, "guild", b.cfg.GuildID, "shard", b.cfg.ShardID, "shards", b.cfg.ShardCount)
	if b.cfg.Ready != nil {
		b.cfg.Ready(me.Username, appID)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-gw.fatal:
		var fe *GatewayClosedError
		if errors.As(err, &fe) {
			b.log.Error("discord: gateway closed the connection; not reconnecting", "code", fe.Code, "reason", fe.Reason)
		}
		return err
	}
}

func (b *Bot) apiName() string {
	if b.cfg.API == "" {
		return "discord.com"
	}
	return b.cfg.API
}

// classify wraps err, turning a 401 into ErrTokenRejected.
func classify(what string, err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s: %w", what, ErrTokenRejected)
	}
	if errors.Is(err, discordgo.ErrUnauthorized) {
		return fmt.Errorf("%s: %w", what, ErrTokenRejected)
	}
	return fmt.Errorf("discord: %s: %w", what, err)
}

func (b *Bot) identity() (appID, botID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.appID, b.botID
}

// key is the conversation of a Discord user (see the package comment).
func key(userID string) bot.Key { return bot.Key{Channel: "discord", User: userID} }

// turnKey carries, in a turn's context, where handle writes the turn's
// place in the engine's order (ordered).
type turnKey struct{}

// ordered gives ctx a slot for the turn's order and returns it; a turn
// that did not reach the engine keeps 0.
func ordered(ctx context.Context) (context.Context, *int64) {
	seq := new(int64)
	return context.WithValue(ctx, turnKey{}, seq), seq
}

// handle runs one engine turn, one turn at a time per user so that replies
// keep their order; the turn's number in that order goes to the context's
// slot (ordered), so that a turn whose messages are sent late cannot take
// the place of a newer one's (ui.go).
func (b *Bot) handle(ctx context.Context, userID string, in bot.Input) []bot.Reply {
	unlock := b.locks.lock(userID)
	defer unlock()
	if seq, ok := ctx.Value(turnKey{}).(*int64); ok {
		*seq = b.turns.Add(1)
	}
	replies, err := b.deps.Engine.Handle(ctx, key(userID), in)
	if err != nil {
		b.log.Error("discord: engine", "user", userID, "err", err)
		if len(replies) == 0 {
			replies = []bot.Reply{{Text: msgInternal}}
		}
	}
	return replies
}

const msgInternal = "系统出了点问题，请稍后再试。"

// keyLocks serialises the turns of one user.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	n int
}

func newKeyLocks() *keyLocks { return &keyLocks{m: map[string]*keyLock{}} }

func (k *keyLocks) lock(id string) (unlock func()) {
	k.mu.Lock()
	l := k.m[id]
	if l == nil {
		l = &keyLock{}
		k.m[id] = l
	}
	l.n++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.n--; l.n == 0 {
			delete(k.m, id)
		}
		k.mu.Unlock()
	}
}

// formCache keeps the forms offered by button (where a modal could not be
// shown at once) until the user opens them.
type formCache struct {
	mu sync.Mutex
	m  map[string]*bot.Form
}

func newFormCache() *formCache { return &formCache{m: map[string]*bot.Form{}} }

func (c *formCache) put(userID, id string, f *bot.Form) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[userID+"\x00"+id] = f
}

func (c *formCache) get(userID, formID string) (*bot.Form, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[userID+"\x00"+formID]
	return f, ok
}

// opener offers f to userID as a button whose custom_id opens the modal.
func (b *Bot) opener(userID string) formOpener {
	return func(f *bot.Form) string {
		id := cutUnits(f.ID, maxCustomID-len(formPrefix))
		b.forms.put(userID, id, f)
		return formPrefix + id
	}
}

// inflight counts running handlers so that Run returns only after they have
// sent their replies; once closing, new events are dropped.
type inflight struct {
	mu      sync.Mutex
	n       int
	closing bool
	idle    chan struct{}
}

func (f *inflight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return false
	}
	f.n++
	return true
}

func (f *inflight) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.closing && f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
}

// wait stops new handlers and waits for the running ones.
func (f *inflight) wait() {
	f.mu.Lock()
	f.closing = true
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	idle := make(chan struct{})
	f.idle = idle
	f.mu.Unlock()
	<-idle
}

// docs are the notices the knowledge base answers from ("" without one).
func (b *Bot) docs() string {
	if b.deps.Knowledge == nil {
		return ""
	}
	return b.deps.Knowledge.Scope().Docs()
}
