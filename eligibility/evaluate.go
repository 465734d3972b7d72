package eligibility

import (
	"fmt"
	"slices"
	"time"

	"huiqi/internal/zhtext"
)

// Report is the `award` object of awards.md, plus what a person needs to
// check it: the arithmetic, the awards left out and why, non-cash benefits.
type Report struct {
	Items                []Item     `json:"items"`
	DistrictTotalYuan    int64      `json:"district_total_yuan"`
	OtherLevelsTotalYuan int64      `json:"other_levels_total_yuan"`
	Notes                []string   `json:"notes"`
	Excluded             []Excluded `json:"excluded"`
	Benefits             []Benefit  `json:"benefits"`
	Assumptions          []string   `json:"assumptions"` // the readings that changed this result
	Notice               string     `json:"notice"`
	PolicyYear           int        `json:"policy_year"`
	Issued               string     `json:"issued"`
	// AsOf is the day the estimate was made (the clock), and
	// PolicyYearEnded whether the policy year, and with it its application
	// windows, is over by then: the report is then an estimate of what that
	// policy paid, not money available today.
	AsOf            string `json:"as_of,omitempty"`
	PolicyYearEnded bool   `json:"policy_year_ended"`
	// Deciders decide the actual award (区工信局、区中小企业发展中心).
	Deciders string `json:"deciders,omitempty"`
	// LocalLevel is the level of the notice's own awards, those in
	// district_total_yuan (district for the built-in notice); LocalFunding
	// where they are paid from, and OtherLevels how the rest is named.
	LocalLevel   string `json:"local_level"`
	LocalFunding string `json:"local_funding,omitempty"`
	OtherLevels  string `json:"other_levels,omitempty"`
	// Estimates and Unanswered come from a dialog: what was taken from an
	// estimate, and the questions left without an answer with what they
	// could add.
	Estimates  []string     `json:"estimates,omitempty"`
	Unanswered []Unanswered `json:"unanswered,omitempty"`
}

// Unanswered is a question of the dialog left without an answer.
type Unanswered struct {
	Field     string `json:"field"`
	Question  string `json:"question"`
	Unsure    bool   `json:"unsure"` // answered "不知道" (else skipped)
	UpTo      int64  `json:"up_to_yuan"`
	UpToOther int64  `json:"up_to_other_yuan"`
	Why       string `json:"why"`
}

// Item is one award the profile is likely due.
type Item struct {
	Measure    string   `json:"measure"`
	Title      string   `json:"title"`
	Level      string   `json:"level"`
	AmountYuan int64    `json:"amount_yuan"`
	Basis      string   `json:"basis"` // the quoted clause
	Notes      []string `json:"notes"`
	Rule       string   `json:"rule"`
	Ref        string   `json:"ref"` // 二十条第2条
	Funding    string   `json:"funding,omitempty"`
	Units      string   `json:"units,omitempty"` // 责任单位 of the measure
	Arithmetic string   `json:"arithmetic"`
}

// Excluded is an award the profile touched but does not get, and why.
type Excluded struct {
	Measure string `json:"measure"`
	Rule    string `json:"rule"`
	Ref     string `json:"ref"`
	Title   string `json:"title"`
	Reason  string `json:"reason"`
}

