package knowledge

// Snippets: the sentences of a measure that answer the question (the sum,
// when it asks how much), trimmed to a length a chat shows, and the parts of
// a result (citation, units, amounts).

import (
	"slices"
	"sort"
	"strings"
)

// maxSnippetRunes bounds a quoted sentence; longer ones are cut to the
// run of comma-separated parts that answers best.
const maxSnippetRunes = 120

// reAmount finds a sum of money or a rate in a clause (2万元, 0.8%, 300万元).
var reAmount = lazyRE(`[0-9.]+\s*(?:万元|亿元|元|%)`)

// asksAmount reports whether a normalised question asks for a sum or a
// rate, by the lexicon's amount cues.
func (ix *index) asksAmount(nq string) bool {
	if ix.common == nil {
		return false
	}
	for _, c := range ix.common.AmountCues {
		if strings.Contains(nq, c) {
			return true
		}
	}
	return false
}

// asksList reports a question that asks for an enumeration (哪三个, 分别是).
func (ix *index) asksList(nq string) bool { return cueIn(nq, ix.common.ListCues) != "" }

// sentences are measure d's sentences, cut on first use.
func (ix *index) sentences(d int32) []sentence {
	di := &ix.docs[d]
	di.once.Do(func() { di.sentences = splitSentences(di.m.Text, ix.vocab) })
	return di.sentences
}

// snippet returns up to n sentences of a measure that share the most query
// weight, in text order, long sentences cut to their best parts.
func (ix *index) snippet(d int32, qq *query, n int) string {
	ss := ix.sentences(d)
	if len(ss) == 0 {
		return ""
	}
	money := ix.asksAmount(qq.norm)
	// The part that states the sum of the concept asked answers "给多少";
	// a part stating only another concept's sum does not (小升规 is not the
	// growth award's 5万元), and none does when the concept has no sum.
	asked, _, none := ix.amountTexts(qq, d)
	// score weighs a sentence, or a part of the sentence whole (which says
	// whose sum a part states).
	score := func(s *sentence, whole string) float32 {
		// merge of two sorted id lists
		var v float32
		if money && reAmount.MatchString(s.text) {
			switch {
			case none:
				v -= ix.maxIDF
			case len(asked) == 0:
				v += ix.maxIDF
			case containsAnyOf(s.text, asked) && ix.namesFound(qq, d, whole):
				v += ix.maxIDF
			default:
				v -= ix.maxIDF / 2
			}
		}
		i, j := 0, 0
		for i < len(qq.terms) && j < len(s.tokens) {
			switch a, b := qq.terms[i].id, s.tokens[j]; {
			case a < b:
				i++
			case a > b:
				j++
			default:
				v += qq.terms[i].w * ix.idf[a]
				i++
				j++
			}
		}
		return v
	}
	type scored struct {
		i int
		s float32
	}
	var sc []scored
	for i := range ss {
		sc = append(sc, scored{i, score(&ss[i], ss[i].text)})
	}
	sort.SliceStable(sc, func(a, b int) bool { return sc[a].s > sc[b].s })
	if sc[0].s == 0 {
		return ss[0].text // the item's title sentence
	}
	pick := []int{sc[0].i}
	limit := maxSnippetRunes
	if n > 1 && ix.asksList(qq.norm) {
		// 三个平台是哪三个: the enumeration runs on in the sentences after
		// the one that starts it.
		limit = 3 * maxSnippetRunes
		runes := ss[sc[0].i].runes
		for i := sc[0].i + 1; i < len(ss) && runes+ss[i].runes <= limit; i++ {
			if score(&ss[i], ss[i].text) <= 0 {
				break
			}
			pick = append(pick, i)
			runes += ss[i].runes
		}
	}
	if len(pick) == 1 && n > 1 && len(sc) > 1 && sc[1].s >= sc[0].s*0.6 && ss[sc[0].i].runes+ss[sc[1].i].runes <= maxSnippetRunes {
		pick = append(pick, sc[1].i)
	}
	sort.Ints(pick)
	var b strings.Builder
	for k, i := range pick {
		if k > 0 && i != pick[k-1]+1 && !strings.HasSuffix(b.String(), "…") {
			b.WriteString("…") // the sentences between are left out
		}
		whole := ss[i].text
		b.WriteString(ix.trimSentence(&ss[i], limit, func(p *sentence) float32 { return score(p, whole) }))
	}
	return b.String()
}

// trimSentence returns a sentence, or for a long one the window of
// consecutive parts with the most query weight that fits maxSnippetRunes,
// marked with … where it was cut.
func (ix *index) trimSentence(s *sentence, limit int, score func(*sentence) float32) string {
	if s.runes <= limit || len(s.parts) < 2 {
		return s.text
	}
	ps := s.parts
	var buf [32]float32
	ws := buf[:0]
	for i := range ps {
		ws = append(ws, score(&ps[i]))
	}
	best, bestI, bestJ := float32(-1), 0, 1
	for i := range ps {
		var v float32
		runes := 0
		for j := i; j < len(ps); j++ {
			runes += ps[j].runes
			if runes > limit && j > i {
				break
			}
			v += ws[j]
			if v > best {
				best, bestI, bestJ = v, i, j+1
			}
		}
	}
	var b strings.Builder
	if bestI > 0 {
		b.WriteString("…")
	}
	for _, p := range ps[bestI:bestJ] {
		b.WriteString(p.text)
	}
	out := strings.TrimRight(b.String(), ",\uff0c")
	if bestJ < len(ps) {
		out += "…"
	}
	return out
}

// cueIn is the first word of list that the normalised question nq holds,
// the word normalised as nq is ("" when none does).
func cueIn(nq string, list []string) string {
	for _, w := range list {
		if w = basicNormalize(w); w != "" && strings.Contains(nq, w) {
			return w
		}
	}
	return ""
}

func containsAnyOf(s string, ws []string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// namesFound reports a text holding one of the lexicon phrases of measure d
// the question used (or their concept terms): the part of 小升规, not of the
// growth award, though both state 2万元.
func (ix *index) namesFound(qq *query, d int32, text string) bool {
	t := basicNormalize(text)
	any := false
	for _, f := range qq.found {
		if !slices.Contains(f.p.docs, d) {
			continue
		}
		any = true
		if strings.Contains(t, f.p.text) || f.p.expand != "" && strings.Contains(t, f.p.expand) {
			return true
		}
	}
	return !any
}

func amountsOf(e *LexEntry) []string {
	if e == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range e.Amounts {
		if a.Text != "" && !seen[a.Text] {
			seen[a.Text] = true
			out = append(out, a.Text)
		}
	}
	return out
}

// unitsOf is never nil: the JSON contract has a list.
func unitsOf(m *Measure) []string {
	if m.Units == nil {
		return []string{}
	}
	return m.Units
}
