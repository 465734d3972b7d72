package eligibility

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
// questions were answered or left unanswered. It is plain data, stored as
// JSON.
type Answers struct {
	// Notice is the rules table the dialog is for (its Notice; empty: the
	// built-in one).
	Notice   string   `json:"notice,omitempty"`
	Profile  Profile  `json:"profile"`
	Answered []string `json:"answered,omitempty"`
	// Skipped are the questions left without an answer: skipped, or (also
	// in Unsure) answered "不知道". The report lists them with what they
	// could add.
	Skipped []string `json:"skipped,omitempty"`
	Unsure  []string `json:"unsure,omitempty"`
	// Estimates say, per field, what was taken from an estimate or a range
	// (“大概两千八九百万吧”按约2800万元计，取下限): the report shows them.
	Estimates map[string]string `json:"estimates,omitempty"`
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

// checkQuestions templates and checks the questionnaire of t: every
// field it asks is declared, every kind is known, every condition names a
// declared field; the questions name the policy year (2023年), never 今年.
func (t *Table) checkQuestions() error {
	years := strings.NewReplacer("{year}", strconv.Itoa(t.PolicyYear), "{prev_year}", strconv.Itoa(t.PolicyYear-1))
	seen := map[string]bool{}
	for i := range t.Questions {
		q := &t.Questions[i]
		q.Text, q.Help = years.Replace(q.Text), years.Replace(q.Help)
		if strings.Contains(q.Text+q.Help, "今年") || strings.Contains(q.Text+q.Help, "{") {
			return fmt.Errorf("question %s: says 今年 or an unknown placeholder; name the policy year ({year})", q.Field)
		}
		if seen[q.Field] {
			return fmt.Errorf("question %s: duplicate field", q.Field)
		}
		seen[q.Field] = true
		f, ok := t.field(q.Field)
		if !ok {
			return fmt.Errorf("question %s: field not declared", q.Field)
		}
		want := map[string]string{CheckBool: KindBool, CheckGrowth: KindGrowth, CheckRate: KindRate, CheckMoney: KindMoney,
			CheckCount: KindCount, CheckTitles: KindTitles}[f.Check]
		if q.Kind != want {
			return fmt.Errorf("question %s: kind %q, but the field is checked as %s (kind %q)", q.Field, q.Kind, f.Check, want)
		}
		if err := t.checkConds(q.AskIf); err != nil {
			return fmt.Errorf("question %s: %w", q.Field, err)
		}
	}
	return nil
}

func (t *Table) checkConds(cs []Cond) error {
	for _, c := range cs {
		if len(c.Any) > 0 {
			if err := t.checkConds(c.Any); err != nil {
				return err
			}
			continue
		}
		if _, ok := t.field(c.Field); !ok {
			return fmt.Errorf("condition on unknown field %q", c.Field)
		}
		if c.Minus != "" {
			if _, ok := t.field(c.Minus); !ok {
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

// Questions returns the built-in questionnaire in the order it is asked.
func Questions() []Question {
	t, err := Builtin()
	if err != nil {
		return nil // the embedded questionnaire is checked by the tests
	}
	return slices.Clone(t.Questions)
}

func question(field string) (Question, bool) {
	t, err := Builtin()
	if err != nil {
		return Question{}, false
	}
	return t.question(field)
}

func (t *Table) question(field string) (Question, bool) {
	for _, q := range t.Questions {
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
	t, err := Builtin()
	if err != nil {
		return Question{}, false
	}
	return t.Next(a)
}

// Next is the next question of t's questionnaire (see the package-level Next).
func (t *Table) Next(a Answers) (Question, bool) {
	qs := t.Questions
	// Walking in order, every condition refers to an earlier question, so an
	// unknown there means it was never asked: treat it as not holding.
	always := func(string) bool { return true }
	answered := func(f string) bool { return a.done(f) || a.Profile.has(f) }
	var paid *paidNow
	for _, q := range qs {
		if a.done(q.Field) || a.Profile.has(q.Field) {
			continue
		}
		if evalAll(q.AskIf, a.Profile, always) != triTrue {
			continue
		}
		// Asked only when the answer can change the result given the
		// answers so far: 小升规 is not asked when the growth award it
		// would replace (不重复奖励) already pays more.
		if paid == nil {
			paid = t.paid(a.Profile)
		}
		if d, o := t.gain(q.Field, a, answered, paid); d == 0 && o == 0 {
			continue
		}
		return q, true
	}
	return Question{}, false
}

// Skip marks a question as skipped: its field stays unknown, which can only
// remove awards, and the report lists it with what it could add.
func Skip(a Answers, field string) Answers {
	a = a.clone()
	a.Answered = slices.DeleteFunc(a.Answered, func(f string) bool { return f == field })
	delete(a.Estimates, field)
	if !slices.Contains(a.Skipped, field) {
		a.Skipped = append(a.Skipped, field)
	}
	return a
}

// unsureOf records field as answered "不知道".
func unsureOf(a Answers, field string) Answers {
	a = Skip(a, field)
	if !slices.Contains(a.Unsure, field) {
		a.Unsure = append(a.Unsure, field)
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
// error's message is the Chinese hint to show the person (a question back,
// 不知道啥是专精特新, matches ErrQuestion); "不知道" records the field as
// not known instead, and an estimate (大概两千八九百万吧) is stored as its
// lower bound with a note the report shows.
func Apply(a Answers, field, input string, now time.Time) (Answers, error) {
	t, err := Builtin()
	if err != nil {
		return a, err
	}
	return t.Apply(a, field, input, now)
}

// Apply records an answer to a question of t's questionnaire.
func (t *Table) Apply(a Answers, field, input string, now time.Time) (Answers, error) {
	q, ok := t.question(field)
	if !ok {
		return a, &AnswerError{Msg: "没有这个问题（" + field + "）。"}
	}
	r, err := t.parseAnswer(q.Kind, input, now)
	if err == nil {
		switch v := r.Value.(type) {
		case float64:
			switch {
			case q.Kind == KindGrowth && v < -100:
				err = hint("产值同比下降不会超过100%，请再核对一下。")
			case q.Kind == KindRate && (v < 0 || v > 100):
				err = hint("本地配套率应在0到100%之间，例如“50%”。")
			}
		}
	}
	if err != nil {
		if errors.Is(err, ErrUnsure) {
			return unsureOf(a, field), nil
		}
		return a, err
	}
	b := a.clone()
	b.Profile = b.Profile.with(field, r.Value)
	b.Skipped = slices.DeleteFunc(b.Skipped, func(f string) bool { return f == field })
	b.Unsure = slices.DeleteFunc(b.Unsure, func(f string) bool { return f == field })
	delete(b.Estimates, field)
	if r.Estimate {
		if b.Estimates == nil {
			b.Estimates = map[string]string{}
		}
		b.Estimates[field] = estimateNote(q, r)
	}
	if !slices.Contains(b.Answered, field) {
		b.Answered = append(b.Answered, field)
	}
	return b, nil
}

// estimateNote says what an estimate was taken as: 您说“大概两千八九百万吧”，
// 按约2800万元计算（取下限）.
func estimateNote(q Question, r Reading) string {
	var v string
	switch x := r.Value.(type) {
	case float64:
		if q.Kind == KindMoney {
			v = zhtext.FormatYuan(floorYuan(x))
		} else {
			v = num(x) + "%"
		}
	case int:
		v = strconv.Itoa(x) + "年"
	case bool:
		v = map[bool]string{true: "“是”", false: "“否”"}[x]
		return "您说“" + clipRunes(r.Said, 30) + "”，按" + v + "计算"
	}
	return "您说“" + clipRunes(r.Said, 30) + "”，按约" + v + "计算（取下限）"
}

func clipRunes(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

// Stakes says, for each question still to come, the most its answer could
// add to what the answers so far already earn: the rules that read its
// field and are not ruled out, less what they (or the awards of a
// 不重复奖励 group they belong to) pay already.
func Stakes(a Answers) []Stake {
	t, err := Builtin()
	if err != nil {
		return nil
	}
	return t.Stakes(a)
}

// Stakes is Stakes for t's questionnaire.
func (t *Table) Stakes(a Answers) []Stake {
	qs := t.Questions
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
	paid := t.paid(a.Profile)
	answered := func(f string) bool { return a.done(f) || a.Profile.has(f) }
	out := make([]Stake, 0, len(rem))
	for _, q := range rem {
		s := Stake{Field: q.Field, Question: q.Text, Measures: q.Measures}
		s.UpTo, s.UpToOther = t.gain(q.Field, a, answered, paid)
		if s.UpTo == 0 && s.UpToOther == 0 {
			continue // its answer cannot change the result
		}
		s.Why = t.why(q.Field, a, answered, s.UpTo, s.UpToOther)
		out = append(out, s)
	}
	return out
}

// DialogReport is the report at the end of a dialog: the awards of the
// profile, what was taken from estimates, and the questions left without an
// answer with what they could add.
func DialogReport(a Answers, now time.Time) Report {
	t, err := Builtin()
	if err != nil {
		return Evaluate(a.Profile, now)
	}
	return t.DialogReport(a, now)
}

// DialogReport is DialogReport for t.
func (t *Table) DialogReport(a Answers, now time.Time) Report {
	rep := t.Evaluate(a.Profile, now)
	for _, q := range t.Questions {
		if note, ok := a.Estimates[q.Field]; ok {
			rep.Estimates = append(rep.Estimates, t.label(q.Field)+"："+note)
		}
	}
	for _, s := range t.UnansweredStakes(a) {
		rep.Unanswered = append(rep.Unanswered, Unanswered{Field: s.Field, Question: s.Question, Unsure: slices.Contains(a.Unsure, s.Field),
			UpTo: s.UpTo, UpToOther: s.UpToOther, Why: s.Why})
	}
	return rep
}

// UnansweredStakes lists the questions left without an answer (skipped, or
// answered "不知道") with what an answer could still add, for the report.
func (t *Table) UnansweredStakes(a Answers) []Stake {
	paid := t.paid(a.Profile)
	answered := func(f string) bool { return a.Profile.has(f) || slices.Contains(a.Answered, f) }
	var out []Stake
	for _, f := range a.Skipped {
		q, ok := t.question(f)
		if !ok {
			continue
		}
		s := Stake{Field: f, Question: q.Text, Measures: q.Measures}
		s.UpTo, s.UpToOther = t.gain(f, a, answered, paid)
		s.Why = t.why(f, a, answered, s.UpTo, s.UpToOther)
		out = append(out, s)
	}
	return out
}

// paidNow is what a profile earns now, per rule and per 不重复奖励 group.
type paidNow struct {
	rule  map[string]int64
	group map[string]int64
}

func (t *Table) paid(p Profile) *paidNow {
	rep := t.Evaluate(p, time.Time{})
	out := &paidNow{rule: map[string]int64{}, group: map[string]int64{}}
	for _, it := range rep.Items {
		out.rule[it.Rule] += it.AmountYuan
	}
	for _, g := range t.Groups {
		for _, m := range g.Members {
			out.group[g.ID] += out.rule[m]
		}
	}
	return out
}

// gain is the most an answer to field could add, district and other levels.
func (t *Table) gain(field string, a Answers, settled settledFunc, paid *paidNow) (district, other int64) {
	groupOf := map[string]string{}
	for _, g := range t.Groups {
		for _, m := range g.Members {
			groupOf[m] = g.ID
		}
	}
	groupMax := map[string]int64{}
	for _, r := range t.Rules {
		if !slices.Contains(r.fields(), field) || t.dead(r, a, settled) {
			continue
		}
		m := r.maxAmount()
		if m == 0 {
			continue
		}
		if g := groupOf[r.ID]; g != "" && r.Level == t.local() {
			groupMax[g] = max(groupMax[g], m)
			continue
		}
		add := max(0, m-paid.rule[r.ID])
		if r.Level == t.local() {
			district += add
		} else {
			other += add
		}
	}
	for g, m := range groupMax {
		district += max(0, m-paid.group[g])
	}
	return district, other
}

// otherLevels names the levels above the notice's own.
func (t *Table) otherLevels() string {
	switch t.local() {
	case LevelCity:
		return "省级"
	case LevelProvince:
		return "国家级"
	}
	return "市级、省级"
}

// why says in words what a question stands to add and by which awards.
func (t *Table) why(field string, a Answers, settled settledFunc, district, other int64) string {
	var names []string
	for _, r := range t.Rules {
		if slices.Contains(r.fields(), field) && !t.dead(r, a, settled) && r.maxAmount() > 0 {
			names = appendOnce(names, r.Ref+" "+r.Title)
		}
	}
	var parts []string
	local := zhtext.LevelName(t.local())
	if district > 0 {
		parts = append(parts, "最多可增加"+zhtext.FormatYuan(district)+local+"奖励")
	}
	if other > 0 {
		parts = append(parts, "最多可增加"+zhtext.FormatYuan(other)+t.otherLevels()+"奖励（不计入"+local+"）")
	}
	if len(parts) == 0 {
		return "按目前的回答，这一项已不会改变测算结果"
	}
	return strings.Join(parts, "，") + "（" + strings.Join(names, "；") + "）"
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
