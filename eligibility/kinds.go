package eligibility

// The rule kinds: each computes what one general shape of award pays
// (tiers, a flag, an amount per title, steps of a rate, thresholds crossed, a
// percentage), with the arithmetic shown to the enterprise. A new package of
// measures adds rows of these kinds to rules.json, not code here.

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"huiqi/internal/zhtext"
)

func (t *Table) tiers(r Rule, p Profile, o outcome) outcome {
	vals := make([]float64, len(r.Metrics))
	var parts []string
	missing := ""
	for i, m := range r.Metrics {
		v, ok := p.number(m)
		if !ok {
			if missing == "" {
				missing = m
			}
			continue
		}
		vals[i] = v
		parts = append(parts, t.label(m)+num(v)+r.MetricUnit)
		// A given figure that rules the award out is the reason, whatever
		// else is missing (1-2月下降, so 3月 was never asked).
		if r.AllAbove != nil && v <= *r.AllAbove {
			if *r.AllAbove == 0 {
				o.excluded = fmt.Sprintf("%s为%s%s，不是正增长（要求每期均为正增长", t.label(m), num(v), r.MetricUnit)
				if v == 0 {
					o.excluded += "，零增长不算正增长"
				}
				o.excluded += "）"
			} else {
				o.excluded = fmt.Sprintf("%s为%s%s，须大于%s%s", t.label(m), num(v), r.MetricUnit, num(*r.AllAbove), r.MetricUnit)
			}
			return o
		}
	}
	if missing != "" {
		o.excluded = "未提供" + t.label(missing)
		return o
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
			return o
		}
	}
	low := r.Tiers[len(r.Tiers)-1].Min
	o.excluded = fmt.Sprintf("%s，未达到最低一档%s%s", lead, num(low), r.MetricUnit)
	return o
}

func (t *Table) flagRule(r Rule, o outcome) outcome {
	conds := make([]string, 0, len(r.Requires)+1)
	for _, f := range r.Requires {
		conds = append(conds, t.label(f))
	}
	conds = append(conds, t.label(r.Flag))
	o.amount = r.Amount
	o.arithmetic = strings.Join(conds, "，") + " → " + zhtext.FormatYuan(r.Amount)
	return o
}

func (t *Table) perTitle(r Rule, p Profile, rep *Report) []outcome {
	// A title listed twice counts once, at its earliest year: that is its
	// first recognition (首次认定). Recognised before MinYear, it earns
	// nothing even if listed again later.
	type seen struct{ first int }
	years := map[string]*seen{}
	var order []string
	for _, rec := range p.titles(r.List) {
		s, ok := years[rec.Title]
		if !ok {
			s = &seen{}
			years[rec.Title] = s
			order = append(order, rec.Title)
		} else {
			rep.Notes = appendOnce(rep.Notes, fmt.Sprintf("%s在认定列表中出现了不止一次，按最早的年份（首次认定）计算，只计一次。", t.TitleName(rec.Title)))
		}
		if rec.Year != 0 && (s.first == 0 || rec.Year < s.first) {
			s.first = rec.Year
		}
	}
	var outs []outcome
	for _, title := range order {
		amount, ok := r.Amounts[title]
		if !ok {
			continue
		}
		name := t.TitleName(title)
		s := years[title]
		o := outcome{rule: r, title: r.Title + "：" + name}
		switch {
		case r.MaxYear > 0 && s.first > r.MaxYear:
			o.excluded = fmt.Sprintf("%s于%d年认定，晚于%d年", name, s.first, r.MaxYear)
		case r.MaxYear > 0 && r.MaxYear == r.MinYear && s.first == r.MinYear:
			o.amount = amount
			o.arithmetic = fmt.Sprintf("%s，%d年认定（当年）→ %s", name, s.first, zhtext.FormatYuan(amount))
		case r.MaxYear > 0 && r.MaxYear == r.MinYear && s.first != 0:
			o.excluded = fmt.Sprintf("%s于%d年认定，须为%d年当年认定", name, s.first, r.MinYear)
		case s.first >= r.MinYear:
			o.amount = amount
			o.arithmetic = fmt.Sprintf("%s，%d年首次认定（%d年以来）→ %s", name, s.first, r.MinYear, zhtext.FormatYuan(amount))
		case s.first != 0:
			o.excluded = fmt.Sprintf("%s于%d年首次认定，早于%d年（须为%d年以来首次认定）", name, s.first, r.MinYear, r.MinYear)
		default:
			o.excluded = fmt.Sprintf("%s未提供认定年份，无法确认是否为%d年以来首次认定", name, r.MinYear)
		}
		outs = append(outs, o)
	}
	return outs
}

func (t *Table) stepsRate(r Rule, p Profile, o outcome) outcome {
	cur, hasCur := p.number(r.Delta[0])
	prev, hasPrev := p.number(r.Delta[1])
	base, hasBase := p.number(r.Base)
	switch {
	case !hasPrev:
		o.excluded = "未提供" + t.label(r.Delta[1])
		return o
	case !hasCur:
		o.excluded = "未提供" + t.label(r.Delta[0])
		return o
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
		return o
	}
	if !hasBase {
		o.excluded = rise + "已达到奖励条件，但未提供" + t.label(r.Base) + "，无法计算金额"
		return o
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
	return o
}

func (t *Table) crossing(r Rule, p Profile, o outcome) outcome {
	cur, _ := p.number(r.Cur)
	prev, hasPrev := p.number(r.Prev)
	if cur < minTier(r.Thresholds) {
		// Below every threshold: that is the reason, whatever the past.
		o.excluded = fmt.Sprintf("%s%s，未达到最低门槛%s", t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)), zhtext.FormatYuan(int64(minTier(r.Thresholds))))
		return o
	}
	if !hasPrev {
		o.excluded = fmt.Sprintf("未提供%s，无法判断%s%s是否为首次突破", t.label(r.Prev), t.label(r.Cur), zhtext.FormatYuan(floorYuan(cur)))
		return o
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
		return o
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
	return o
}

func minTier(ts []Tier) float64 {
	m := ts[0].Min
	for _, t := range ts {
		m = math.Min(m, t.Min)
	}
	return m
}

func (t *Table) percentOf(r Rule, p Profile, o outcome) outcome {
	v, _ := p.number(r.Field)
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
	return o
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
