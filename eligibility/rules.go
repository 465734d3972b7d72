package eligibility

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
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

// Table is the award rules of one or more packages of measures, read from
// data. It is immutable once loaded and safe for concurrent use.
type Table struct {
	Notice     string            `json:"notice"`
	Package    string            `json:"package"`
	Issued     string            `json:"issued"`
	PolicyYear int               `json:"policy_year"`
	Deciders   string            `json:"deciders"`
	Labels     map[string]string `json:"labels"`
	Titles     map[string]string `json:"titles"`
	Rules      []Rule            `json:"rules"`
	Groups     []Group           `json:"groups"`
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
	// per_title
	List    string           `json:"list,omitempty"`
	MinYear int              `json:"min_year,omitempty"`
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
	return LoadTable(strings.NewReader(string(rulesJSON)))
})

// Builtin returns the embedded rules of 城政办发〔2023〕5号.
func Builtin() (*Table, error) { return builtin() }

// LoadTable reads and checks a rules table: every field it names exists in
// Profile, every kind has its parameters, every group names real rules.
func LoadTable(r io.Reader) (*Table, error) {
	var t Table
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Table) check() error {
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
			if r.List != "first_recognitions" || len(r.Amounts) == 0 {
				return fmt.Errorf("rule %s: per_title needs list first_recognitions and amounts", r.ID)
			}
			for title := range r.Amounts {
				if !validTitle(title) || t.Titles[title] == "" {
					return fmt.Errorf("rule %s: unknown title %q", r.ID, title)
				}
			}
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
			if _, ok := profileFieldKind(f); !ok {
				return fmt.Errorf("rule %s: unknown profile field %q", r.ID, f)
			}
			if t.Labels[f] == "" {
				return fmt.Errorf("rule %s: field %q has no label", r.ID, f)
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
	return nil
}

// profileFieldKind reports the Go kind behind a profile field path such as
// "output_growth_pct.jan_feb", by the JSON tags of Profile, so the table can
// name any field of the profile without code per field.
func profileFieldKind(path string) (reflect.Kind, bool) {
	v, ok := lookupValue(reflect.ValueOf(Profile{}), path, true)
	if !ok {
		return reflect.Invalid, false
	}
	return v.Type().Kind(), true
}

// fieldPaths maps every dotted JSON path of Profile to its field indexes,
// computed once: the evaluator looks fields up by the names in the table.
var fieldPaths = sync.OnceValue(func() map[string][]int {
	out := map[string][]int{}
	var walk func(t reflect.Type, prefix string, idx []int)
	walk = func(t reflect.Type, prefix string, idx []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			path := join(prefix, name)
			at := append(slices.Clone(idx), i)
			out[path] = at
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, path, at)
			}
		}
	}
	walk(reflect.TypeFor[Profile](), "", nil)
	return out
})

// lookupValue follows a dotted JSON path through the profile v. With types
// set, it walks the types even through nil pointers (for checking the table).
func lookupValue(v reflect.Value, path string, types bool) (reflect.Value, bool) {
	idx, ok := fieldPaths()[path]
	if !ok {
		return reflect.Value{}, false
	}
	for _, i := range idx {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !types {
					return reflect.Value{}, false
				}
				v = reflect.New(v.Type().Elem()).Elem()
				continue
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if types {
				return reflect.New(v.Type().Elem()).Elem(), true
			}
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	return v, true
}

// number returns a numeric field of the profile; ok is false when it is not given.
func (p Profile) number(path string) (float64, bool) {
	v, ok := lookupValue(reflect.ValueOf(p), path, false)
	if !ok {
		return 0, false
	}
	switch v.Kind() {
	case reflect.Float64:
		return v.Float(), true
	case reflect.Int:
		return float64(v.Int()), true
	}
	return 0, false
}

// flag returns a yes/no field of the profile; known is false when not given.
func (p Profile) flag(path string) (val, known bool) {
	v, ok := lookupValue(reflect.ValueOf(p), path, false)
	if !ok || v.Kind() != reflect.Bool {
		return false, false
	}
	return v.Bool(), true
}

// has reports whether a field is given at all.
func (p Profile) has(path string) bool {
	v, ok := lookupValue(reflect.ValueOf(p), path, false)
	if !ok {
		return false
	}
	if v.Kind() == reflect.Slice {
		return v.Len() > 0
	}
	return true
}

func (t *Table) label(field string) string {
	if l := t.Labels[field]; l != "" {
		return l
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
