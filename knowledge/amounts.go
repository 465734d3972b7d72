package knowledge

// Amounts with their conditions. "X 给多少" is answered with the amounts of
// the concept X, each with its condition and level, and not with every
// amount of the measure: 小升规 is 2万元 (当年度实现) and 3万元 (连续三年在规),
// and the 5万元 of the growth award in the same clause is another concept's.
// A concept the clause names without a figure (首台套, 技术改造) is said to
// have none rather than answered with a neighbour's figure.

import (
	"fmt"
	"slices"
	"strings"

	"huiqi/internal/zhtext"
)

// conceptsOf are the concept terms of measure d that the question names
// (normalised), in the order found.
func (qq *query) conceptsOf(d int32) []string {
	var out []string
	for _, f := range qq.found {
		if !slices.Contains(f.p.docs, d) {
			continue
		}
		t := f.p.expand
		if t == "" {
			t = f.p.text
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// amountAsk is what a question asks of a measure's amounts.
type amountAsk struct {
	// amounts are those of the concepts asked (every amount when the
	// question names no concept of the measure: generic is then set).
	amounts []Amount
	generic bool
	// missing are concepts asked that the clause gives no figure for, when
	// no concept asked has one (the answer says so instead of quoting).
	missing []string
}

// askedAmounts selects the amounts of the concepts asked. An amount is of a
// concept its Concepts list; the first is its subject. When the question
// names a subject, the amounts of the subjects named; else those of the
// other concepts named, unless a concept named has no figure at all (首台套
// with 保险补偿: the 80% is 首批次's, not 首台套's).
//
// words are the question's other content words (bigrams outside the
// concepts found and the words of asking): an amount whose condition holds
// one is asked as well (研发 of 技改研发奖励 asks for the 研发 awards).
//
// conds are the amounts' conditions normalised (nil: normalised here).
func askedAmounts(e *LexEntry, concepts, words, conds []string) amountAsk {
	if e == nil || len(e.Amounts) == 0 {
		return amountAsk{missing: concepts}
	}
	norm := func(s string) string { return basicNormalize(s) }
	if len(conds) != len(e.Amounts) {
		conds = make([]string, len(e.Amounts))
		for i, a := range e.Amounts {
			conds[i] = norm(a.Condition)
		}
	}
	// the amounts whose conditions hold the most of the question's words
	var byWords []Amount
	best := 0
	for i, a := range e.Amounts {
		c, n := conds[i], 0
		for _, w := range words {
			if strings.Contains(c, w) {
				n++
			}
		}
		switch {
		case n > best:
			best, byWords = n, []Amount{a}
		case n == best && n > 0:
			byWords = append(byWords, a)
		}
	}
	if len(concepts) == 0 {
		if len(byWords) > 0 {
			return amountAsk{amounts: byWords}
		}
		return amountAsk{amounts: e.Amounts, generic: true}
	}
	tagged, subject := map[string]bool{}, map[string]bool{}
	for _, a := range e.Amounts {
		for i, c := range a.Concepts {
			tagged[norm(c)] = true
			if i == 0 {
				subject[norm(c)] = true
			}
		}
	}
	var subjects, others, untagged []string
	for _, c := range concepts {
		switch {
		case subject[c]:
			subjects = append(subjects, c)
		case tagged[c]:
			others = append(others, c)
		default:
			untagged = append(untagged, c)
		}
	}
	of := func(cs []string) []Amount {
		var out []Amount
		for _, a := range e.Amounts {
			for _, c := range a.Concepts {
				if slices.Contains(cs, norm(c)) {
					out = append(out, a)
					break
				}
			}
		}
		return out
	}
	switch {
	case len(subjects) > 0:
		as := of(subjects)
		for _, a := range byWords {
			if !slices.ContainsFunc(as, func(x Amount) bool { return x.Text == a.Text && x.Condition == a.Condition }) {
				as = append(as, a)
			}
		}
		return amountAsk{amounts: as}
	case len(byWords) > 0:
		return amountAsk{amounts: byWords}
	case len(untagged) > 0:
		return amountAsk{missing: untagged}
	}
	return amountAsk{amounts: of(others)}
}

// amountAskOf is askedAmounts for the question and measure d.
func (ix *index) amountAskOf(qq *query, d int32) amountAsk {
	return askedAmounts(ix.docs[d].entry, qq.conceptsOf(d), ix.contentWords(qq, d), ix.docs[d].conds)
}

// contentWords are the question's bigrams of content outside the lexicon
// phrases of measure d found in it: no words of asking, no award, amount or
// level words.
func (ix *index) contentWords(qq *query, d int32) []string {
	if w, ok := qq.words[d]; ok {
		return w
	}
	if qq.words == nil {
		qq.words = map[int32][]string{}
	}
	w := ix.contentWordsOf(qq, d)
	qq.words[d] = w
	return w
}

func (ix *index) contentWordsOf(qq *query, d int32) []string {
	nq := qq.norm
	prep := ix.prepExplain(qq)
	sp := prep.sp
	frame := prep.frameMask(make([]bool, len(sp)))
	inPhrase := func(s span) bool {
		for _, f := range qq.found {
			if s.start >= f.start && s.end <= f.end && slices.Contains(f.p.docs, d) {
				return true
			}
		}
		for _, m := range qq.places {
			if s.start >= m.Start && s.end <= m.End {
				return true // where, not what
			}
		}
		return false
	}
	skip := map[string]bool{}
	for _, list := range [][]string{ix.common.AwardCues, ix.common.AmountCues} {
		for _, w := range list {
			skip[basicNormalize(w)] = true
		}
	}
	for _, l := range ix.common.Levels {
		for _, w := range l.Say {
			skip[basicNormalize(w)] = true
		}
	}
	var out []string
	for i := 0; i+1 < len(sp); i++ {
		a, b := sp[i], sp[i+1]
		if a.end != b.start || frame[i] || frame[i+1] || inPhrase(a) || inPhrase(b) {
			continue
		}
		w := nq[a.start:b.end]
		if !isHanSpan(w) || skip[w] || stopBi[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// levelStated reports whether the measure states an amount at level for
// what the question asks (省市 30万 of ind-03's 专精特新, 市级 50万 of ind-04's
// 链主, 省级 80% of ind-16's 首批次). A question naming no concept of the
// measure asks for none of its figures.
func (ix *index) levelStated(qq *query, d int32, level string) bool {
	ask := ix.amountAskOf(qq, d)
	if ask.generic {
		return false
	}
	for _, a := range ask.amounts {
		if a.Level == level || level == "national" && a.Level == "province" && strings.Contains(a.Condition, "国家") {
			return true
		}
	}
	return false
}

// writeAmounts writes the 金额 line of an answer: the amounts asked, each
// with its level and condition, or that the clause states none for the
// concept asked.
func (ix *index) writeAmounts(sb *strings.Builder, qq *query, d int32) {
	e := ix.docs[d].entry
	ask := ix.amountAskOf(qq, d)
	money := ix.asksAmount(qq.norm) || ix.asksAward(qq.norm)
	if len(ask.amounts) == 0 {
		// (a clause without any figure is not said to lack one)
		if money && len(ask.missing) > 0 && e != nil && len(e.Amounts) > 0 {
			fmt.Fprintf(sb, "金额：本条没有写明“%s”的金额或比例。\n", ix.termOf(d, ask.missing[0]))
			if see := ix.seeAlso(qq, d, ask.missing[0]); see != "" {
				sb.WriteString(see)
			}
		}
		return
	}
	as := ask.amounts
	if ask.generic {
		if e == nil || len(e.Amounts) == 0 {
			return
		}
		as = pickAmounts(e.Amounts, qq, 4)
	} else {
		as = pickAmounts(as, qq, 6)
	}
	sb.WriteString("金额：")
	last := "-"
	for i, am := range as {
		if i > 0 {
			sb.WriteString("；")
		}
		if l := zhtext.LevelName(am.Level); l != last {
			if l != "" {
				fmt.Fprintf(sb, "%s ", l)
			}
			last = l
		}
		sb.WriteString(am.Text)
		if am.Condition != "" {
			fmt.Fprintf(sb, "（%s）", am.Condition)
		}
	}
	sb.WriteString("\n")
}

// termOf is a concept term as the lexicon writes it.
func (ix *index) termOf(d int32, norm string) string {
	if e := ix.docs[d].entry; e != nil {
		for _, c := range e.Concepts {
			if basicNormalize(c.Term) == norm {
				return c.Term
			}
		}
	}
	return norm
}

// seeAlso points at another clause that speaks of a concept's money when
// the measure answered gives none (技改: 二十条第15条 争取市级奖励): the
// shortest part of another measure's text holding the words the question
// used for the concept and an award word.
func (ix *index) seeAlso(qq *query, d int32, concept string) string {
	var words []string
	for _, f := range qq.found {
		if f.p.expand == concept || f.p.text == concept {
			words = append(words, f.p.text)
		}
	}
	words = append(words, concept)
	for i := range ix.docs {
		if int32(i) == d {
			continue
		}
		m := ix.docs[i].m
		for _, sent := range cutAfter(m.Text, "。;\uff1b") {
			parts := cutAfter(sent, ",\uff0c")
			for a, part := range parts {
				if !containsAnyOf(basicNormalize(part), longWords(words)) {
					continue
				}
				for z := a; z < len(parts) && z <= a+2; z++ {
					if !containsAnyOf(parts[z], longWords(ix.common.AwardCues)) {
						continue
					}
					quote := strings.TrimRight(strings.Join(parts[a:z+1], ""), "。;,\uff1b\uff0c")
					if a > 0 {
						quote = "…" + quote
					}
					if z < len(parts)-1 {
						quote += "…"
					}
					return fmt.Sprintf("另见【%s】%s：“%s”\n", m.Ref(), m.Title, quote)
				}
			}
		}
	}
	return ""
}

// longWords are the words of two runes or more.
func longWords(ws []string) []string {
	var out []string
	for _, w := range ws {
		if runeLen(w) >= 2 {
			out = append(out, w)
		}
	}
	return out
}

// amountTexts are, for the snippet, the amount texts the question asks for
// and those of the other concepts of the measure (which the quote avoids).
func (ix *index) amountTexts(qq *query, d int32) (asked, others []string, none bool) {
	e := ix.docs[d].entry
	if e == nil {
		return nil, nil, false
	}
	ask := ix.amountAskOf(qq, d)
	if ask.generic {
		return nil, nil, false
	}
	for _, a := range ask.amounts {
		asked = append(asked, amountCore(a.Text))
	}
	for _, a := range e.Amounts {
		if t := amountCore(a.Text); !slices.Contains(asked, t) && !slices.Contains(others, t) {
			others = append(others, t)
		}
	}
	if len(ask.amounts) == 0 {
		others = nil
		for _, a := range e.Amounts {
			others = append(others, amountCore(a.Text))
		}
	}
	return asked, others, len(ask.amounts) == 0
}

// amountCore is an amount as the notice's text writes it: 最高50万元 → 50万元.
func amountCore(t string) string {
	for _, p := range []string{"最高", "单户", "不超过"} {
		t = strings.TrimPrefix(t, p)
	}
	return strings.TrimSuffix(t, "以下")
}
