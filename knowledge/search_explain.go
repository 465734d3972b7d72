package knowledge

// Explanation: how much of a question's content a measure accounts for.
// Shared words are not evidence by themselves: 路由器白名单 holds the
// measure's 白名单, but 路由器 is content no part of the measure speaks of,
// and 图书馆的书能随借随还不 borrows ind-11's 随借随还 for a library. A
// question's content is what remains when the words of asking are taken
// away (the lexicon's frame words: 请问, 咋, 来电人咨询, 区里…); a unit of
// content is explained by a measure when it is part of a bigram of the
// measure's text or lexicon, or of a lexicon phrase of it found in the
// question.

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// explanation is what a measure leaves unexplained of a question.
type explanation struct {
	content   int      // units of content (Han runes, Latin words)
	explained int      // of which the measure accounts for
	unknown   []string // runs of unexplained content, as written
	// adjacent is set when unexplained content touches a lexicon phrase
	// of the measure inside one run of text (路由器白名单, 肯德基加盟特许经营):
	// the phrase is then a part of another compound.
	adjacent bool
	// whole counts unexplained runs of two units or more that stand as
	// words of their own, between boundaries (spaces, punctuation, words
	// of asking) rather than inside explained text: 图书馆 of 随借随还 图书馆.
	whole int
	// substance is the explained content weighed by how particular the
	// words explaining it are (idf, 1 for a lexicon phrase): 不够 explains
	// little, 专精特新 much.
	substance float64
}

// ratio is the explained share of the content (1 for a question of frame
// words only).
func (e explanation) ratio() float64 {
	if e.content == 0 {
		return 1
	}
	return float64(e.explained) / float64(e.content)
}

// explainPrep is what explaining needs of a question whatever the measure:
// its units and where the words of asking and the enterprise words are,
// computed once per question.
type explainPrep struct {
	sp []span
	// base marks units that are never content: numbers and symbols, the
	// stop bigrams, multi-rune words of asking, the places named.
	base []bool
	// single marks a unit that is a word of asking by itself (会, 不) where
	// no bigram of the measure holds it.
	single []bool
	// domainEnd is, per unit, the end of the enterprise word starting there
	// (0 for none): neutral where the measure does not use it.
	domainEnd []int
}

func (ix *index) prepExplain(qq *query) *explainPrep {
	if qq.prep != nil {
		return qq.prep
	}
	nq := qq.norm
	sp := spans(nq, nil)
	p := &explainPrep{sp: sp, base: make([]bool, len(sp)), single: make([]bool, len(sp)), domainEnd: make([]int, len(sp))}
	for i, s := range sp {
		t := nq[s.start:s.end]
		switch {
		case !isHanSpan(t) && !isLatinSpan(t):
			p.base[i] = true // numbers and symbols are neither
		case stopUni[t]:
			p.single[i] = true
		}
		if i+1 < len(sp) && sp[i+1].start == s.end && stopBi[nq[s.start:sp[i+1].end]] {
			p.base[i], p.base[i+1] = true, true
		}
		r, _ := utf8.DecodeRuneInString(t)
		for _, f := range ix.domain[r] {
			if strings.HasPrefix(nq[s.start:], f) {
				p.domainEnd[i] = s.start + len(f)
				break
			}
		}
		for _, f := range ix.frame[r] {
			if !strings.HasPrefix(nq[s.start:], f) {
				continue
			}
			if utf8.RuneCountInString(f) == 1 {
				p.single[i] = true
				break
			}
			end := s.start + len(f)
			for j := i; j < len(sp) && sp[j].end <= end; j++ {
				p.base[j] = true
			}
			break
		}
	}
	for _, m := range qq.places {
		for i, s := range sp {
			if s.start >= m.Start && s.end <= m.End {
				p.base[i] = true // where is the place logic's, not content
			}
		}
	}
	qq.prep = p
	return p
}

