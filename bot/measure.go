package bot

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// footerQuote closes every answer that quotes the notice.
const footerQuote = "以上摘自政策原文，具体以责任单位解释为准。"

func answerChoices() []Choice {
	return []Choice{{ID: actReport, Label: "反映问题"}, {ID: actAward, Label: "算奖励"}}
}

// unitsLine names the lead unit first: 区人社局（牵头），义井镇人民政府（配合）.
func unitsLine(m *knowledge.Measure) string {
	switch {
	case len(m.Units) == 0:
		return ""
	case m.CoUnitsFrom > 0 && m.CoUnitsFrom < len(m.Units):
		return strings.Join(m.Units[:m.CoUnitsFrom], "、") + "（牵头），" + strings.Join(m.Units[m.CoUnitsFrom:], "、") + "（配合）"
	case len(m.Units) == 1:
		return m.Units[0]
	}
	return m.Units[0] + "（牵头）、" + strings.Join(m.Units[1:], "、")
}

// measureReply answers the aspects asked of m: its units, its amounts, its
// dates, its conditions, how it works, or the measure itself. q is the
// question that made m the topic: its words pick among m's amounts when the
// follow-up has none of its own (单项冠军… → 省市给多少).
func (t *turn) measureReply(m *knowledge.Measure, f *followUp, aspects, levels []string, q string) Reply {
	c := &Card{Title: strings.TrimSpace(m.Ref() + " " + m.Title), Footer: footerQuote}
	var body []string
	add := func(lines ...string) {
		for _, l := range lines {
			if l != "" && !slices.Contains(body, l) {
				body = append(body, l)
			}
		}
	}
	v := t.e.d.Knowledge.Validity(m, t.now)
	saidTime := false
	qTokens := hanTokens(contentTokens(norm(t.e.lang.parseFollowUp(q, nil, nil).rest)))
	if q == f.text {
		qTokens = nil // the follow-up is the question itself
	}
	for _, a := range aspects {
		switch a {
		case aspUnit:
			if u := unitsLine(m); u != "" {
				add("责任单位：" + u)
			} else {
				add("文件没有写明这一条的责任单位。")
			}
		case aspAmount:
			add(t.amountLines(m, f, levels, qTokens)...)
		case aspValid, aspUntil, aspStart:
			if !saidTime {
				add(t.timeLines(m, f, aspects, v)...)
				saidTime = true
			}
		case aspCondition:
			add(t.conditionLines(m, f, qTokens)...)
		case aspHow:
			add(t.howLines(m, f)...)
		case aspContent:
			if lines := focus(m.Text, f.tokens, 2); len(lines) > 0 && !f.empty() {
				add("政策原文：" + strings.Join(lines, ""))
			} else {
				add(t.wholeMeasure(m)...)
			}
		case aspList:
			if l := t.offerList(m, f, levels); l != "" {
				add(l)
			} else {
				add("政策原文：" + m.Text)
			}
		}
	}
	if len(body) == 0 {
		// No aspect asked: the clause that answers the message's words, or
		// the measure itself.
		if lines := focus(m.Text, f.tokens, 2); len(lines) > 0 {
			add("政策原文：" + strings.Join(lines, ""))
		} else {
			add(t.wholeMeasure(m)...)
		}
	}
	c.Body = strings.Join(body, "\n")
	onlyUnit := len(aspects) == 1 && aspects[0] == aspUnit
	if u := unitsLine(m); u != "" && q == f.text && !strings.Contains(c.Body, u) {
		// A question of its own (not a follow-up) says whom to turn to.
		c.Fields = append(c.Fields, Field{Name: "责任单位", Value: u})
	}
	if !saidTime && !onlyUnit && v.Text != "" {
		c.Fields = append(c.Fields, Field{Name: "有效期", Value: strings.TrimPrefix(v.Text, "时效提示：")})
	}
	return Reply{Card: c, Choices: answerChoices()}
}

// wholeMeasure is the measure itself: its text, its amounts, its units.
func (t *turn) wholeMeasure(m *knowledge.Measure) []string {
	out := []string{"政策原文：" + m.Text}
	if e := t.e.d.Knowledge.Lexicon(m.ID); e != nil && len(e.Amounts) > 0 {
		out = append(out, amountText(e.Amounts))
	}
	if u := unitsLine(m); u != "" {
		out = append(out, "责任单位："+u)
	}
	return out
}

