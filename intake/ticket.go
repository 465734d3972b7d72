package intake

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"huiqi/internal/lazyre"
)

// Config is the intake's configuration.
type Config struct {
	// Deadlines are the working-day limits; the limits left at zero are
	// deadlines.json's.
	Deadlines Deadlines
	// Calendar of working days; default the builtin one.
	Calendar *Calendar
	// Router routes tickets filed without a route; may be nil (then such a
	// ticket goes to the desk).
	Router *Router
	// Rules name the platform desk and the escalation unit (routing.json);
	// default the Router's, else the builtin ones.
	Rules *Rules
	// Rand is the source of the reporters' secret codes; default crypto/rand.
	Rand io.Reader
	// Log receives operator messages; default discards.
	Log *slog.Logger
	// DuplicateWindow is how long the same text from one reporter (key or
	// address) is folded into the open ticket it first filed; default
	// DefaultDuplicateWindow.
	DuplicateWindow time.Duration
}

// NewTicket is an issue to file.
type NewTicket struct {
	Text       string
	Enterprise string // the enterprise's name, if given
	Contact    string // how to reach the reporter, if given
	Location   string // the enterprise's address or locality, if known
	// Channel: 线上 (web, chat, Discord), 线下 (at the desk) or 热线
	// (hotline staff filing on a caller's behalf); default 线上.
	Channel string
	// ReporterKey is the reporter's conversation key (e.g. "discord:1234"):
	// the reporter sees the ticket through it without the secret.
	ReporterKey string
	// Origin is where a public filing came from, as the web names it
	// (ip:ADDRESS), in the namespace of reporter keys: the same text from
	// it is folded, and it is counted for DailyCount. "" for staff filings.
	// Only a hash is kept.
	Origin string
	// By is who filed it (hotline staff name); default 企业.
	By string
	// Route is where it goes; nil routes it with Config.Router.
	Route *Route
	// Key names this filing (a form's hidden key, an Idempotency-Key, a
	// chat's confirm button), scoped by the caller to whoever sends it:
	// filing again with the same key and the same content files nothing and
	// returns the first ticket, secret included (Ticket.Replayed); with
	// other content it is ErrKeyReused. "" files every time.
	Key string
}

// Event is one entry of a ticket's history; never edited or deleted.
type Event struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // file, move, reroute, extend, escalate, reopen
	From   Status    `json:"from,omitempty"`
	Status Status    `json:"status"`
	// By is who made it: a staff sign-in name, the enterprise, 系统.
	By string `json:"by"`
	// Unit is the unit on whose behalf it was made (the desk, the handling
	// unit, 系统): what the enterprise sees instead of By.
	Unit string `json:"unit,omitempty"`
	// Note is what the enterprise is told (the reply, its rating, a new
	// deadline); Internal is the staff's remark, which it never sees.
	Note     string `json:"note"`
	Internal string `json:"internal,omitempty"`
}

// Event kinds.
const (
	KindFile     = "file"
	KindMove     = "move"
	KindReroute  = "reroute"
	KindExtend   = "extend"
	KindEscalate = "escalate"
	KindReopen   = "reopen"
)

