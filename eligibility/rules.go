package eligibility

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"huiqi/internal/zhtext"
)

//go:embed rules.json
var rulesJSON []byte

// Levels of an award: who pays it.
const (
	LevelDistrict = "district" // 区级, from 区中小企业发展专项资金
	LevelCity     = "city"
	LevelProvince = "province"
)

// Rule kinds: the general shapes of the awards in the notice. A new package
// of measures adds rows of these kinds to the table, not code.
const (
	KindTiers     = "tiers"              // the largest of some metrics against descending thresholds
	KindFlag      = "flag"               // a fixed amount when a yes/no field is yes
	KindPerTitle  = "per_title"          // an amount per distinct title recognised since a year
	KindStepsRate = "steps_rate"         // whole steps of a rise in a rate, times a base, times a rate, capped
	KindCrossing  = "threshold_crossing" // the highest threshold crossed between last year's best and this year
	KindPercentOf = "percent_of"         // a percentage of a field, capped
	KindMention   = "mention"            // no amount in the text: a note, nothing computed
	KindBenefit   = "benefit"            // a non-cash benefit listed in every report
)

// Table is the award rules of one notice's packages of measures, read from
// data: the profile fields its rules read (Fields), the titles a titles
// field may list, the rules, the 不重复奖励 groups and the questionnaire
// that fills the profile. It is immutable once loaded and safe for
// concurrent use. A new notice is a new table: rows of the general kinds,
// no Go.
type Table struct {
	Notice     string `json:"notice"` // the 文号, or the notice's name when it has none
	Package    string `json:"package"`
	Issued     string `json:"issued"`
	PolicyYear int    `json:"policy_year"`
	Deciders   string `json:"deciders"`
	// LocalLevel is the level of the notice's own government (district
	// for a 区 notice, city for a 市's): its awards make the local total
	// (district_total_yuan of awards.md), the others are reported apart.
	LocalLevel string `json:"local_level,omitempty"`
	// LocalFunding is where the local awards are paid from, when the
	// notice says (区中小企业发展专项资金).
	LocalFunding string     `json:"local_funding,omitempty"`
	Fields       []Field    `json:"fields"`
	Titles       []Title    `json:"titles,omitempty"`
	Rules        []Rule     `json:"rules"`
	Groups       []Group    `json:"groups,omitempty"`
	Questions    []Question `json:"questions,omitempty"`

	byField map[string]Field
}

// Title is one title a titles field may list: its code in a profile, its
// name in a report, and the ways people say it in an answer.
type Title struct {
	Code string   `json:"code"`
	Name string   `json:"name"`
	Say  []string `json:"say"`
}

// Rule is one row of the table: one award (or benefit) of one measure.
type Rule struct {
	ID         string   `json:"id"`
	Measure    string   `json:"measure"`
	Ref        string   `json:"ref"` // how people cite it: 二十条第2条
	Title      string   `json:"title"`
	Level      string   `json:"level,omitempty"`
	Funding    string   `json:"funding,omitempty"`
	Units      string   `json:"units,omitempty"`
	Kind       string   `json:"kind"`
	Requires   []string `json:"requires,omitempty"` // yes/no fields that must all be yes
	Condition  string   `json:"condition,omitempty"`
	Formula    string   `json:"formula,omitempty"`
	Assumption string   `json:"assumption,omitempty"`
	Clause     string   `json:"clause"` // the exact sentence of the notice

	// tiers
	Metrics    []string `json:"metrics,omitempty"`
	MetricUnit string   `json:"metric_unit,omitempty"`
	AllAbove   *float64 `json:"all_above,omitempty"` // every metric strictly above this
	Tiers      []Tier   `json:"tiers,omitempty"`     // tiers and thresholds: "以上" includes Min
	// flag
	Flag   string `json:"flag,omitempty"`
	Amount int64  `json:"amount,omitempty"`
	// per_title; MaxYear bounds the year too (当年评为: min and max the
	// policy year)
	List    string           `json:"list,omitempty"`
	MinYear int              `json:"min_year,omitempty"`
	MaxYear int              `json:"max_year,omitempty"`
	Amounts map[string]int64 `json:"amounts,omitempty"`
	// steps_rate
	Delta   []string `json:"delta,omitempty"` // [current, previous]
	Step    float64  `json:"step,omitempty"`
	Base    string   `json:"base,omitempty"`
	RatePct float64  `json:"rate_pct,omitempty"`
	Cap     int64    `json:"cap,omitempty"` // also percent_of; 0 means no cap
	// threshold_crossing
	Prev       string `json:"prev,omitempty"`
	Cur        string `json:"cur,omitempty"`
	Thresholds []Tier `json:"thresholds,omitempty"`
	// percent_of, mention
	Field string  `json:"field,omitempty"`
	Pct   float64 `json:"pct,omitempty"`
	// mention, benefit
	Text string `json:"text,omitempty"`
}

