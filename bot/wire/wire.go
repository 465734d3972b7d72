// Package wire connects the conversation engine (package bot) to huiqi's
// domain packages: the knowledge base answers, the eligibility
// questionnaire runs the award dialog, and the intake files tickets. It
// owns the adapters between them; opening the database and choosing what
// to wire is the command line's (package cli), never this package's.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"huiqi/bot"
	"huiqi/eligibility"
	"huiqi/intake"
	"huiqi/sqlite"
)

// NewEngine returns the conversation engine over db: it answers from
// base (a *knowledge.Base, or the *knowledge.Live a server reloads), files
// tickets in tickets and runs the award dialog with the eligibility
// questionnaire (the built-in rules, unless deps.Award is a Questionnaire
// over more tables). deps may set the engine's limits; its Knowledge,
// Tickets, DB, Now and Log are set here.
func NewEngine(db *sqlite.DB, base bot.Answerer, tickets *intake.Store, now func() time.Time, log *slog.Logger, deps bot.Deps) (*bot.Engine, error) {
	if base == nil || tickets == nil {
		return nil, errors.New("wire: a knowledge base and a ticket store are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if deps.Award == nil {
		deps.Award = Questionnaire{}
	}
	deps.Knowledge, deps.Tickets = base, tickets
	deps.DB, deps.Now, deps.Log = db, now, log
	return bot.New(deps)
}

// Questionnaire adapts the eligibility package to bot.Questionnaire. Its
// Set holds the rules tables of the notices loaded (nil: the built-in one):
// a new dialog uses the table of the notice in force, and a dialog keeps
// its table to the end (Answers.Notice).
type Questionnaire struct {
	Set *eligibility.Set
}

// table is the rules table a dialog's answers are for.
func (q Questionnaire) table(a eligibility.Answers) (*eligibility.Table, error) {
	if q.Set == nil {
		return eligibility.Builtin()
	}
	t, ok := q.Set.Table(a.Notice)
	if !ok {
		return nil, fmt.Errorf("award dialog for %q: no rules table loaded for that notice", a.Notice)
	}
	return t, nil
}

// Start implements bot.Questionnaire: a new dialog is for the notice in force.
func (q Questionnaire) Start(now time.Time) (json.RawMessage, error) {
	var a eligibility.Answers
	if q.Set != nil {
		if t := q.Set.InForce(now); t != q.Set.Tables()[0] {
			a.Notice = t.Notice
		}
	}
	return encode(a)
}

func decode(raw json.RawMessage) (eligibility.Answers, error) {
	var a eligibility.Answers
	if len(raw) == 0 || string(raw) == "null" {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("decode award answers: %w", err)
	}
	return a, nil
}

func encode(a eligibility.Answers) (json.RawMessage, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode award answers: %w", err)
	}
	return b, nil
}

// Next implements bot.Questionnaire.
func (qn Questionnaire) Next(raw json.RawMessage) (bot.Question, bool, error) {
	a, err := decode(raw)
	if err != nil {
		return bot.Question{}, false, err
	}
	t, err := qn.table(a)
	if err != nil {
		return bot.Question{}, false, err
	}
	q, ok := t.Next(a)
	if !ok {
		return bot.Question{}, false, nil
	}
	return bot.Question{Field: q.Field, Text: q.Text, Help: q.Help, Kind: q.Kind}, true, nil
}

// Apply implements bot.Questionnaire; the parsers' hints become *bot.BadAnswer.
func (qn Questionnaire) Apply(raw json.RawMessage, field, input string, now time.Time) (json.RawMessage, bot.Applied, error) {
	a, err := decode(raw)
	if err != nil {
		return nil, bot.Applied{}, err
	}
	t, err := qn.table(a)
	if err != nil {
		return nil, bot.Applied{}, err
	}
	b, err := t.Apply(a, field, input, now)
	if err != nil {
		var ae *eligibility.AnswerError
		if errors.As(err, &ae) {
			return nil, bot.Applied{}, &bot.BadAnswer{Hint: ae.Msg, Question: ae.Question}
		}
		return nil, bot.Applied{}, fmt.Errorf("apply answer: %w", err)
	}
	out, err := encode(b)
	return out, bot.Applied{Unknown: slices.Contains(b.Unsure, field), Note: b.Estimates[field]}, err
}

// Skip implements bot.Questionnaire.
func (qn Questionnaire) Skip(raw json.RawMessage, field string) (json.RawMessage, error) {
	a, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return encode(eligibility.Skip(a, field))
}

// Stakes implements bot.Questionnaire.
func (qn Questionnaire) Stakes(raw json.RawMessage) ([]bot.Stake, error) {
	a, err := decode(raw)
	if err != nil {
		return nil, err
	}
	t, err := qn.table(a)
	if err != nil {
		return nil, err
	}
	var out []bot.Stake
	for _, s := range t.Stakes(a) {
		out = append(out, bot.Stake{Field: s.Field, UpTo: s.UpTo, Why: s.Why})
	}
	return out, nil
}

// Report implements bot.Questionnaire.
func (qn Questionnaire) Report(raw json.RawMessage, now time.Time) (string, error) {
	a, err := decode(raw)
	if err != nil {
		return "", err
	}
	t, err := qn.table(a)
	if err != nil {
		return "", err
	}
	return t.DialogReport(a, now).Text(), nil
}
