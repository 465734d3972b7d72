package eligibility

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"huiqi/internal/zhtext"
)

//go:embed questions.json
var questionsJSON []byte

// Question kinds: which parser reads the answer.
const (
	KindBool   = "bool"   // ParseYesNo
	KindGrowth = "growth" // ParsePercent, −100 or more
	KindRate   = "rate"   // ParsePercent, 0–100
	KindMoney  = "money"  // ParseMoney
	KindCount  = "count"  // ParseCount
	KindTitles = "titles" // ParseRecognitions
)

// Question is one question of the award questionnaire, for one profile field.
type Question struct {
	Field    string   `json:"field"` // profile field path, e.g. output_growth_pct.mar
	Kind     string   `json:"kind"`
	Text     string   `json:"question"`
	Help     string   `json:"help"`
	Accepted []string `json:"accepted"` // example answers the parser understands
	AskIf    []Cond   `json:"ask_if,omitempty"`
	Measures []string `json:"measures"`
}

// Cond is a condition on the answers so far; a list of them must all hold.
type Cond struct {
	Field string  `json:"field,omitempty"`
	Op    string  `json:"op,omitempty"` // true, not_true, given, gt, ge
	Value float64 `json:"value,omitempty"`
	Minus string  `json:"minus,omitempty"` // compare Field − Minus
	Any   []Cond  `json:"any,omitempty"`   // at least one holds
}

// Answers is the state of an award dialog: the profile so far and which
// questions were answered or skipped. It is plain data, stored as JSON.
type Answers struct {
	Profile  Profile  `json:"profile"`
	Answered []string `json:"answered,omitempty"`
	Skipped  []string `json:"skipped,omitempty"`
}

// Stake is what a remaining question stands to add, so the bot can say why
// it asks.
type Stake struct {
	Field     string   `json:"field"`
	Question  string   `json:"question"`
	UpTo      int64    `json:"up_to_yuan"`       // district money it may add at most
	UpToOther int64    `json:"up_to_other_yuan"` // city/province money it may add at most
	Why       string   `json:"why"`
	Measures  []string `json:"measures"`
}

var questions = sync.OnceValues(func() ([]Question, error) {
	var doc struct {
		Questions []Question `json:"questions"`
	}
	if err := json.Unmarshal(questionsJSON, &doc); err != nil {
		return nil, fmt.Errorf("decode questions: %w", err)
	}
	seen := map[string]bool{}
	for _, q := range doc.Questions {
		if seen[q.Field] {
			return nil, fmt.Errorf("question %s: duplicate field", q.Field)
		}
		seen[q.Field] = true
		if _, ok := profileFieldKind(q.Field); !ok {
			return nil, fmt.Errorf("question %s: unknown profile field", q.Field)
		}
		switch q.Kind {
		case KindBool, KindGrowth, KindRate, KindMoney, KindCount, KindTitles:
		default:
			return nil, fmt.Errorf("question %s: unknown kind %q", q.Field, q.Kind)
		}
		if err := checkConds(q.AskIf); err != nil {
			return nil, fmt.Errorf("question %s: %w", q.Field, err)
		}
	}
	return doc.Questions, nil
})

func checkConds(cs []Cond) error {
	for _, c := range cs {
		if len(c.Any) > 0 {
			if err := checkConds(c.Any); err != nil {
				return err
			}
			continue
		}
		if _, ok := profileFieldKind(c.Field); !ok {
			return fmt.Errorf("condition on unknown field %q", c.Field)
		}
		if c.Minus != "" {
			if _, ok := profileFieldKind(c.Minus); !ok {
				return fmt.Errorf("condition on unknown field %q", c.Minus)
			}
		}
		switch c.Op {
		case "true", "not_true", "given", "gt", "ge":
		default:
			return fmt.Errorf("unknown condition op %q", c.Op)
		}
	}
	return nil
}

// Questions returns the questionnaire in the order it is asked.
func Questions() []Question {
	qs, err := questions()
	if err != nil {
		return nil // the embedded questionnaire is checked by the tests
	}
	return slices.Clone(qs)
}

func question(field string) (Question, bool) {
	qs, _ := questions()
	for _, q := range qs {
		if q.Field == field {
			return q, true
		}
	}
	return Question{}, false
}

// tri is a three-valued truth: a condition on a question not yet asked is unknown.
type tri int

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// settled reports whether a field's value is final for skip logic: answered,
// skipped, or given in the profile some other way.
type settledFunc func(field string) bool

