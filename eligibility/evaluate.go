package eligibility

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
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

// Evaluate applies the built-in rules to a profile.
func Evaluate(p Profile) Report {
	t, err := Builtin()
	if err != nil {
		// The embedded table is checked by the tests; this is unreachable
		// unless the binary was built from a broken table.
		return Report{Items: []Item{}, Notes: []string{"内部错误：奖励规则表无法读取 (" + err.Error() + ")"},
			Excluded: []Excluded{}, Benefits: []Benefit{}, Assumptions: []string{}}
	}
	return t.Evaluate(p)
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

// Evaluate applies the table to a profile.
func (t *Table) Evaluate(p Profile) Report {
	rep := Report{
		Items: []Item{}, Notes: []string{}, Excluded: []Excluded{}, Benefits: []Benefit{}, Assumptions: []string{},
		Notice: t.Notice, PolicyYear: t.PolicyYear, Issued: t.Issued,
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
			if o.rule.Level == LevelDistrict {
				rep.DistrictTotalYuan += o.amount
			} else {
				rep.OtherLevelsTotalYuan += o.amount
			}
		}
	}
	rep.Notes = append(rep.Notes, rep.Assumptions...)
	rep.Notes = append(rep.Notes,
		fmt.Sprintf("本测算依据%s《%s》，该措施于%s印发，适用于%d政策年度；金额为估算，实际奖励以%s审核认定为准。",
			t.Notice, t.Package, chineseDate(t.Issued), t.PolicyYear, t.Deciders))
	if rep.OtherLevelsTotalYuan > 0 {
		rep.Notes = append(rep.Notes, "市级、省级金额由上级认定和拨付，仅供参考，不计入区级合计。")
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
	switch r.Kind {
	case KindTiers:
		return one(t.tiers(r, p))
	case KindFlag:
		return one(t.flagRule(r, p))
	case KindPerTitle:
		return t.perTitle(r, p, rep)
	case KindStepsRate:
		return one(t.stepsRate(r, p))
	case KindCrossing:
		return one(t.crossing(r, p))
	case KindPercentOf:
		return one(t.percentOf(r, p))
	}
	return nil
}

func one(o outcome, touched bool) []outcome {
	if !touched {
		return nil
	}
	return []outcome{o}
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

func (t *Table) tiers(r Rule, p Profile) (outcome, bool) {
	o := outcome{rule: r, title: r.Title}
	touched := false
	for _, m := range r.Metrics {
		touched = touched || p.has(m)
	}
	if !touched {
		return o, false
	}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return o, true
	}
	vals := make([]float64, len(r.Metrics))
	var parts []string
	for i, m := range r.Metrics {
		v, ok := p.number(m)
		if !ok {
			o.excluded = "未提供" + t.label(m)
			return o, true
		}
		vals[i] = v
		parts = append(parts, t.label(m)+num(v)+r.MetricUnit)
	}
	if r.AllAbove != nil {
		for i, v := range vals {
			if v > *r.AllAbove {
				continue
			}
			if *r.AllAbove == 0 {
				o.excluded = fmt.Sprintf("%s为%s%s，不是正增长（要求每期均为正增长", t.label(r.Metrics[i]), num(v), r.MetricUnit)
				if v == 0 {
					o.excluded += "，零增长不算正增长"
				}
				o.excluded += "）"
			} else {
				o.excluded = fmt.Sprintf("%s为%s%s，须大于%s%s", t.label(r.Metrics[i]), num(v), r.MetricUnit, num(*r.AllAbove), r.MetricUnit)
			}
			return o, true
		}
	}
	best, bi := vals[0], 0
	for i, v := range vals {
		if v > best {
			best, bi = v, i
		}
	}
	lead := strings.Join(parts, "、")
	if r.AllAbove != nil && *r.AllAbove == 0 {
		lead += "，均为正增长"
	}
	if len(vals) > 1 {
		lead += fmt.Sprintf("；取最高值%s%s", num(best), r.MetricUnit)
	}
	for _, tier := range r.Tiers {
		if best >= tier.Min {
			o.amount = tier.Amount
			o.arithmetic = fmt.Sprintf("%s ≥ %s%s → %s", lead, num(tier.Min), r.MetricUnit, zhtext.FormatYuan(tier.Amount))
			if best == tier.Min {
				o.notes = append(o.notes, fmt.Sprintf("“以上”含本数：%s恰为%s%s，计入该档。", t.label(r.Metrics[bi]), num(best), r.MetricUnit))
			}
			return o, true
		}
	}
	low := r.Tiers[len(r.Tiers)-1].Min
	o.excluded = fmt.Sprintf("%s，未达到最低一档%s%s", lead, num(low), r.MetricUnit)
	return o, true
}

func (t *Table) flagRule(r Rule, p Profile) (outcome, bool) {
	o := outcome{rule: r, title: r.Title}
	if v, _ := p.flag(r.Flag); !v {
		return o, false
	}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return o, true
	}
	conds := make([]string, 0, len(r.Requires)+1)
	for _, f := range r.Requires {
		conds = append(conds, t.label(f))
	}
	conds = append(conds, t.label(r.Flag))
	o.amount = r.Amount
	o.arithmetic = strings.Join(conds, "，") + " → " + zhtext.FormatYuan(r.Amount)
	return o, true
}