// Summary is what everyone who may see a ticket sees of it, the reporting
// enterprise included: its state, units, deadline and reply. Ticket and
// PublicTicket both carry it, so the two views cannot drift apart.
type Summary struct {
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	LeadUnit string   `json:"lead_unit"`
	CoUnits  []string `json:"co_units"`
	Measures []string `json:"measures"`
	Mode     string   `json:"mode"`
	Due      Date     `json:"due"` // the close deadline
	// DueEstimated: Due was counted over days the reviewed holiday
	// calendar lacks (see Calendar.Deadline).
	DueEstimated bool      `json:"due_estimated"`
	Overdue      bool      `json:"overdue"` // computed when read
	Reply        string    `json:"reply,omitempty"`
	Rating       string    `json:"rating,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Ticket is a filed issue with its history. Its JSON is the operator's
// view (the `ticket` object of cli.md plus everything the platform keeps);
// what an enterprise may see is Public().
type Ticket struct {
	Summary
	Matched     bool     `json:"matched"`
	Flags       []string `json:"flags,omitempty"`
	Unresolved  []string `json:"unresolved,omitempty"`
	Confidence  float64  `json:"confidence"`
	SignDue     Date     `json:"sign_due"`     // the sign deadline
	SignOverdue bool     `json:"sign_overdue"` // not signed by SignDue (computed when read)
	// SignDueEstimated: SignDue was counted over days the reviewed
	// calendar lacks.
	SignDueEstimated bool      `json:"sign_due_estimated,omitempty"`
	Escalated        bool      `json:"escalated"`
	EscalatedTo      string    `json:"escalated_to,omitempty"`
	ExtendDays       int       `json:"extended_days,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
	Text             string    `json:"text"`
	Enterprise       string    `json:"enterprise"`
	Contact          string    `json:"contact"`
	Location         string    `json:"location,omitempty"`
	Channel          string    `json:"channel"`
	ReporterKey      string    `json:"-"`
	// Secret is the reporter's code, set only on the ticket File returns
	// (the store keeps a hash): show it once.
	Secret string `json:"secret,omitempty"`
	// Duplicate is set on the ticket File returns when the same reporter
	// filed the same text within Config.DuplicateWindow: this is that
	// ticket, nothing new was filed, and there is no Secret.
	Duplicate bool    `json:"duplicate,omitempty"`
	Events    []Event `json:"events"`
	// Replayed is set on the ticket File returns for a key that had filed
	// it before: nothing new was filed.
	Replayed bool `json:"-"`
}

// PublicTicket is what the reporting enterprise sees of its ticket: status,
// deadlines, the units and the history with what staff chose to tell it,
// but not who reported it, how to reach them, who on the staff acted (only
// their unit) nor any internal note.
type PublicTicket struct {
	Summary
	Events []PublicEvent `json:"events"`
}

// Receipt is what the reporter is handed when the ticket is filed: the
// public view and, this once, the secret code to look it up with.
type Receipt struct {
	PublicTicket
	Secret string `json:"secret,omitempty"`
	// Duplicate: the reporter had filed the same text; this is that ticket.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Receipt is the reporter's receipt of a ticket File returned.
func (t Ticket) Receipt() Receipt {
	return Receipt{PublicTicket: t.Public(), Secret: t.Secret, Duplicate: t.Duplicate}
}

// PublicEvent is an event as the enterprise sees it: By is the unit that
// acted, Note what it was told.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	By     string    `json:"by"`
	Note   string    `json:"note"`
}

// Public is the enterprise's view of the ticket.
func (t Ticket) Public() PublicTicket {
	p := PublicTicket{Summary: t.Summary, Events: make([]PublicEvent, 0, len(t.Events))}
	p.CoUnits, p.Measures = nonNil(t.CoUnits), nonNil(t.Measures)
	for _, e := range t.Events {
		p.Events = append(p.Events, PublicEvent{At: e.At, Status: e.Status, By: e.Unit, Note: e.Note})
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The channels an issue comes in by (ind-20: 线上、线下、热线).
const (
	ChannelOnline  = "线上" // the web, the chat, Discord, WeChat
	ChannelOffline = "线下" // at the desk
	ChannelHotline = "热线" // hotline staff filing on a caller's behalf
)

// idRe is a ticket id: the day and 8 random digits (more on a very busy
// day), or 4 digits and more by count as ids were before.
var idRe = lazyre.New(`^CQ-\d{8}-\d{4,12}$`)

// ParseID normalises a ticket id as a person types it (cq-20261127-48213957,
// with spaces) and checks its form.
func ParseID(s string) (string, error) {
	id := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !idRe.MatchString(id) {
		return "", fmt.Errorf("%w: 工单号格式应为 CQ-年月日-编号,如 CQ-20261127-48213957", ErrInvalid)
	}
	return id, nil
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