func (c Cond) eval(p Profile, settled settledFunc) tri {
	if len(c.Any) > 0 {
		out := triFalse
		for _, s := range c.Any {
			switch s.eval(p, settled) {
			case triTrue:
				return triTrue
			case triUnknown:
				out = triUnknown
			}
		}
		return out
	}
	fields := []string{c.Field}
	if c.Minus != "" {
		fields = append(fields, c.Minus)
	}
	for _, f := range fields {
		if !p.has(f) && !settled(f) {
			return triUnknown
		}
	}
	var ok bool
	switch c.Op {
	case "true":
		ok, _ = p.flag(c.Field)
	case "not_true":
		v, _ := p.flag(c.Field)
		ok = !v
	case "given":
		ok = p.has(c.Field)
	case "gt", "ge":
		v, has := p.number(c.Field)
		if c.Minus != "" {
			m, hasM := p.number(c.Minus)
			v, has = v-m, has && hasM
			v = round9(v)
		}
		ok = has && (v > c.Value || c.Op == "ge" && v >= c.Value)
	}
	if ok {
		return triTrue
	}
	return triFalse
}

func evalAll(cs []Cond, p Profile, settled settledFunc) tri {
	out := triTrue
	for _, c := range cs {
		switch c.eval(p, settled) {
		case triFalse:
			return triFalse
		case triUnknown:
			out = triUnknown
		}
	}
	return out
}

func (a Answers) done(field string) bool {
	return slices.Contains(a.Answered, field) || slices.Contains(a.Skipped, field)
}

// Next returns the next question to ask, or false when there is nothing left
// that could change the result. A question is skipped when its conditions
// (ask_if) do not hold: no growth questions for an enterprise that is not
// 规上, no procurement amount unless the rate rose by 5 points or more, and so on.
func Next(a Answers) (Question, bool) {
	qs, err := questions()
	if err != nil {
		return Question{}, false
	}
	// Walking in order, every condition refers to an earlier question, so an
	// unknown there means it was never asked: treat it as not holding.
	always := func(string) bool { return true }
	for _, q := range qs {
		if a.done(q.Field) || a.Profile.has(q.Field) {
			continue
		}
		if evalAll(q.AskIf, a.Profile, always) == triTrue {
			return q, true
		}
	}
	return Question{}, false
}

// Skip marks a question as skipped: its field stays unknown, which can only
// remove awards.
func Skip(a Answers, field string) Answers {
	a = a.clone()
	a.Answered = slices.DeleteFunc(a.Answered, func(f string) bool { return f == field })
	if !slices.Contains(a.Skipped, field) {
		a.Skipped = append(a.Skipped, field)
	}
	return a
}

func (a Answers) clone() Answers {
	b, err := json.Marshal(a)
	if err != nil {
		return a
	}
	var c Answers
	if json.Unmarshal(b, &c) != nil {
		return a
	}
	return c
}

// Apply parses an answer to the question for field and stores it. The
// error's message is the Chinese hint to show the person; "不知道" or
// "跳过" skips the question instead.
func Apply(a Answers, field, input string, now time.Time) (Answers, error) {
	q, ok := question(field)
	if !ok {
		return a, &AnswerError{Msg: "没有这个问题（" + field + "）。"}
	}
	var val any
	var err error
	switch q.Kind {
	case KindBool:
		val, err = ParseYesNo(input)
	case KindGrowth:
		var v float64
		v, err = ParsePercent(input)
		if err == nil && v < -100 {
			err = hint("产值同比下降不会超过100%，请再核对一下。")
		}
		val = v
	case KindRate:
		var v float64
		v, err = ParsePercent(input)
		if err == nil && (v < 0 || v > 100) {
			err = hint("本地配套率应在0到100%之间，例如“50%”。")
		}
		val = v
	case KindMoney:
		var v int64
		v, err = ParseMoney(input)
		val = float64(v)
	case KindCount:
		val, err = ParseCount(input)
	case KindTitles:
		val, err = ParseRecognitions(input, now)
	}
	if err != nil {
		if ae, ok := err.(*AnswerError); ok && ae.Unsure {
			return Skip(a, field), nil
		}
		return a, err
	}
	b := a.clone()
	if err := setField(&b.Profile, field, val); err != nil {
		return a, &AnswerError{Msg: "内部错误：无法保存这个回答。"}
	}
	b.Skipped = slices.DeleteFunc(b.Skipped, func(f string) bool { return f == field })
	if !slices.Contains(b.Answered, field) {
		b.Answered = append(b.Answered, field)
	}
	return b, nil
}

