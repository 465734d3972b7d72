package knowledge

// CONTRACT STUB written by the lead: the search helper owns this file and
// replaces the bodies; the exported names and signatures below are what other
// packages code against. Fields may be added, none removed or renamed.

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Result is one ranked measure for a query.
type Result struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Score   float64  `json:"score"` // calibrated confidence in [0,1]
	Units   []string `json:"units"`
	Snippet string   `json:"snippet"` // the sentence that answers the query
	// Ref is how people cite the measure: 二十条第3条.
	Ref string `json:"ref"`
	// Amounts are the money and figures the measure carries, as people write
	// them (2万元, 0.8%, 300万元以下), from the lexicon.
	Amounts []string `json:"amounts,omitempty"`
	// Validity is a human line about dates: in force / passed, computed from
	// the clock given to Ask; empty from Search.
	Validity string   `json:"validity,omitempty"`
	Expired  bool     `json:"expired,omitempty"`
	Measure  *Measure `json:"-"`
}

// Answer is the reply to a question (the `ask` object of cli.md).
type Answer struct {
	Answered bool     `json:"answered"`
	Results  []Result `json:"results"`
	Text     string   `json:"answer"`
	// Ambiguous is set when the top two are too close to choose: Text then
	// asks "您问的是 A 还是 B?" and Results[0:2] are the two.
	Ambiguous bool `json:"ambiguous,omitempty"`
}

// UnitResult is the `unit` object of cli.md.
type UnitResult struct {
	Unit       string   `json:"unit"`
	Aliases    []string `json:"aliases,omitempty"`
	Measures   []string `json:"measures"`
	Candidates []string `json:"candidates"`
}

// Base is the searchable knowledge base. It is safe for concurrent use.
type Base struct{}

// Builtin is the base of the embedded official notice and lexicon.
func Builtin() (*Base, error) { return nil, errors.New("knowledge: not implemented") }

// LoadBase is Builtin plus the notices ingested into db and the questions
// staff attached to measures (db may be nil).
func LoadBase(ctx context.Context, db *sql.DB) (*Base, error) {
	return nil, errors.New("knowledge: not implemented")
}

// Ask answers a question; now decides which dates have passed.
func (b *Base) Ask(q string, top int, now time.Time) Answer { return Answer{} }

// Search ranks measures for a query (used by routing).
func (b *Base) Search(q string, top int) []Result { return nil }

// Measure finds a measure by id (ind-03) or citation (二十条第3条).
func (b *Base) Measure(ref string) (*Measure, bool) { return nil, false }

// Measures lists every measure, builtin first.
func (b *Base) Measures() []*Measure { return nil }

// Notices lists the parsed notices, builtin first.
func (b *Base) Notices() []*Notice { return nil }

// Unit finds a responsible unit by partial name, variant or pinyin initials.
func (b *Base) Unit(name string) UnitResult { return UnitResult{} }

// AddQuestion attaches a question to a measure in memory, effective at once
// (persisting it is the caller's job, see SaveQuestion).
func (b *Base) AddQuestion(measureID, question string) error {
	return errors.New("knowledge: not implemented")
}