// Tier is a threshold and the amount it earns.
type Tier struct {
	Min    float64 `json:"min"`
	Amount int64   `json:"amount"`
}

// Group is a set of awards of which only one is paid (不重复奖励): the larger,
// and on a tie the one listed first.
type Group struct {
	ID         string   `json:"id"`
	Members    []string `json:"members"`  // rule ids in order of preference on a tie
	Keep       string   `json:"keep"`     // "larger"
	Tie        string   `json:"tie"`      // "first"
	TieText    string   `json:"tie_text"` // how a tie is settled, in words
	Clause     string   `json:"clause"`
	Assumption string   `json:"assumption"`
}

var builtin = sync.OnceValues(func() (*Table, error) {
	t, err := decodeTable(strings.NewReader(string(rulesJSON)))
	if err != nil {
		return nil, err
	}
	// The built-in questionnaire is its own file, read beside the rules.
	var doc struct {
		Questions []Question `json:"questions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(questionsJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode questions: %w", err)
	}
	t.Questions = doc.Questions
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
})

// Builtin returns the embedded rules of 城政办发〔2023〕5号.
func Builtin() (*Table, error) { return builtin() }

// LoadTable reads and checks a rules table: every field its rules and
// questions name is declared with a check and a label, every kind has its
// parameters, every title is declared, every group names real rules.
func LoadTable(r io.Reader) (*Table, error) {
	t, err := decodeTable(r)
	if err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

func decodeTable(r io.Reader) (*Table, error) {
	var t Table
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	if t.LocalLevel == "" {
		t.LocalLevel = LevelDistrict
	}
	return &t, nil
}

// local is the level of the notice's own awards.
func (t *Table) local() string { return t.LocalLevel }

func (t *Table) field(path string) (Field, bool) {
	f, ok := t.byField[path]
	return f, ok
}

// fieldsUnder lists the names one level below path ("" the top): the
// fields and the objects that hold fields.
func (t *Table) fieldsUnder(path string) []string {
	var out []string
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	for _, f := range t.Fields {
		rest, ok := strings.CutPrefix(f.Name, prefix)
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, ".")
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func (t *Table) title(code string) (Title, bool) {
	for _, x := range t.Titles {
		if x.Code == code {
			return x, true
		}
	}
	return Title{}, false
}

// TitleName is how a report names a title (its code when unknown).
func (t *Table) TitleName(code string) string {
	if x, ok := t.title(code); ok {
		return x.Name
	}
	return code
}

// titleList lists the titles for an error message: code name、….
func (t *Table) titleList() string {
	var parts []string
	for _, x := range t.Titles {
		parts = append(parts, x.Code+" "+x.Name)
	}
	return strings.Join(parts, "、")
}

func (t *Table) check() error {
	t.byField = map[string]Field{}
	for _, f := range t.Fields {
		switch f.Check {
		case CheckBool, CheckMoney, CheckRate, CheckGrowth, CheckCount, CheckTitles:
		default:
			return fmt.Errorf("field %q: unknown check %q", f.Name, f.Check)
		}
		if f.Name == "" || f.Label == "" || strings.Trim(f.Name, ".") != f.Name || strings.Contains(f.Name, "..") {
			return fmt.Errorf("field %q: a name and a label are required", f.Name)
		}
		if _, dup := t.byField[f.Name]; dup {
			return fmt.Errorf("field %q: declared twice", f.Name)
		}
		t.byField[f.Name] = f
	}
	for name := range t.byField {
		// A field cannot also be the object of others (a and a.b).
		for other := range t.byField {
			if strings.HasPrefix(other, name+".") {
				return fmt.Errorf("field %q is also an object of %q", name, other)
			}
		}
	}
	codes := map[string]bool{}
	for _, x := range t.Titles {
		if x.Code == "" || x.Name == "" || codes[x.Code] {
			return fmt.Errorf("title %q: missing or duplicate code, or no name", x.Code)
		}
		codes[x.Code] = true
	}
	switch t.LocalLevel {
	case LevelDistrict, LevelCity, LevelProvince:
	default:
		return fmt.Errorf("unknown local level %q", t.LocalLevel)
	}
	ids := map[string]bool{}
	for _, r := range t.Rules {
		if r.ID == "" || ids[r.ID] {
			return fmt.Errorf("rule %q: missing or duplicate id", r.ID)
		}
		ids[r.ID] = true
		if r.Measure == "" || r.Title == "" || r.Clause == "" || r.Ref == "" {
			return fmt.Errorf("rule %s: measure, ref, title and clause are required", r.ID)
		}
		fields := append([]string{}, r.Requires...)
		switch r.Kind {
		case KindTiers:
			if len(r.Metrics) == 0 || len(r.Tiers) == 0 {
				return fmt.Errorf("rule %s: tiers needs metrics and tiers", r.ID)
			}
			for i := 1; i < len(r.Tiers); i++ {
				if r.Tiers[i].Min >= r.Tiers[i-1].Min {
					return fmt.Errorf("rule %s: tiers must descend", r.ID)
				}
			}
			fields = append(fields, r.Metrics...)
		case KindFlag:
			if r.Flag == "" || r.Amount <= 0 {
				return fmt.Errorf("rule %s: flag needs flag and amount", r.ID)
			}
			fields = append(fields, r.Flag)
		case KindPerTitle:
			if f, ok := t.field(r.List); !ok || f.Check != CheckTitles || len(r.Amounts) == 0 {
				return fmt.Errorf("rule %s: per_title needs a titles field as list, and amounts", r.ID)
			}
			for title := range r.Amounts {
				if _, ok := t.title(title); !ok {
					return fmt.Errorf("rule %s: unknown title %q", r.ID, title)
				}
			}
			fields = append(fields, r.List)
		case KindStepsRate:
			if len(r.Delta) != 2 || r.Step <= 0 || r.Base == "" || r.RatePct <= 0 {
				return fmt.Errorf("rule %s: steps_rate needs delta, step, base and rate_pct", r.ID)
			}
			fields = append(fields, r.Delta[0], r.Delta[1], r.Base)
		case KindCrossing:
			if r.Prev == "" || r.Cur == "" || len(r.Thresholds) == 0 {
				return fmt.Errorf("rule %s: threshold_crossing needs prev, cur and thresholds", r.ID)
			}
			fields = append(fields, r.Prev, r.Cur)
		case KindPercentOf:
			if r.Field == "" || r.Pct <= 0 {
				return fmt.Errorf("rule %s: percent_of needs field and pct", r.ID)
			}
			fields = append(fields, r.Field)
		case KindMention, KindBenefit:
			if r.Text == "" {
				return fmt.Errorf("rule %s: %s needs text", r.ID, r.Kind)
			}
		default:
			return fmt.Errorf("rule %s: unknown kind %q", r.ID, r.Kind)
		}
		if r.Kind != KindMention && r.Kind != KindBenefit {
			switch r.Level {
			case LevelDistrict, LevelCity, LevelProvince:
			default:
				return fmt.Errorf("rule %s: unknown level %q", r.ID, r.Level)
			}
		}
		for _, f := range fields {
			if _, ok := t.field(f); !ok {
				return fmt.Errorf("rule %s: profile field %q is not declared in fields", r.ID, f)
			}
		}
	}
	for _, g := range t.Groups {
		if g.Keep != "larger" || g.Tie != "first" || len(g.Members) < 2 {
			return fmt.Errorf("group %s: only keep=larger, tie=first with two or more members is supported", g.ID)
		}
		for _, m := range g.Members {
			if !ids[m] {
				return fmt.Errorf("group %s: unknown rule %q", g.ID, m)
			}
		}
	}
	return t.checkQuestions()
}

func (t *Table) label(field string) string {
	if f, ok := t.field(field); ok {
		return f.Label
	}
	return field
}

// RulesFor lists the rows of a measure (e.g. "ind-03"), in table order, for
// showing a measure's awards beside its text.
func (t *Table) RulesFor(measure string) []Rule {
	var out []Rule
	for _, r := range t.Rules {
		if r.Measure == measure {
			out = append(out, r)
		}
	}
	return out
}

// Set is the rules tables loaded: the built-in notice's first, then those
// of other notices, each from its reviewed data file. It is immutable and
// safe for concurrent use.
type Set struct {
	tables []*Table
}

// NewSet is the built-in table and extra ones. Two tables of one notice
// are refused.
func NewSet(extra ...*Table) (*Set, error) {
	b, err := Builtin()
	if err != nil {
		return nil, err
	}
	s := &Set{tables: []*Table{b}}
	for _, t := range extra {
		if _, dup := s.Table(t.Notice); dup {
			return nil, fmt.Errorf("rules for %q loaded twice", t.Notice)
		}
		s.tables = append(s.tables, t)
	}
	return s, nil
}

// Tables lists the tables, the built-in one first.
func (s *Set) Tables() []*Table { return slices.Clone(s.tables) }

// Table finds the table of a notice ("" is the built-in one).
func (s *Set) Table(notice string) (*Table, bool) {
	if notice == "" {
		return s.tables[0], true
	}
	for _, t := range s.tables {
		if t.Notice == notice {
			return t, true
		}
	}
	return nil, false
}

// InForce is the table a new award dialog uses on the day of now: of the
// notices whose policy year has not ended, the one issued last; when every
// policy year has ended, the built-in notice's (its report then says so).
func (s *Set) InForce(now time.Time) *Table {
	year := now.In(zhtext.China()).Year()
	var best *Table
	for _, t := range s.tables {
		if t.PolicyYear >= year && (best == nil || t.Issued > best.Issued) {
			best = t
		}
	}
	if best == nil {
		return s.tables[0]
	}
	return best
}
