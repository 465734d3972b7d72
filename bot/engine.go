package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"huiqi/knowledge"
	"huiqi/ratelimit"
	"huiqi/sqlite"
)

// Deps is what the engine needs. Knowledge, Award, Tickets and DB are
// required; the rest have defaults.
type Deps struct {
	Knowledge Answerer
	Award     Questionnaire
	Tickets   Tickets
	DB        *sqlite.DB // conversation state (component "bot")
	Now       func() time.Time
	Log       *slog.Logger

	// IdleTimeout forgets a conversation idle this long (default 24h).
	IdleTimeout time.Duration
	// MaxInput is the longest message accepted, in characters (default 2000).
	MaxInput int
	// MaxMisses is how many bad answers to one question before the dialog
	// offers to skip it (default 3).
	MaxMisses int
	// SideScore is the knowledge score above which text that is not an
	// answer is treated as a side question in the award dialog (default 0.5).
	SideScore float64
	// PruneEvery runs the idle-state pruning every so many turns (default 1000).
	PruneEvery int
	// KeepIdle turns the pruning off: the clock is fixed for a
	// demonstration and must not delete real conversations.
	KeepIdle bool

	// RateLimit is how many typed messages one conversation key may send per
	// RateWindow (default 20 per 10s, as a burst that refills evenly); a
	// negative RateLimit turns the limit off. RateKeys bounds how many keys
	// the limiter remembers (default 10000). RateClock is the limiter's
	// clock (default time.Now): a real clock even when Now is fixed for a
	// demonstration, or a fixed clock would never refill the bucket.
	RateLimit  int
	RateWindow time.Duration
	RateKeys   int
	RateClock  func() time.Time

	// ActionLimit is how many actions (button presses, form submissions)
	// one conversation key may send per RateWindow (default 60: a person
	// pressing through the award questionnaire never meets it, a forged
	// flood does); negative turns it off.
	ActionLimit int

	// TicketLimit is how many tickets one source (Input.Source, or the
	// conversation when the channel gives none) may file per TicketWindow
	// (default 5 per hour, refilled evenly); negative turns it off. A new
	// conversation id shares its source's budget, so opening conversations
	// does not buy more tickets.
	TicketLimit  int
	TicketWindow time.Duration

	// Rand names each report's confirmation (default crypto/rand).
	Rand io.Reader
}

// Engine is the conversation engine. It is safe for concurrent use: turns
// of one conversation are serialised, different conversations run in
// parallel.
type Engine struct {
	d       Deps
	st      *store
	locks   [256]sync.Mutex
	turns   atomic.Int64
	rate    *ratelimit.Limiter // typed text per key; nil when off
	actions *ratelimit.Limiter // actions per key; nil when off
	filed   *ratelimit.Limiter // tickets per source; nil when off
	menu    string             // menuText of the knowledge base's scope
	lang    *language          // intents.json and followups.json
}