// setField stores v in the profile field at path, allocating on the way.
func setField(p *Profile, path string, v any) error {
	cur := reflect.ValueOf(p).Elem()
	parts := strings.Split(path, ".")
	for i, part := range parts {
		found := false
		for j := 0; j < cur.NumField(); j++ {
			if strings.Split(cur.Type().Field(j).Tag.Get("json"), ",")[0] == part {
				cur, found = cur.Field(j), true
				break
			}
		}
		if !found {
			return fmt.Errorf("unknown field %q", path)
		}
		if i < len(parts)-1 {
			if cur.Kind() == reflect.Pointer {
				if cur.IsNil() {
					cur.Set(reflect.New(cur.Type().Elem()))
				}
				cur = cur.Elem()
			}
			if cur.Kind() != reflect.Struct {
				return fmt.Errorf("field %q is not an object", path)
			}
		}
	}
	rv := reflect.ValueOf(v)
	if cur.Kind() == reflect.Pointer {
		if !rv.Type().ConvertibleTo(cur.Type().Elem()) {
			return fmt.Errorf("field %q: cannot store %T", path, v)
		}
		ptr := reflect.New(cur.Type().Elem())
		ptr.Elem().Set(rv.Convert(cur.Type().Elem()))
		cur.Set(ptr)
		return nil
	}
	if !rv.Type().AssignableTo(cur.Type()) {
		return fmt.Errorf("field %q: cannot store %T", path, v)
	}
	cur.Set(rv)
	return nil
}

// Stakes says, for each question still to come, the most it could add, by
// the rules that read its field and are not already ruled out by the answers.
func Stakes(a Answers) []Stake {
	qs, err := questions()
	if err != nil {
		return nil
	}
	t, err := Builtin()
	if err != nil {
		return nil
	}
	remaining := map[string]bool{}
	settled := func(f string) bool { return !remaining[f] }
	var rem []Question
	for _, q := range qs {
		if a.done(q.Field) || a.Profile.has(q.Field) {
			continue
		}
		if evalAll(q.AskIf, a.Profile, settled) == triFalse {
			continue
		}
		remaining[q.Field] = true
		rem = append(rem, q)
	}
	out := make([]Stake, 0, len(rem))
	for _, q := range rem {
		s := Stake{Field: q.Field, Question: q.Text, Measures: q.Measures}
		s.UpTo, s.UpToOther, s.Why = t.stake(q.Field, a, settled)
		out = append(out, s)
	}
	return out
}

// stake sums the most each live rule reading field could pay; of a
// 不重复奖励 group only the largest member counts.
func (t *Table) stake(field string, a Answers, settled settledFunc) (district, other int64, why string) {
	groupOf := map[string]string{}
	for _, g := range t.Groups {
		for _, m := range g.Members {
			groupOf[m] = g.ID
		}
	}
	groupMax := map[string]int64{}
	var names []string
	for _, r := range t.Rules {
		if !slices.Contains(r.fields(), field) || t.dead(r, a, settled) {
			continue
		}
		m := r.maxAmount()
		if m == 0 {
			continue
		}
		names = appendOnce(names, r.Ref+" "+r.Title)
		if g := groupOf[r.ID]; g != "" && r.Level == LevelDistrict {
			groupMax[g] = max(groupMax[g], m)
			continue
		}
		if r.Level == LevelDistrict {
			district += m
		} else {
			other += m
		}
	}
	for _, m := range groupMax {
		district += m
	}
	var parts []string
	if district > 0 {
		parts = append(parts, "最多可增加"+zhtext.FormatYuan(district)+"区级奖励")
	}
	if other > 0 {
		parts = append(parts, "最多可增加"+zhtext.FormatYuan(other)+"市级、省级奖励（不计入区级）")
	}
	if len(parts) == 0 {
		return 0, 0, "用于判断其他奖励是否适用"
	}
	return district, other, strings.Join(parts, "，") + "（" + strings.Join(names, "；") + "）"
}

// dead reports whether the answers already rule a rule out: a required
// yes/no field answered no or skipped.
func (t *Table) dead(r Rule, a Answers, settled settledFunc) bool {
	for _, f := range r.Requires {
		if v, _ := a.Profile.flag(f); !v && (settled(f) || a.Profile.has(f)) {
			return true
		}
	}
	return false
}

// fields lists the profile fields a rule reads.
func (r Rule) fields() []string {
	out := slices.Clone(r.Requires)
	switch r.Kind {
	case KindTiers:
		out = append(out, r.Metrics...)
	case KindFlag:
		out = append(out, r.Flag)
	case KindPerTitle:
		out = append(out, r.List)
	case KindStepsRate:
		out = append(out, r.Delta...)
		out = append(out, r.Base)
	case KindCrossing:
		out = append(out, r.Prev, r.Cur)
	case KindPercentOf:
		out = append(out, r.Field)
	}
	return out
}

// maxAmount is the most a rule can pay.
func (r Rule) maxAmount() int64 {
	var m int64
	switch r.Kind {
	case KindTiers:
		for _, t := range r.Tiers {
			m = max(m, t.Amount)
		}
	case KindCrossing:
		for _, t := range r.Thresholds {
			m = max(m, t.Amount)
		}
	case KindFlag:
		m = r.Amount
	case KindPerTitle:
		for _, v := range r.Amounts {
			m += v
		}
	case KindStepsRate, KindPercentOf:
		m = r.Cap
	}
	return m
}