// Benefit is a non-cash measure that may apply; it depends on eligibility the
// profile does not record.
type Benefit struct {
	Measure   string `json:"measure"`
	Ref       string `json:"ref"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Condition string `json:"condition"`
	Units     string `json:"units,omitempty"`
	Basis     string `json:"basis"`
}

// Evaluate applies the built-in rules to a profile; now (in China) says
// whether the policy year has ended (zero: not said).
func Evaluate(p Profile, now time.Time) Report {
	t, err := Builtin()
	if err != nil {
		// The embedded table is checked by the tests; this is unreachable
		// unless the binary was built from a broken table.
		return Report{Items: []Item{}, Notes: []string{"内部错误：奖励规则表无法读取 (" + err.Error() + ")"},
			Excluded: []Excluded{}, Benefits: []Benefit{}, Assumptions: []string{}}
	}
	return t.Evaluate(p, now)
}

// outcome is what one rule makes of a profile.
type outcome struct {
	rule       Rule
	title      string
	amount     int64
	arithmetic string
	notes      []string
	assumed    bool   // the rule's assumption shaped the amount
	excluded   string // why a touched rule pays nothing
}

// Evaluate applies the table to a profile; now (in China) says whether the
// policy year has ended (zero: not said).
func (t *Table) Evaluate(p Profile, now time.Time) Report {
	rep := Report{
		Items: []Item{}, Notes: []string{}, Excluded: []Excluded{}, Benefits: []Benefit{}, Assumptions: []string{},
		Notice: t.Notice, PolicyYear: t.PolicyYear, Issued: t.Issued, Deciders: t.Deciders,
		LocalLevel: t.local(), LocalFunding: t.LocalFunding, OtherLevels: t.otherLevels(),
	}
	var outs []outcome
	for _, r := range t.Rules {
		switch r.Kind {
		case KindBenefit:
			rep.Benefits = append(rep.Benefits, Benefit{Measure: r.Measure, Ref: r.Ref, Title: r.Title, Text: r.Text,
				Condition: r.Condition, Units: r.Units, Basis: r.Clause})
		case KindMention:
			if r.Field == "" || p.has(r.Field) {
				rep.Notes = appendOnce(rep.Notes, r.Ref+"："+r.Text)
			}
		default:
			outs = append(outs, t.apply(r, p, &rep)...)
		}
	}
	t.applyGroups(outs, &rep)
	for _, o := range outs {
		switch {
		case o.excluded != "":
			rep.addExcluded(Excluded{Measure: o.rule.Measure, Rule: o.rule.ID, Ref: o.rule.Ref, Title: o.title, Reason: o.excluded})
		case o.amount > 0:
			notes := o.notes
			if o.assumed && o.rule.Assumption != "" {
				a := "假设：" + o.rule.Assumption
				notes = append(notes, a)
				rep.Assumptions = appendOnce(rep.Assumptions, a)
			}
			if notes == nil {
				notes = []string{}
			}
			rep.Items = append(rep.Items, Item{Measure: o.rule.Measure, Title: o.title, Level: o.rule.Level,
				AmountYuan: o.amount, Basis: o.rule.Clause, Notes: notes, Rule: o.rule.ID, Ref: o.rule.Ref,
				Funding: o.rule.Funding, Units: o.rule.Units, Arithmetic: o.arithmetic})
			if o.rule.Level == t.local() {
				rep.DistrictTotalYuan += o.amount
			} else {
				rep.OtherLevelsTotalYuan += o.amount
			}
		}
	}
	rep.Notes = append(rep.Notes, rep.Assumptions...)
	when := fmt.Sprintf("本测算依据%s《%s》，该措施于%s印发，适用于%d政策年度", t.Notice, t.Package, chineseDate(t.Issued), t.PolicyYear)
	if !now.IsZero() {
		today := now.In(zhtext.China())
		rep.AsOf = today.Format(time.DateOnly)
		if today.Year() > t.PolicyYear {
			rep.PolicyYearEnded = true
			when += fmt.Sprintf("。%d政策年度已经结束（今天是%s），该年度的申报时间已过：以下金额是按该政策当年的标准所作的估算，供了解参考，不代表现在还能申请；现在是否有接续政策，请向%s咨询",
				t.PolicyYear, zhtext.Date(today), t.Deciders)
		}
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("%s。金额为估算，实际奖励以%s审核认定为准。", when, t.Deciders))
	if rep.OtherLevelsTotalYuan > 0 {
		rep.Notes = append(rep.Notes, t.otherLevels()+"金额由上级认定和拨付，仅供参考，不计入"+zhtext.LevelName(t.local())+"合计。")
	}
	return rep
}

func (rep *Report) addExcluded(e Excluded) {
	for _, x := range rep.Excluded {
		if x.Measure == e.Measure && x.Reason == e.Reason {
			return
		}
	}
	rep.Excluded = append(rep.Excluded, e)
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// applyGroups keeps one award of each 不重复奖励 group: the larger, and on a
// tie the member listed first.
func (t *Table) applyGroups(outs []outcome, rep *Report) {
	for _, g := range t.Groups {
		var paid []int
		for i, o := range outs {
			if o.amount > 0 && o.excluded == "" && slices.Contains(g.Members, o.rule.ID) {
				paid = append(paid, i)
			}
		}
		if len(paid) < 2 {
			continue
		}
		win := paid[0]
		for _, i := range paid[1:] {
			a, b := outs[i], outs[win]
			if a.amount > b.amount || (a.amount == b.amount &&
				slices.Index(g.Members, a.rule.ID) < slices.Index(g.Members, b.rule.ID)) {
				win = i
			}
		}
		w := &outs[win]
		assumption := "假设：" + g.Assumption
		w.notes = append(w.notes, fmt.Sprintf("%s：另有%s（%s）未计入。", g.Clause, outs[paidOther(paid, win)].title, zhtext.FormatYuan(outs[paidOther(paid, win)].amount)), assumption)
		rep.Assumptions = appendOnce(rep.Assumptions, assumption)
		for _, i := range paid {
			if i == win {
				continue
			}
			o := &outs[i]
			how := "金额较小"
			if o.amount == w.amount {
				how = g.TieText
			}
			o.excluded = fmt.Sprintf("%s：本项%s，与已计入的%s（%s）只能取一项，%s。", g.Clause, zhtext.FormatYuan(o.amount), w.title, zhtext.FormatYuan(w.amount), how)
			o.amount = 0
		}
	}
}

func paidOther(paid []int, win int) int {
	for _, i := range paid {
		if i != win {
			return i
		}
	}
	return win
}

func (t *Table) apply(r Rule, p Profile, rep *Report) []outcome {
	if r.Kind == KindPerTitle {
		return t.perTitle(r, p, rep)
	}
	if !r.touches(p) {
		return nil // the profile says nothing this rule reads: not in the report
	}
	o := outcome{rule: r, title: r.Title}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return []outcome{o}
	}
	switch r.Kind {
	case KindTiers:
		o = t.tiers(r, p, o)
	case KindFlag:
		o = t.flagRule(r, o)
	case KindStepsRate:
		o = t.stepsRate(r, p, o)
	case KindCrossing:
		o = t.crossing(r, p, o)
	case KindPercentOf:
		o = t.percentOf(r, p, o)
	default:
		return nil
	}
	return []outcome{o}
}

// touches reports whether the profile gives what rule r reads: one of its
// metrics, its flag set to yes, one of its rate fields, its current value
// or its base field. A rule it does not touch is neither paid nor excluded.
func (r Rule) touches(p Profile) bool {
	switch r.Kind {
	case KindTiers:
		return slices.ContainsFunc(r.Metrics, p.has)
	case KindFlag:
		v, _ := p.flag(r.Flag)
		return v
	case KindStepsRate:
		return slices.ContainsFunc([]string{r.Delta[0], r.Delta[1], r.Base}, func(f string) bool { _, ok := p.number(f); return ok })
	case KindCrossing:
		_, ok := p.number(r.Cur)
		return ok
	case KindPercentOf:
		_, ok := p.number(r.Field)
		return ok
	}
	return false
}

// unmet says which required yes/no field is not yes, or "".
func (t *Table) unmet(r Rule, p Profile) string {
	for _, f := range r.Requires {
		v, known := p.flag(f)
		switch {
		case !known:
			return "须为" + t.label(f) + "（画像中未提供）"
		case !v:
			return "须为" + t.label(f) + "（画像中为“否”）"
		}
	}
	return ""
}

// chineseDate writes an ISO date of the rules as 2023年2月13日.
func chineseDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return zhtext.Date(t)
}