// New checks deps, migrates the "bot" tables and returns the engine.
// It takes no context (the adapters were written against this signature);
// the migration is quick and local, so it runs under context.Background.
func New(deps Deps) (*Engine, error) {
	ctx := context.Background()
	if deps.Knowledge == nil || deps.Award == nil || deps.Tickets == nil || deps.DB == nil {
		return nil, errors.New("bot: knowledge, award, tickets and db are required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.IdleTimeout <= 0 {
		deps.IdleTimeout = 24 * time.Hour
	}
	if deps.MaxInput <= 0 {
		deps.MaxInput = 2000
	}
	if deps.MaxMisses <= 0 {
		deps.MaxMisses = 3
	}
	if deps.SideScore <= 0 {
		deps.SideScore = 0.5
	}
	if deps.PruneEvery <= 0 {
		deps.PruneEvery = 1000
	}
	if deps.RateLimit == 0 {
		deps.RateLimit = 20
	}
	if deps.RateWindow <= 0 {
		deps.RateWindow = 10 * time.Second
	}
	if deps.RateKeys <= 0 {
		deps.RateKeys = 10000
	}
	if deps.RateClock == nil {
		deps.RateClock = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	if deps.ActionLimit == 0 {
		deps.ActionLimit = 60
	}
	if deps.TicketLimit == 0 {
		deps.TicketLimit = 5
	}
	if deps.TicketWindow <= 0 {
		deps.TicketWindow = time.Hour
	}
	lang, err := loadLanguage()
	if err != nil {
		return nil, err
	}
	if err := sqlite.Migrate(ctx, deps.DB, "bot", migrations); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	st, err := newStore(ctx, deps.DB, deps.IdleTimeout)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	e := &Engine{d: deps, st: st, menu: menuText(deps.Knowledge.Scope()), lang: lang}
	if deps.RateLimit > 0 {
		e.rate = ratelimit.PerWindow(deps.RateLimit, deps.RateWindow, deps.RateKeys, deps.RateClock)
	}
	if deps.ActionLimit > 0 {
		e.actions = ratelimit.PerWindow(deps.ActionLimit, deps.RateWindow, deps.RateKeys, deps.RateClock)
	}
	if deps.TicketLimit > 0 {
		e.filed = ratelimit.PerWindow(deps.TicketLimit, deps.TicketWindow, deps.RateKeys, deps.RateClock)
	}
	if _, err := e.Prune(ctx); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return e, nil
}

// Prune forgets conversations idle longer than the idle timeout.
func (e *Engine) Prune(ctx context.Context) (int64, error) {
	if e.d.KeepIdle {
		return 0, nil
	}
	return e.st.prune(ctx, e.d.Now())
}

// ActionStart is the action an adapter sends when a user opens the
// conversation (the terminal at start-up): a welcome, or "we continue"
// when a dialog is half done.
const ActionStart = "start"

// msgInternal is all a user ever sees of an internal failure.
const msgInternal = "系统出了点问题，请稍后再试。"

// msgRateLimited answers a user who sends faster than the rate limit.
const msgRateLimited = "您发送得太快了，请稍等几秒再发，谢谢您的耐心。"

// Handle runs one turn of the conversation key. It never returns an error
// for anything a user sends: bad input gets a Chinese reply, and so does a
// message past the rate limit. A non-nil error means the conversation could
// not be loaded or saved (the database); the replies then hold the apology
// to show.
func (e *Engine) Handle(ctx context.Context, key Key, in Input) (replies []Reply, err error) {
	defer func() {
		if r := recover(); r != nil {
			e.d.Log.Error("bot: panic in turn", "key", key.String(), "panic", r, "stack", string(debug.Stack()))
			replies, err = []Reply{{Text: msgInternal}}, nil
		}
	}()
	// The limit is checked before anything else, so a flood costs no
	// search or database work. Every input counts: typed text, even empty
	// or too long, in one bucket; actions in another, more generous one,
	// since an action id is only text a client sends (a forged button flood
	// is a flood) but a person pressing through the award questionnaire
	// sends many quickly. The refusal is private, so a flood in a public
	// channel is not answered in that channel.
	limit := e.rate
	if in.Action != "" {
		limit = e.actions
	}
	if !limit.Allow(key.String()) {
		return []Reply{{Text: msgRateLimited, Private: true}}, nil
	}
	in.Text = strings.TrimSpace(strings.ToValidUTF8(in.Text, ""))
	if in.Action == "" {
		if n := utf8.RuneCountInString(commandText(in.Text)); n > e.d.MaxInput {
			return []Reply{{Text: fmt.Sprintf("内容太长了（%d字），请精简到%d字以内再发送。", n, e.d.MaxInput)}}, nil
		}
	}
	for _, v := range in.Form {
		if utf8.RuneCountInString(v) > e.d.MaxInput {
			return []Reply{{Text: fmt.Sprintf("填写的内容太长了，每项请控制在%d字以内。", e.d.MaxInput)}}, nil
		}
	}

	k := key.String()
	mu := &e.locks[stripe(k)]
	mu.Lock()
	defer mu.Unlock()

	now := e.d.Now()
	st, version, err := e.st.load(ctx, k, now)
	if err != nil {
		e.d.Log.Error("bot: load conversation", "key", k, "err", err)
		return []Reply{{Text: msgInternal}}, err
	}
	t := &turn{e: e, ctx: ctx, key: key, st: &st, now: now, source: in.Source}
	if in.Action == "" {
		// Typing a choice's label is picking it, for channels without buttons.
		bare := strings.TrimRightFunc(in.Text, isPunct)
		for _, c := range st.Offered {
			if c.Label == bare {
				in = Input{Action: c.ID}
				break
			}
		}
	}
	replies = t.dispatch(in)
	st.Offered = nil
	for i := range replies {
		sanitize(&replies[i])
		for _, c := range replies[i].Choices {
			st.Offered = append(st.Offered, offered{ID: c.ID, Label: c.Label})
		}
	}
	st.Turns++
	conflict, err := e.st.save(ctx, k, st, version, now)
	if err != nil {
		e.d.Log.Error("bot: save conversation", "key", k, "err", err)
		return []Reply{{Text: msgInternal}}, err
	}
	if conflict {
		e.d.Log.Warn("bot: conversation changed by another process during the turn; this turn's state kept", "key", k)
	}
	if n := e.turns.Add(1); n%int64(e.d.PruneEvery) == 0 {
		if _, err := e.Prune(ctx); err != nil {
			e.d.Log.Warn("bot: prune", "err", err)
		}
	}
	return replies, nil
}

func stripe(k string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(k))
	return h.Sum32() % 256
}

// turn is one Handle call in progress.
type turn struct {
	e   *Engine
	ctx context.Context
	key Key
	st  *convState
	now time.Time
	// typed is the question typed in the turn before this one (or "").
	typed string
	// source is who is behind the conversation as the channel knows it.
	source string
}

// ticketBudget is the key tickets are counted under: the channel's source
// (a client address) when it gives one, else the conversation.
func (t *turn) ticketBudget() string {
	if t.source != "" {
		return t.key.Channel + "@" + t.source
	}
	return t.key.String()
}

// fail logs an internal error and returns the apology.
func (t *turn) fail(what string, err error) []Reply {
	t.e.d.Log.Error("bot: "+what, "key", t.key.String(), "err", err)
	return []Reply{{Text: msgInternal}}
}

// Choice ids. They are stable: adapters store them in buttons that may be
// pressed long after they were sent.
const (
	actAsk      = "cmd:ask"
	actAward    = "cmd:award"
	actReport   = "cmd:report"
	actTicket   = "cmd:ticket"
	actHelp     = "cmd:help"
	actCancel   = "cmd:cancel"
	actRecord   = "record"
	actPick     = "pick:" // + index into Offers
	actAnswer   = "award:ans:"
	actSkip     = "award:skip"
	actBack     = "award:back"
	actRestart  = "award:restart"
	actForm     = "report:form"
	actConfirm  = "report:confirm"
	actEdit     = "report:edit"
	actContinue = "award:continue"
)

func menuChoices() []Choice {
	return []Choice{
		{ID: actAsk, Label: "政策问答", Style: "primary"},
		{ID: actAward, Label: "算奖励"},
		{ID: actReport, Label: "反映问题"},
		{ID: actTicket, Label: "查进度"},
	}
}

// menuText says what the engine does; the notices it answers on come from
// the knowledge base's Scope, so an ingested notice is named too.
func menuText(s knowledge.Scope) string {
	covered := s.Names() + "措施"
	if d := s.Docs(); d != "" {
		covered = d + "的" + covered
	}
	return "我是惠企助手，可以帮您：\n" +
		"· 问答：解答" + s.Place + "惠企政策（" + covered + "）；\n" + menuRest
}

const menuRest = "· 算奖励：一问一答，测算企业可能拿到的奖励；\n" +
	"· 反映问题：生成工单，交给责任单位办理；\n" +
	"· 查进度：查询工单办理情况。\n" +
	"直接输入问题即可，例如“担保费率是多少？”。"

func (t *turn) menu(lead string) []Reply {
	text := t.e.menu
	if lead != "" {
		text = lead + "\n" + t.e.menu
	}
	return []Reply{{Text: text, Choices: menuChoices()}}
}

// dispatch routes the input to the command, the dialog in progress, or the
// question answerer.
func (t *turn) dispatch(in Input) []Reply {
	// The question typed just before is what a report started now is about;
	// anything else in between forgets it.
	t.typed, t.st.Typed = t.st.Typed, ""
	if in.Action != "" {
		return t.action(in)
	}
	if in.Text == "" {
		// Nothing typed keeps a value the report form already holds (直接回车沿用).
		if t.st.Mode == "report" && t.st.Report != nil && t.st.Report.Step != "confirm" {
			return t.reportText("")
		}
		return []Reply{{Text: "您还没有输入内容。可以直接输入问题，或选择下面的功能：", Choices: menuChoices()}}
	}
	if cmd, arg, ok := parseCommand(in.Text); ok {
		return t.command(cmd, arg)
	}
	switch t.st.Mode {
	case "award":
		return t.awardText(in.Text)
	case "report":
		return t.reportText(in.Text)
	}
	if it, ok := t.e.lang.matchIntent(in.Text, false); ok {
		return t.intent(it, in.Text)
	}
	if st, ok := t.e.d.Knowledge.SmallTalk(in.Text); ok {
		return t.smallTalk(st)
	}
	t.st.Typed = clip(in.Text, 500)
	return t.converse(in.Text)
}

// intent runs a menu action said in plain words outside a dialog.
func (t *turn) intent(it intent, text string) []Reply {
	switch it.action {
	case "report":
		// What the person typed before, and what they said with it (我要投诉
		// 窗口…), is the likely problem: it goes into the report.
		var parts []string
		if t.typed != "" {
			parts = append(parts, t.typed)
		}
		if it.rest != "" && utf8.RuneCountInString(it.rest) >= 2 {
			parts = append(parts, strings.TrimSpace(text))
		}
		return t.reportStartWith(strings.Join(parts, "\n"))
	case "restart":
		if strings.ContainsAny(text, "算测") {
			return t.awardStart() // 再算一次, 重新测算: a new award dialog
		}
		fallthrough
	case "back", "skip":
		words := map[string]string{"back": "上一步", "restart": "重新开始", "skip": "跳过"}[it.action]
		return []Reply{{Text: "现在没有正在进行的测算或表单，“" + words + "”用不上。可以直接提问，或选择下面的功能：", Choices: menuChoices()}}
	}
	return t.command(it.action, it.arg)
}

func (t *turn) action(in Input) []Reply {
	a := in.Action
	switch {
	case a == ActionStart:
		return t.start()
	case a == actAsk:
		return t.command("ask", "")
	case a == actAward:
		return t.command("award", "")
	case a == actReport:
		return t.command("report", "")
	case a == actTicket:
		return t.command("ticket", "")
	case a == actHelp:
		return t.command("help", "")
	case a == actCancel:
		return t.command("cancel", "")
	case a == actRecord:
		return t.record()
	case strings.HasPrefix(a, actPick):
		return t.pick(strings.TrimPrefix(a, actPick))
	case a == actContinue:
		return t.awardResume("我们继续：")
	case a == actSkip || a == actBack || a == actRestart || strings.HasPrefix(a, actAnswer):
		return t.awardAction(a)
	case a == actForm:
		return t.reportForm(in.Form)
	case a == actConfirm || strings.HasPrefix(a, actConfirm+":") || a == actEdit:
		return t.reportAction(a)
	}
	return t.menu("这个选项已经失效了，请重新选择：")
}

func (t *turn) start() []Reply {
	switch {
	case t.st.Mode == "award" && t.st.Award != nil:
		return t.awardResume("欢迎回来！上次的奖励测算还没做完，我们继续：")
	case t.st.Mode == "report" && t.st.Report != nil:
		return t.reportPrompt("欢迎回来！上次的问题反映还没提交，我们继续。")
	}
	return t.menu("您好，欢迎使用惠企助手！")
}

// command runs a slash or word command.
func (t *turn) command(cmd, arg string) []Reply {
	r := t.runCommand(cmd, arg)
	// Help or a ticket look-up in the middle of the award dialog leaves it
	// pending: offer the way back.
	if t.st.Mode == "award" && (cmd == "help" || cmd == "ticket") && len(r) > 0 {
		last := &r[len(r)-1]
		last.Choices = append(last.Choices, Choice{ID: actContinue, Label: "继续测算"})
	}
	return r
}

func (t *turn) runCommand(cmd, arg string) []Reply {
	switch cmd {
	case "help":
		return t.menu("")
	case "cancel":
		return t.cancel()
	case "ask":
		if arg == "" {
			return []Reply{{Text: "请直接输入您的问题，例如“小升规企业有什么奖励？”“担保费率是多少？”。"}}
		}
		if t.st.Mode == "award" {
			return t.sideQuestion(arg, true)
		}
		return t.converse(arg)
	case "award":
		return t.awardStart()
	case "report":
		return t.reportStart()
	case "ticket":
		return t.ticket(arg)
	case "back", "restart", "skip":
		if t.st.Mode == "award" && t.st.Award != nil {
			return t.awardAction(map[string]string{"back": actBack, "restart": actRestart, "skip": actSkip}[cmd])
		}
		return t.intent(intent{action: cmd}, "")
	case "notify", "notify-on", "notify-off":
		return t.notify(cmd, arg) // notify.go
	}
	return t.menu("")
}

func (t *turn) cancel() []Reply {
	was := t.st.Mode
	t.st.Mode = ""
	t.st.Offers = nil
	// Only the dialog in front of the user is cancelled: an award dialog
	// paused for a report can still be resumed with 算奖励.
	switch was {
	case "award":
		t.st.Award = nil
		return []Reply{{Text: "已取消奖励测算，刚才的回答已清除。还需要什么帮助？", Choices: menuChoices()}}
	case "report":
		t.st.Report = nil
		return []Reply{{Text: "已取消，问题没有提交。还需要什么帮助？", Choices: menuChoices()}}
	}
	return []Reply{{Text: "好的。还需要什么帮助？", Choices: menuChoices()}}
}

// smallTalk answers a greeting, thanks or goodbye with the lexicon's reply
// and what it says comes next.
func (t *turn) smallTalk(st knowledge.SmallTalk) []Reply {
	switch st.Then {
	case knowledge.AfterIntroduce:
		return t.menu(st.Reply)
	case knowledge.AfterEnd:
		return []Reply{{Text: st.Reply}}
	}
	return []Reply{{Text: st.Reply, Choices: menuChoices()}}
}
