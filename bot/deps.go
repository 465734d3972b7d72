package bot

import (
	"context"
	"encoding/json"
	"time"

	"huiqi/intake"
	"huiqi/knowledge"
)

// Answerer answers a question from the knowledge base, recognises small
// talk with its reply, says what the loaded notices cover, and gives the
// measures themselves — their text, units, amounts, dates and parts — that
// follow-ups are answered from; *knowledge.Base is one.
type Answerer interface {
	Ask(q string, top int, now time.Time) knowledge.Answer
	SmallTalk(text string) (knowledge.SmallTalk, bool)
	Scope() knowledge.Scope
	Measures() []*knowledge.Measure
	Measure(ref string) (*knowledge.Measure, bool)
	Package(measureID string) (*knowledge.Package, bool)
	Notices() []*knowledge.Notice
	Lexicon(measureID string) *knowledge.LexEntry
	Validity(m *knowledge.Measure, now time.Time) knowledge.Validity
}

// Question is one question of the award questionnaire, as the engine shows it.
type Question struct {
	Field string
	Text  string
	Help  string
	// Kind is "bool", "choice", "number", "percent", "money", "year" or
	// another kind the questionnaire knows; bool and choice get buttons.
	Kind    string
	Choices []Option
}

// Option is one accepted answer of a choice question. Value is what the
// engine passes back to Apply when the user picks it.
type Option struct {
	Value string
	Label string
}

// Stake says what a remaining question may add to the award.
type Stake struct {
	Field string
	UpTo  int64 // yuan; 0 when the question only removes awards or is not money
	Why   string
}

// Questionnaire is the award dialog's questions (the eligibility package,
// adapted by package wire). The answers so far are opaque JSON that the
// engine stores with the conversation; nil means "nothing answered yet".
type Questionnaire interface {
	// Start is the answers of a new dialog on the day of now: which
	// notice's rules it is for (the one in force), nothing answered yet.
	Start(now time.Time) (json.RawMessage, error)
	// Next is the question to ask given the answers so far; false when done.
	Next(answers json.RawMessage) (Question, bool, error)
	// Apply records input as the answer to field, and says how it was taken
	// (not known, or an estimate with its note). A user mistake or a
	// question back is a *BadAnswer carrying the Chinese hint; any other
	// error is internal.
	Apply(answers json.RawMessage, field, input string, now time.Time) (json.RawMessage, Applied, error)
	// Skip leaves field unanswered and moves on.
	Skip(answers json.RawMessage, field string) (json.RawMessage, error)
	// Stakes says what each remaining question stands to add.
	Stakes(answers json.RawMessage) ([]Stake, error)
	// Report is the human award report for the answers.
	Report(answers json.RawMessage, now time.Time) (string, error)
}

// Applied says how an answer was taken.
type Applied struct {
	// Unknown: the person said they do not know; the field is left out
	// and listed in the report with what it could add.
	Unknown bool
	// Note says what an estimate or a range was taken as (按约2800万元计算，
	// 取下限), shown at once and again in the report.
	Note string
}

// BadAnswer is an answer the questionnaire could not accept; Hint is the
// Chinese explanation shown to the user. Question is set when the answer
// asks something back (不知道啥是专精特新): it is answered, then the
// question asked again.
type BadAnswer struct {
	Hint     string
	Question bool
}

func (b *BadAnswer) Error() string { return b.Hint }

// Tickets files and looks up tickets: the intake's store (*intake.Store
// satisfies it). A ticket the asker may not see is intake.ErrNotFound,
// exactly like one that does not exist.
type Tickets interface {
	File(ctx context.Context, nt intake.NewTicket) (intake.Ticket, error)
	// GetForReporter returns the ticket when reporterKey filed it or
	// secret is its code.
	GetForReporter(ctx context.Context, id, reporterKey, secret string) (intake.Ticket, error)
	ListByReporter(ctx context.Context, reporterKey string) ([]intake.Ticket, error)
	// RecordUnanswered keeps a question huiqi could not answer (text only).
	RecordUnanswered(ctx context.Context, q string) error
}