func (t *Table) perTitle(r Rule, p Profile, rep *Report) []outcome {
	// A title listed twice counts once (awards.md: each distinct title with
	// a qualifying year); its qualifying year is the earliest one since MinYear.
	type seen struct{ qualifying, early int }
	years := map[string]*seen{}
	var order []string
	for _, rec := range p.FirstRecognitions {
		s, ok := years[rec.Title]
		if !ok {
			s = &seen{}
			years[rec.Title] = s
			order = append(order, rec.Title)
		} else {
			rep.Notes = appendOnce(rep.Notes, fmt.Sprintf("%s在首次认定列表中出现了不止一次，只计一次。", t.Titles[rec.Title]))
		}
		switch {
		case rec.Year == 0:
		case rec.Year >= r.MinYear:
			if s.qualifying == 0 || rec.Year < s.qualifying {
				s.qualifying = rec.Year
			}
		default:
			if s.early == 0 || rec.Year < s.early {
				s.early = rec.Year
			}
		}
	}
	var outs []outcome
	for _, title := range order {
		amount, ok := r.Amounts[title]
		if !ok {
			continue
		}
		name := t.Titles[title]
		s := years[title]
		o := outcome{rule: r, title: r.Title + "：" + name}
		switch {
		case s.qualifying != 0:
			o.amount = amount
			o.arithmetic = fmt.Sprintf("%s，%d年首次认定（%d年以来）→ %s", name, s.qualifying, r.MinYear, zhtext.FormatYuan(amount))
			if s.early != 0 {
				o.notes = append(o.notes, fmt.Sprintf("假设：画像中该称号另有%d年的记录；按列出的%d年以来认定计算，实际以首次认定年份为准（%d年首次认定的不符合条件）。",
					s.early, r.MinYear, s.early))
			}
		case s.early != 0:
			o.excluded = fmt.Sprintf("%s于%d年首次认定，早于%d年（须为%d年以来首次认定）", name, s.early, r.MinYear, r.MinYear)
		default:
			o.excluded = fmt.Sprintf("%s未提供认定年份，无法确认是否为%d年以来首次认定", name, r.MinYear)
		}
		outs = append(outs, o)
	}
	return outs
}

func (t *Table) stepsRate(r Rule, p Profile) (outcome, bool) {
	o := outcome{rule: r, title: r.Title}
	cur, hasCur := p.number(r.Delta[0])
	prev, hasPrev := p.number(r.Delta[1])
	base, hasBase := p.number(r.Base)
	if !hasCur && !hasPrev && !hasBase {
		return o, false
	}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return o, true
	}
	switch {
	case !hasPrev:
		o.excluded = "未提供" + t.label(r.Delta[1])
		return o, true
	case !hasCur:
		o.excluded = "未提供" + t.label(r.Delta[0])
		return o, true
	}
	delta := cur - prev
	// A tolerance absorbs binary rounding of decimals (55.1 − 50.1); a real
	// shortfall such as 4.99 points stays short.
	steps := int64(math.Floor(delta/r.Step + 1e-9))
	rise := fmt.Sprintf("%s%s%%、%s%s%%，", t.label(r.Delta[1]), num(prev), t.label(r.Delta[0]), num(cur))
	if steps < 1 {
		if delta <= 0 {
			o.excluded = rise + fmt.Sprintf("未提高（变化%s个百分点）", num(round9(delta)))
		} else {
			o.excluded = rise + fmt.Sprintf("提高%s个百分点，不足%s个百分点（每提高%s个百分点计一档）", num(round9(delta)), num(r.Step), num(r.Step))
		}
		return o, true
	}
	if !hasBase {
		o.excluded = rise + "已达到奖励条件，但未提供" + t.label(r.Base) + "，无法计算金额"
		return o, true
	}
	pts := float64(steps) * r.Step
	amt := new(big.Rat).SetFloat64(base)
	amt.Mul(amt, ratOf(pts))
	amt.Mul(amt, ratOf(r.RatePct))
	amt.Quo(amt, big.NewRat(10000, 1))
	raw, frac := floorRat(amt)
	o.assumed = true
	o.arithmetic = fmt.Sprintf("%s提高%s个百分点 → %d档 × %s%% = %s%%；%s × %s%% × %s%% = %s",
		rise, num(round9(delta)), steps, num(r.Step), num(pts), zhtext.FormatYuan(floorYuan(base)), num(pts), num(r.RatePct), zhtext.FormatYuan(raw))
	if frac {
		o.notes = append(o.notes, "不足1元的部分舍去。")
	}
	o.amount = raw
	if r.Cap > 0 && raw > r.Cap {
		o.amount = r.Cap
		o.arithmetic += fmt.Sprintf("，%s上限%s → %s", zhtext.LevelName(r.Level), zhtext.FormatYuan(r.Cap), zhtext.FormatYuan(r.Cap))
	}
	if o.amount == 0 {
		o.excluded = o.arithmetic + "，金额为0"
	}
	return o, true
}