// amountText lists amounts grouped by who pays them: 区级 2万元（…）；省级 30万元（…）.
func amountText(as []knowledge.Amount) string {
	var b strings.Builder
	b.WriteString("金额：")
	last := "-"
	for i, a := range as {
		if i > 0 {
			b.WriteString("；")
		}
		if l := zhtext.LevelName(a.Level); l != last {
			if l != "" {
				b.WriteString(l + " ")
			}
			last = l
		}
		b.WriteString(a.Text)
		if a.Condition != "" {
			b.WriteString("（" + a.Condition + "）")
		}
	}
	return b.String()
}

// amountLines are the amounts of m that answer the follow-up: narrowed to
// who pays them (区里, 省市), to the tier a figure reaches (涨了120%), to the
// words of the follow-up or else of the topic's question, then the highest or
// lowest when asked. Without amounts in the lexicon, the clause that states
// the money.
func (t *turn) amountLines(m *knowledge.Measure, f *followUp, levels, qTokens []string) []string {
	e := t.e.d.Knowledge.Lexicon(m.ID)
	if e == nil || len(e.Amounts) == 0 {
		toks := f.tokens
		if len(toks) == 0 {
			toks = []string{"奖励", "补贴", "万元", "给予", "元", "%"}
		}
		if lines := focus(m.Text, toks, 2); len(lines) > 0 {
			return []string{"文件没有写明具体金额，原文是这样说的：" + strings.Join(lines, "")}
		}
		return []string{"文件没有写明这一条的具体金额。政策原文：" + m.Text}
	}
	as := pickAmounts(e.Amounts, f, levels, qTokens)
	out := []string{amountText(as)}
	if han := hanTokens(f.tokens); len(han) > 0 {
		// The sentence that states the sum, when it is about the words asked.
		best, bestHits := "", 0
		for _, c := range clauses(m.Text) {
			states := false
			for _, a := range as {
				fig := strings.TrimPrefix(strings.TrimSuffix(a.Text, "以下"), "最高")
				states = states || strings.Contains(c, fig)
			}
			if h := hits(han, norm(c)); states && h > bestHits {
				best, bestHits = c, h
			}
		}
		if best != "" {
			out = append(out, "政策原文："+best)
		}
	}
	return out
}

// pickAmounts narrows a measure's amounts to what a follow-up asks.
func pickAmounts(all []knowledge.Amount, f *followUp, levels, qTokens []string) []knowledge.Amount {
	as := slices.Clone(all)
	if len(levels) > 0 {
		want := map[string]bool{}
		for _, l := range levels {
			want[l] = true
			if l == "province" {
				want["city"] = true // 省市 names both
			}
		}
		if kept := slices.DeleteFunc(slices.Clone(as), func(a knowledge.Amount) bool { return !want[a.Level] }); len(kept) > 0 {
			as = kept
		}
	}
	// A figure of the follow-up picks the tier it reaches (120% → 100%以上).
	for _, fig := range figuresOf(f.tokens) {
		best, bestT := -1, -1.0
		for i, a := range as {
			for _, th := range thresholds(norm(a.Condition)) {
				if th.percent == fig.percent && th.v <= fig.v && th.v > bestT {
					best, bestT = i, th.v
				}
			}
		}
		if best >= 0 {
			var out []knowledge.Amount
			for _, a := range as {
				for _, th := range thresholds(norm(a.Condition)) {
					if th.percent == fig.percent && th.v == bestT {
						out = append(out, a)
						break
					}
				}
			}
			as = out
			break
		}
	}
	narrow := func(tokens []string) {
		if len(tokens) == 0 {
			return
		}
		best := 0
		score := make([]int, len(as))
		for i, a := range as {
			score[i] = hits(tokens, norm(a.Condition+a.Text))
			best = max(best, score[i])
		}
		if best == 0 {
			return
		}
		var out []knowledge.Amount
		for i, a := range as {
			if score[i] == best {
				out = append(out, a)
			}
		}
		as = out
	}
	narrow(hanTokens(f.tokens))
	narrow(qTokens)
	if f.extreme != "" && len(as) > 1 {
		best := as[0]
		for _, a := range as[1:] {
			va, vb := amountValue(a.Text), amountValue(best.Text)
			if f.extreme == "max" && va > vb || f.extreme == "min" && va < vb {
				best = a
			}
		}
		as = []knowledge.Amount{best}
	}
	return as
}

