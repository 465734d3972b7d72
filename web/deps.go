package web

import (
	"context"
	"io"
	"time"

	"huiqi/bot"
	"huiqi/knowledge"
)

// Knowledge is what the web needs of the knowledge base; *knowledge.Base
// satisfies it.
type Knowledge interface {
	Ask(q string, top int, now time.Time) knowledge.Answer
	Measure(ref string) (*knowledge.Measure, bool)
	Measures() []*knowledge.Measure
	Unit(name string) knowledge.UnitResult
	AddQuestion(measureID, question string) error
}

// Awarder evaluates an enterprise profile read from r and returns the award
// object of awards.md. Bad profiles are errors implementing InvalidInput.
type Awarder interface {
	Award(r io.Reader) (any, error)
}

// Router returns the route object of cli.md for an issue's text.
type Router interface {
	Route(text, location string) any
}

// Chatter runs one turn of the conversation engine for a web conversation.
type Chatter interface {
	Chat(ctx context.Context, conversation string, in bot.Input) ([]bot.Reply, error)
}

// Backend is the ticket store and the unanswered-questions log, as the web
// sees them. Not-found errors wrap ErrNotFound, refused moves ErrBadMove,
// bad input implements InvalidInput.
type Backend interface {
	// File stores a new ticket and returns it with its secret.
	File(ctx context.Context, t NewTicket) (Ticket, error)
	// Get returns a ticket with everything staff may see.
	Get(ctx context.Context, id string) (Ticket, error)
	// GetWithSecret returns the ticket only when secret is the reporter's.
	GetWithSecret(ctx context.Context, id, secret string) (Ticket, error)
	// Queue lists the tickets of unit (lead or co-handling); "" lists all.
	Queue(ctx context.Context, unit string) ([]Ticket, error)
	// Move moves a ticket to the next status.
	Move(ctx context.Context, id, to, by, note string) (Ticket, error)
	// Reroute sends a ticket not yet accepted to other units.
	Reroute(ctx context.Context, id, lead string, co []string, by, note string) (Ticket, error)
	// RecordUnanswered keeps a question huiqi could not answer (text only).
	RecordUnanswered(ctx context.Context, question string) error
	// Unanswered lists the questions waiting for review.
	Unanswered(ctx context.Context) ([]Question, error)
	// Attach stores question as a way of asking measureID (persistently)
	// and marks the unanswered question id reviewed.
	Attach(ctx context.Context, questionID, measureID, question string) error
	// Stats counts tickets by unit and status.
	Stats(ctx context.Context) (Stats, error)
	// Ping answers when the database does.
	Ping(ctx context.Context) error
}

// NewTicket is an issue to file.
type NewTicket struct {
	Text       string
	Enterprise string
	Contact    string
	Channel    string // 网站, 热线
	Location   string
	Reporter   string // who filed it: a conversation key or a staff name
}

// Ticket is one ticket; its JSON is the `ticket` object of cli.md (plus the
// report fields). Enterprise details are tagged so the public lookup can
// leave them out.
type Ticket struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	LeadUnit string   `json:"lead_unit"`
	CoUnits  []string `json:"co_units"`
	Measures []string `json:"measures"`
	Mode     string   `json:"mode"`
	Due      string   `json:"due"`
	// DueEstimated: Due was counted over days the reviewed calendar lacks.
	DueEstimated bool      `json:"due_estimated"`
	Overdue      bool      `json:"overdue"`
	CreatedAt    time.Time `json:"created_at"`
	Events       []Event   `json:"events"`
	// Reply is the unit's answer to the enterprise, once closed.
	Reply string `json:"reply,omitempty"`

	// Secret is set only on the ticket File returns.
	Secret string `json:"secret,omitempty"`

	// Staff-only details.
	Text       string `json:"-"`
	Enterprise string `json:"-"`
	Contact    string `json:"-"`
	Channel    string `json:"-"`
	Next       []Move `json:"-"` // the moves the workflow allows next
	CanReroute bool   `json:"-"` // no unit has accepted it yet
}

// Move is one move the workflow allows from a ticket's status.
type Move struct {
	To string `json:"to"`
	// ByUnit is set on the moves the handling unit makes (签收, 退单, 办理,
	// 办结, 延期); the others are the desk's and the hotline's.
	ByUnit bool `json:"by_unit"`
	// Need says what the note must hold, for people (退单的原因, 答复内容).
	Need string `json:"need,omitempty"`
}

// Event is one entry of a ticket's history.
type Event struct {
	At     time.Time `json:"at"`
	From   string    `json:"from,omitempty"`
	Status string    `json:"status"`
	By     string    `json:"by"`
	Note   string    `json:"note"`
}

// Question is an unanswered question waiting for review.
type Question struct {
	ID    string    `json:"id"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
	Count int       `json:"count,omitempty"`
}

// Stats are the dashboard's ticket figures.
type Stats struct {
	// ByUnit maps a unit to its counts by status.
	ByUnit  map[string]map[string]int `json:"by_unit"`
	Overdue int                       `json:"overdue"`
	Total   int                       `json:"total"`
	// Escalated counts tickets escalated (督办) for being overdue.
	Escalated int `json:"escalated"`
	// PendingReview counts distinct unanswered questions awaiting review.
	PendingReview int `json:"pending_review"`
	// Answered and Unanswered count questions asked (all channels) when the
	// backend knows them; the web adds its own /api/ask counts otherwise.
	Answered   int `json:"answered"`
	Unanswered int `json:"unanswered"`
}