func (t *Table) crossing(r Rule, p Profile) (outcome, bool) {
	o := outcome{rule: r, title: r.Title}
	cur, hasCur := p.number(r.Cur)
	if !hasCur {
		return o, false
	}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return o, true
	}
	prev, hasPrev := p.number(r.Prev)
	if !hasPrev {
		o.excluded = fmt.Sprintf("未提供%s，无法判断%s%s是否为首次突破", t.label(r.Prev), t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)))
		return o, true
	}
	var crossed []Tier
	for _, th := range r.Thresholds {
		if prev < th.Min && th.Min <= cur {
			crossed = append(crossed, th)
		}
	}
	if len(crossed) == 0 {
		switch {
		case cur < minTier(r.Thresholds):
			o.excluded = fmt.Sprintf("%s%s，未达到最低门槛%s", t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)), zhtext.FormatYuan(int64(minTier(r.Thresholds))))
		default:
			o.excluded = fmt.Sprintf("%s%s、%s%s，没有首次突破新的门槛（以前年度已达到的门槛不再奖励）",
				t.label(r.Prev), zhtext.FormatYuan(floorYuan(prev)), t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)))
		}
		return o, true
	}
	best := crossed[0]
	names := make([]string, len(crossed))
	for i, c := range crossed {
		names[i] = zhtext.FormatYuan(int64(c.Min))
		if c.Amount > best.Amount || (c.Amount == best.Amount && c.Min > best.Min) {
			best = c
		}
	}
	o.amount = best.Amount
	o.arithmetic = fmt.Sprintf("%s%s < %s ≤ %s%s → 首次突破%s → %s",
		t.label(r.Prev), zhtext.FormatYuan(floorYuan(prev)), zhtext.FormatYuan(int64(best.Min)), t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)),
		zhtext.FormatYuan(int64(best.Min)), zhtext.FormatYuan(best.Amount))
	if len(crossed) > 1 {
		o.arithmetic = fmt.Sprintf("%s%s、%s%s，同时突破%s，按最高门槛%s奖励一次 → %s",
			t.label(r.Prev), zhtext.FormatYuan(floorYuan(prev)), t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)),
			strings.Join(names, "、"), zhtext.FormatYuan(int64(best.Min)), zhtext.FormatYuan(best.Amount))
		o.assumed = true
	}
	if cur == best.Min {
		o.notes = append(o.notes, fmt.Sprintf("%s恰为%s，按“达到即突破”计（含本数）。", t.label(r.Cur), zhtext.FormatYuan(int64(best.Min))))
	}
	return o, true
}

func minTier(ts []Tier) float64 {
	m := ts[0].Min
	for _, t := range ts {
		m = math.Min(m, t.Min)
	}
	return m
}

func (t *Table) percentOf(r Rule, p Profile) (outcome, bool) {
	o := outcome{rule: r, title: r.Title}
	v, ok := p.number(r.Field)
	if !ok {
		return o, false
	}
	if why := t.unmet(r, p); why != "" {
		o.excluded = why
		return o, true
	}
	amt := new(big.Rat).SetFloat64(v)
	amt.Mul(amt, ratOf(r.Pct))
	amt.Quo(amt, big.NewRat(100, 1))
	raw, frac := floorRat(amt)
	o.arithmetic = fmt.Sprintf("%s%s × %s%% = %s", t.label(r.Field), zhtext.FormatYuan(floorYuan(v)), num(r.Pct), zhtext.FormatYuan(raw))
	if frac {
		o.notes = append(o.notes, "不足1元的部分舍去。")
	}
	o.amount = raw
	if r.Cap > 0 && raw > r.Cap {
		o.amount = r.Cap
		o.arithmetic += fmt.Sprintf("，单户上限%s → %s", zhtext.FormatYuan(r.Cap), zhtext.FormatYuan(r.Cap))
	}
	if o.amount == 0 {
		o.excluded = o.arithmetic + "，金额为0"
	}
	return o, true
}

// num writes a number as people do: 12, 12.5, -1.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// round9 removes binary noise from a difference of decimals (5.000000000000007).
func round9(v float64) float64 { return math.Round(v*1e9) / 1e9 }

func ratOf(v float64) *big.Rat {
	r, ok := new(big.Rat).SetString(num(v))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// floorRat returns ⌊x⌋ for x ≥ 0 and whether anything was cut off.
func floorRat(x *big.Rat) (int64, bool) {
	q := new(big.Int).Quo(x.Num(), x.Denom())
	frac := new(big.Int).Mul(q, x.Denom()).Cmp(x.Num()) != 0
	if !q.IsInt64() {
		return math.MaxInt64, frac
	}
	return q.Int64(), frac
}

// floorYuan turns a money field into whole yuan for display.
func floorYuan(v float64) int64 {
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Floor(v))
}

// chineseDate writes an ISO date of the rules as 2023年2月13日.
func chineseDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return zhtext.Date(t)
}