func figuresOf(tokens []string) []figure {
	var out []figure
	for _, t := range tokens {
		out = append(out, figures(t)...)
	}
	return out
}

// amountValue reads an amount's text as yuan (5万元 → 50000), for the
// highest or lowest; a percentage or text without a figure is NaN-like.
func amountValue(text string) float64 {
	fs := figures(norm(text))
	if len(fs) == 0 || fs[0].percent {
		return math.Inf(-1)
	}
	return fs[0].v
}

// timeLines say when m applies: its term and time limits on today's date
// (Base.Validity), the notice's dates, and the clauses that state a time.
func (t *turn) timeLines(m *knowledge.Measure, f *followUp, aspects []string, v knowledge.Validity) []string {
	var out []string
	if slices.Contains(aspects, aspStart) {
		if n, p := t.noticeOf(m); n != nil {
			s := fmt.Sprintf("《%s》由%s于%s印发", p.Name, n.DocNo, zhtext.Date(n.Issued))
			if !n.Published.IsZero() {
				s += "（" + zhtext.Date(n.Published) + "发布）"
			}
			if p.ValidityText != "" {
				s += "，" + strings.TrimSuffix(strings.TrimLeft(p.ValidityText, "一二三四五六七八九十、"), "。")
			}
			out = append(out, s+"。")
		}
	}
	if v.Text != "" {
		out = append(out, v.Text)
	}
	lines := focus(m.Text, f.tokens, 2)
	if len(lines) == 0 {
		lines = timeClauses(m.Text)
	}
	if len(lines) > 0 {
		out = append(out, "政策原文："+strings.Join(lines, ""))
	}
	return out
}

// conditionLines are the conditions of m: the lexicon's, those of its
// amounts, narrowed to the words asked when they match.
func (t *turn) conditionLines(m *knowledge.Measure, f *followUp, qTokens []string) []string {
	e := t.e.d.Knowledge.Lexicon(m.ID)
	if e == nil || len(e.Conditions)+len(e.Amounts) == 0 {
		if lines := focus(m.Text, f.tokens, 2); len(lines) > 0 {
			return []string{"政策原文：" + strings.Join(lines, "")}
		}
		return []string{"政策原文：" + m.Text}
	}
	toks := hanTokens(f.tokens)
	if len(toks) == 0 {
		toks = qTokens
	}
	conds := e.Conditions
	if len(toks) > 0 {
		best := 0
		for _, c := range conds {
			best = max(best, hits(toks, norm(c)))
		}
		if best > 0 {
			conds = slices.DeleteFunc(slices.Clone(conds), func(c string) bool { return hits(toks, norm(c)) < best })
		}
	}
	var out []string
	if len(conds) > 0 {
		out = append(out, "条件：")
		for _, c := range conds {
			out = append(out, "· "+c)
		}
	}
	if len(e.Amounts) > 0 {
		out = append(out, amountText(pickAmounts(e.Amounts, f, nil, qTokens)))
	}
	return out
}

// howLines say how m works or is applied for: the clause that answers the
// words asked, the amounts with their conditions, and whom to ask.
func (t *turn) howLines(m *knowledge.Measure, f *followUp) []string {
	var out []string
	toks := f.tokens
	if len(toks) == 0 {
		toks = f.soft
	}
	if lines := focus(m.Text, toks, 2); len(lines) > 0 {
		out = append(out, "政策原文："+strings.Join(lines, ""))
	} else {
		out = append(out, "政策原文："+m.Text)
	}
	if e := t.e.d.Knowledge.Lexicon(m.ID); e != nil && len(e.Amounts) > 0 {
		out = append(out, amountText(pickAmounts(e.Amounts, f, nil, nil)))
	}
	if u := unitsLine(m); u != "" {
		out = append(out, "具体办理请咨询："+u)
	}
	return out
}

// noticeOf finds the notice and package m belongs to.
func (t *turn) noticeOf(m *knowledge.Measure) (*knowledge.Notice, *knowledge.Package) {
	p, ok := t.e.d.Knowledge.Package(m.ID)
	if !ok {
		return nil, nil
	}
	for _, n := range t.e.d.Knowledge.Notices() {
		for i := range n.Packages {
			if &n.Packages[i] == p || n.Packages[i].Name == p.Name && n.Packages[i].Title == p.Title {
				return n, p
			}
		}
	}
	return nil, p
}
