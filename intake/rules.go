package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
)

//go:embed routing.json
var routingJSON []byte

// Rules is the routing data of routing.json.
type Rules struct {
	// Desk is the platform desk: the lead unit of DeskMeasure (ind-20).
	Desk        string `json:"desk"`
	DeskMeasure string `json:"desk_measure"`
	// EscalateTo is where overdue tickets are escalated (督办), shown as
	// EscalateLabel: the unit of EscalateMeasure (ind-17's task force).
	EscalateTo        string   `json:"escalate_to"`
	EscalateLabel     string   `json:"escalate_label"`
	EscalateMeasure   string   `json:"escalate_measure"`
	MinScore          float64  `json:"min_score"`
	CueWeight         float64  `json:"cue_weight"`
	ExtraPhraseWeight float64  `json:"extra_phrase_weight"`
	CloseRatio        float64  `json:"close_ratio"`
	MaxMeasures       int      `json:"max_measures"`
	TownNames         []string `json:"town_names"`
	OffTopic          []string `json:"off_topic"`
	Generic           struct {
		District []string `json:"district"`
		Town     []string `json:"town"`
		Streets  []string `json:"streets"`
	} `json:"generic"`
	Cues         []Cue     `json:"cues"`
	TopicUnits   []UnitCue `json:"topic_units"`
	UnitMentions []UnitCue `json:"unit_mentions"`
}

// Cue raises a measure when a problem description uses one of its phrases
// or matches one of its patterns.
type Cue struct {
	Measure string   `json:"measure"`
	Phrases []string `json:"phrases"`
	// Patterns are regular expressions for what phrases cannot say: a fee
	// charged under some name (收…费, 以…名义收), a promise of 招商 not kept
	// (招商…承诺…没兑现).
	Patterns []string `json:"patterns,omitempty"`
	patterns []*regexp.Regexp
	Unless   []string `json:"unless,omitempty"`
	// Demote lowers the measure by the weight when one of these is present
	// (电工 is not 电 supply: search matches the character, not the sense).
	Demote []string `json:"demote,omitempty"`
	Weight float64  `json:"weight,omitempty"`
}

// UnitCue names a concrete unit for a topic or a mention in the text.
type UnitCue struct {
	Unit    string   `json:"unit"`
	Phrases []string `json:"phrases"`
}

// LoadRules parses routing rules in the format of routing.json.
func LoadRules(r io.Reader) (*Rules, error) {
	var rules Rules
	if err := json.NewDecoder(r).Decode(&rules); err != nil {
		return nil, fmt.Errorf("intake: routing rules: %w", err)
	}
	if rules.Desk == "" || rules.EscalateTo == "" {
		return nil, fmt.Errorf("intake: routing rules: a desk and an escalation unit are required")
	}
	if rules.EscalateLabel == "" {
		rules.EscalateLabel = rules.EscalateTo
	}
	if rules.MaxMeasures <= 0 {
		rules.MaxMeasures = 3
	}
	if rules.CloseRatio <= 0 || rules.CloseRatio > 1 {
		rules.CloseRatio = 0.85
	}
	for i := range rules.Cues {
		c := &rules.Cues[i]
		if c.Measure == "" || len(c.Phrases)+len(c.Demote)+len(c.Patterns) == 0 {
			return nil, fmt.Errorf("intake: routing rules: cue without measure or phrases")
		}
		for _, p := range c.Patterns {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("intake: routing rules: cue for %s: pattern %q: %w", c.Measure, p, err)
			}
			c.patterns = append(c.patterns, re)
		}
	}
	return &rules, nil
}

// BuiltinRules are the embedded routing.json.
func BuiltinRules() (*Rules, error) { return LoadRules(bytes.NewReader(routingJSON)) }
