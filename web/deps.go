package web

import (
	"context"
	"io"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/knowledge"
)

// Knowledge is what the web needs of the knowledge base; *knowledge.Base
// satisfies it.
type Knowledge interface {
	Ask(q string, top int, now time.Time) knowledge.Answer
	Measure(ref string) (*knowledge.Measure, bool)
	Measures() []*knowledge.Measure
	// Lexicon is a measure's lexicon entry (its amounts with their
	// conditions), nil when it has none.
	Lexicon(measureID string) *knowledge.LexEntry
	Unit(name string) knowledge.UnitResult
	// Validity says whether m is in force on the day of now.
	Validity(m *knowledge.Measure, now time.Time) knowledge.Validity
	// Scope says which notices huiqi answers from.
	Scope() knowledge.Scope
	AddQuestion(measureID, question string) error
}

// Awarder evaluates an enterprise profile read from r and returns the award
// object of awards.md. Bad profiles are errors implementing InvalidInput.
type Awarder interface {
	Award(r io.Reader) (any, error)
}

// Router routes an issue's text (*intake.Router satisfies it).
type Router interface {
	Route(text, location string) intake.Route
}

// Engine is the conversation engine (*bot.Engine satisfies it); web chat
// conversations are keyed web:<conversation id>.
type Engine interface {
	Handle(ctx context.Context, key bot.Key, in bot.Input) ([]bot.Reply, error)
}

// Tickets is the ticket store as the web uses it (*intake.Store satisfies
// it). A ticket that does not exist, or that the asker may not see, is
// intake.ErrNotFound; a move the workflow refuses is intake.ErrBadMove;
// bad input implements InvalidInput.
type Tickets interface {
	File(ctx context.Context, nt intake.NewTicket) (intake.Ticket, error)
	Get(ctx context.Context, id string) (intake.Ticket, error)
	// GetForReporter returns the ticket only when secret is the reporter's.
	GetForReporter(ctx context.Context, id, reporterKey, secret string) (intake.Ticket, error)
	// QueuePage is one page of unit's open work (lead or co-handling; ""
	// every unit's), overdue first, as keyset pages.
	QueuePage(ctx context.Context, unit string, p intake.Page) (intake.TicketPage, error)
	// Move makes a move with intake's default for its note (the reply and
	// the rating are told to the enterprise, other notes stay internal);
	// MoveWith gives what it is told and what stays internal apart.
	Move(ctx context.Context, id string, to intake.Status, by, note string) (intake.Ticket, error)
	MoveWith(ctx context.Context, id string, to intake.Status, by string, r intake.Remark) (intake.Ticket, error)
	// Reroute sends a ticket not yet accepted to other units.
	Reroute(ctx context.Context, id string, rt intake.Route, by, note string) (intake.Ticket, error)
	Stats(ctx context.Context) (intake.Stats, error)
}

// Questions is the log of questions huiqi could not answer (*intake.Store
// satisfies it): text only, no identity.
type Questions interface {
	// RecordUnansweredFrom keeps q, asked from origin (the client address
	// as the web names it, ip:ADDRESS): the same question from it again
	// within a day is not counted twice, and each distinct one counts
	// toward its daily count.
	RecordUnansweredFrom(ctx context.Context, q, reporterKey, origin string) error
	Unanswered(ctx context.Context) ([]intake.Unanswered, error)
	// UnansweredPage is one page of the review list, the most asked first.
	UnansweredPage(ctx context.Context, p intake.Page) (intake.QuestionPage, error)
	// ResolveUnanswered takes a question off the review list once staff
	// attached it to a measure.
	ResolveUnanswered(ctx context.Context, q, measureID string) error
}

// Move is one move the workflow allows from a ticket's status, as the
// console and the staff API show it to one user.
type Move struct {
	To intake.Status `json:"to"`
	// ByUnit is set on the moves the handling unit makes (签收, 退单, 办理,
	// 办结, 延期); the others are the desk's and the hotline's.
	ByUnit bool `json:"by_unit"`
	// Need says what the note must hold, for people (退单的原因, 答复内容).
	Need string `json:"need,omitempty"`
	// Extend is the extension (延期), which keeps the state and pushes the
	// deadline instead of moving the ticket.
	Extend bool `json:"extend,omitempty"`
}

// Question is an unanswered question waiting for review.
type Question struct {
	ID    string    `json:"id"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
	Count int       `json:"count,omitempty"`
}

// Stats are the dashboard's figures: intake's ticket counts and the
// questions asked.
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

// DailyCounts is the store's count of what one origin (a client address,
// ip:ADDRESS) filed today (China time): tickets filed with it as
// NewTicket.Origin and questions kept with RecordUnansweredFrom, for the
// per-address daily caps (*intake.Store satisfies it).
type DailyCounts interface {
	DailyCount(ctx context.Context, who string) (intake.Daily, error)
}