// frameMask marks the units of the question that are not content for a
// measure: the words of asking (a single rune only where it is not part of
// a bigram the measure uses: 会 of 会不会, not of 视频会议), and enterprise
// words the measure does not use (机器, 订单).
func (p *explainPrep) frameMask(covered []bool) []bool {
	sp := p.sp
	frame := make([]bool, len(sp))
	copy(frame, p.base)
	for i := range sp {
		if p.single[i] && !covered[i] {
			frame[i] = true
		}
		if end := p.domainEnd[i]; end > 0 {
			all := true
			for j := i; j < len(sp) && sp[j].end <= end; j++ {
				all = all && !covered[j]
			}
			if all {
				for j := i; j < len(sp) && sp[j].end <= end; j++ {
					frame[j] = true
				}
			}
		}
	}
	return frame
}

func isHanSpan(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return isHan(r)
}

func isLatinSpan(t string) bool {
	return t != "" && t[0] >= 'a' && t[0] <= 'z'
}

// explain measures how much of the question doc d accounts for.
func (ix *index) explain(qq *query, d int32) explanation {
	nq := qq.norm
	prep := ix.prepExplain(qq)
	sp := prep.sp
	covered := make([]bool, len(sp))
	weight := make([]float64, len(sp))
	toks := ix.docTokens[d]
	has := func(tok string) (float64, bool) {
		id, ok := ix.vocab[tok]
		if !ok {
			return 0, false
		}
		_, found := slices.BinarySearch(toks, id)
		return float64(ix.idf[id] / ix.maxIDF), found
	}
	for i := range sp {
		if i+1 < len(sp) && sp[i+1].start == sp[i].end {
			if w, ok := has(nq[sp[i].start:sp[i+1].end]); ok {
				covered[i], covered[i+1] = true, true
				weight[i], weight[i+1] = max(weight[i], w), max(weight[i+1], w)
			}
		}
		if isLatinSpan(nq[sp[i].start:sp[i].end]) {
			if w, ok := has(nq[sp[i].start:sp[i].end]); ok {
				covered[i], weight[i] = true, max(weight[i], w)
			}
		}
	}
	// lexicon phrases of the measure found in the question
	var phraseSpans [][2]int
	for _, f := range qq.found {
		if !slices.Contains(f.p.docs, d) {
			continue
		}
		phraseSpans = append(phraseSpans, [2]int{f.start, f.end})
		for i, s := range sp {
			if s.start >= f.start && s.end <= f.end {
				covered[i], weight[i] = true, 1
			}
		}
	}
	frame := prep.frameMask(covered)
	var e explanation
	run := -1
	// boundary reports whether the unit at i (or the edge) ends a word:
	// no unit, a gap (space, punctuation), or a word of asking.
	boundary := func(i, j int) bool {
		if i < 0 || i >= len(sp) {
			return true
		}
		if j >= 0 && j < len(sp) && (sp[min(i, j)].end != sp[max(i, j)].start) {
			return true
		}
		return frame[i]
	}
	flush := func(end int) {
		if run >= 0 {
			e.unknown = append(e.unknown, nq[sp[run].start:sp[end].end])
			units := end - run + 1
			if units == 1 && isLatinSpan(nq[sp[run].start:sp[run].end]) {
				units = 2
			}
			if units >= 2 && boundary(run-1, run) && boundary(end+1, end) {
				e.whole++
			}
			run = -1
		}
	}
	for i, s := range sp {
		if frame[i] {
			flush(i - 1)
			continue
		}
		// an English word is a word, as two Han runes are
		units := 1
		if isLatinSpan(nq[s.start:s.end]) {
			units = 2
		}
		e.content += units
		if covered[i] {
			e.explained += units
			e.substance += float64(units) * weight[i]
			flush(i - 1)
			continue
		}
		if run >= 0 && sp[i-1].end != s.start {
			flush(i - 1)
		}
		if run < 0 {
			run = i
		}
		// unexplained content right against a phrase of the measure
		for _, p := range phraseSpans {
			if s.end == p[0] || s.start == p[1] {
				e.adjacent = true
			}
		}
	}
	flush(len(sp) - 1)
	return e
}
