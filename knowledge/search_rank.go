package knowledge

// Ranking: a question is analysed into weighted n-grams, lexicon phrases and
// out-of-scope topics, scored against the index by BM25F with concept and
// fuzzy bonuses and similarity to the question bank, and given a confidence.

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// scratch is per-query working memory, pooled.
type scratch struct {
	acc     []float32
	cov     []float32
	touched []int32
	spans   []span
	common  []uint8 // per bank question: bigrams shared with the query
	qtouch  []int32
}

// query is an analysed question.
type query struct {
	raw        string
	norm       string
	weights    map[int32]float32 // token → query weight (incl. expansion)
	terms      []qterm           // the same, sorted by token id
	totalW     float32           // idf mass of the question's own tokens
	conceptHit map[int32]float32 // measure → strength of lexicon phrases found
	oosTopics  []int
	chitchat   int // index of the small-talk kind when the question is only small talk, else -1
	expanded   []string
	// found are the lexicon concept phrases found in the question (those
	// inside a longer phrase or an out-of-scope phrase left out).
	found []foundPhrase
	// places are the places the question names (gazetteer).
	places []PlaceMention
	// senses are lexicon phrases the question uses in another sense (路由器
	// 白名单): no evidence for their measures.
	senses []senseHit
	prep   *explainPrep       // computed on first use by explain
	words  map[int32][]string // contentWords by measure, on first use
}

// senseHit is a phrase of a concept used in another sense, and the word
// that shows it.
type senseHit struct {
	phrase, term, word string
	docs               []int32
}

// foundPhrase is a lexicon phrase at byte offsets of the normalised question.
type foundPhrase struct {
	start, end int
	p          *phrase
}

type qterm struct {
	id int32
	w  float32
}

// hit is one scored measure.
type hit struct {
	doc      int32
	score    float64
	coverage float64
	qsim     float64 // best similarity to a typical question of the measure
	// explained is the share of the question's content the measure
	// accounts for; adjacent is set when unexplained content touches one
	// of its phrases (search_explain.go).
	explained float64
	adjacent  bool
	raw       float64 // the score before rerank
}

func (ix *index) analyse(q string, sc *scratch) *query {
	nq := ix.norm.normalize(q)
	qq := &query{raw: q, norm: nq, weights: map[int32]float32{}, conceptHit: map[int32]float32{}, chitchat: -1}
	sc.spans = eachToken(nq, sc.spans, func(tok string) {
		if id, ok := ix.vocab[tok]; ok {
			if _, seen := qq.weights[id]; !seen {
				qq.weights[id] = 1
				qq.totalW += ix.idf[id]
			}
		} else {
			// an n-gram the corpus never uses: evidence the question is
			// about something else
			qq.totalW += ix.maxIDF * oovWeight(tok)
		}
	})
	// out-of-scope topics: substrings by byte offset at rune starts
	type oosSpan struct {
		start, end int
		topics     []int
	}
	var oosSpans []oosSpan
	for i := 0; i < len(nq); {
		r, size := utf8.DecodeRuneInString(nq[i:])
		if !ix.oosHead[r] {
			i += size
			continue
		}
		j := i
		for l := 1; l <= ix.oosMax && j < len(nq); l++ {
			_, sz := utf8.DecodeRuneInString(nq[j:])
			j += sz
			if ts, ok := ix.oos[nq[i:j]]; ok {
				oosSpans = append(oosSpans, oosSpan{i, j, ts})
			}
		}
		i += size
	}
	// lexicon phrases in the question
	rs := sc.spans
	var concepts []foundPhrase
	for i := range rs {
		j := i + 1
		if j >= len(rs) || rs[j].start != rs[i].end {
			continue
		}
		key := nq[rs[i].start:rs[j].end]
		for _, p := range ix.phrases[key] {
			if !strings.HasPrefix(nq[rs[i].start:], p.text) {
				continue
			}
			if p.expand != "" {
				qq.expanded = append(qq.expanded, p.expand)
				eachToken(p.expand, nil, func(tok string) {
					if id, ok := ix.vocab[tok]; ok && qq.weights[id] < expansionWeight {
						qq.weights[id] = expansionWeight
					}
				})
			}
			if p.concept && len(p.docs) > 0 {
				concepts = append(concepts, foundPhrase{rs[i].start, rs[i].start + len(p.text), p})
			}
		}
	}
	// Longest match: a concept phrase lying inside a longer one found in the
	// same question (复产达产 inside 复产达产工作专班) is part of that phrase,
	// not separate evidence for the measures it names on its own.
	// An out-of-scope phrase that cuts across a concept phrase at least as
	// long is a false reading (电影 in 停电影响): the concept phrase wins.
	for _, g := range oosSpans {
		conflict := false
		for _, f := range concepts {
			crosses := f.start < g.end && g.start < f.end && !(g.start <= f.start && f.end <= g.end)
			if crosses && f.end-f.start >= g.end-g.start {
				conflict = true
				break
			}
		}
		if !conflict {
			qq.oosTopics = append(qq.oosTopics, g.topics...)
		}
	}
	// The same holds against out-of-scope phrases: 拖欠 inside 老板拖欠工资
	// is about a worker's wages, not an enterprise's receivables.
	for _, f := range concepts {
		inside := false
		for _, g := range concepts {
			if g.start <= f.start && f.end <= g.end && g.end-g.start > f.end-f.start {
				inside = true
				break
			}
		}
		for _, g := range oosSpans {
			if g.start <= f.start && f.end <= g.end && g.end-g.start > f.end-f.start {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		term := f.p.expand
		if term == "" {
			term = f.p.text
		}
		if w := otherSense(nq, f, ix.senses[term]); w != "" {
			qq.senses = append(qq.senses, senseHit{f.p.text, term, w, f.p.docs})
			continue
		}
		qq.found = append(qq.found, f)
		strength := float32(utf8.RuneCountInString(f.p.text)) / float32(len(f.p.docs))
		for _, d := range f.p.docs {
			if strength > qq.conceptHit[d] {
				qq.conceptHit[d] = strength
			}
		}
	}
	// small talk
	qq.chitchat = ix.chat.classify(nq)
	if ix.gaz != nil {
		qq.places = ix.gaz.Find(nq)
	}
	qq.terms = make([]qterm, 0, len(qq.weights))
	for id, w := range qq.weights {
		qq.terms = append(qq.terms, qterm{id, w})
	}
	slices.SortFunc(qq.terms, func(a, b qterm) int { return int(a.id - b.id) })
	return qq
}

// otherSense returns the word of ws that the question holds outside phrase
// f, or "".
func otherSense(nq string, f foundPhrase, ws []string) string {
	for _, w := range ws {
		for at := 0; ; {
			i := strings.Index(nq[at:], w)
			if i < 0 {
				break
			}
			s, e := at+i, at+i+len(w)
			// beside the phrase, a longer word holding it (三无产品), or one
			// that runs on from it (周转房 after 应急周转): anything but a
			// word inside the phrase itself
			if e <= f.start || s >= f.end || !(s >= f.start && e <= f.end) {
				return w
			}
			at = e
		}
	}
	return ""
}

// oovWeight discounts unknown unigrams relative to unknown bigrams.
func oovWeight(tok string) float32 {
	if utf8.RuneCountInString(tok) == 1 {
		return 0.35
	}
	return 0.5
}

func (ix *index) rank(qq *query, sc *scratch, k int) []hit {
	n := len(ix.docs)
	if cap(sc.acc) < n {
		sc.acc = make([]float32, n)
		sc.cov = make([]float32, n)
	}
	acc, cov := sc.acc[:n], sc.cov[:n]
	sc.touched = sc.touched[:0]
	for _, t := range qq.terms {
		id, wq := t.id, t.w
		idf := ix.idf[id]
		for _, p := range ix.postings[id] {
			if acc[p.doc] == 0 && cov[p.doc] == 0 {
				sc.touched = append(sc.touched, p.doc)
			}
			acc[p.doc] += wq * idf * p.tf * (bm25K1 + 1) / (p.tf + ix.docs[p.doc].norm)
			if wq >= 1 {
				cov[p.doc] += idf
			}
		}
	}
	for d, s := range qq.conceptHit {
		if acc[d] == 0 && cov[d] == 0 {
			sc.touched = append(sc.touched, d)
		}
		acc[d] += conceptBonus * s
	}
	if nr := utf8.RuneCountInString(qq.norm); nr >= 2 && nr <= 8 {
		ix.fuzzyBoost(qq.norm, acc, cov, sc)
	}
	qsim := ix.qbank.similar(qq, sc)
	for d, v := range qsim {
		if acc[d] == 0 && cov[d] == 0 {
			sc.touched = append(sc.touched, d)
		}
		acc[d] += float32(qbankWeight * v)
	}
	// Keep the best k in order by insertion: on a large corpus most
	// touched measures never enter, so this costs far less than a sort.
	hits := make([]hit, 0, k+1)
	better := func(a, b hit) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return a.doc < b.doc
	}
	for _, d := range sc.touched {
		h := hit{doc: d, score: float64(acc[d])}
		acc[d] = 0
		c := cov[d]
		cov[d] = 0
		if len(hits) == k && !better(h, hits[k-1]) {
			continue
		}
		if qq.totalW > 0 {
			h.coverage = float64(c / qq.totalW)
		}
		h.qsim = qsim[d]
		i := sort.Search(len(hits), func(i int) bool { return better(h, hits[i]) })
		hits = append(hits, hit{})
		copy(hits[i+1:], hits[i:])
		hits[i] = h
		if len(hits) > k {
			hits = hits[:k]
		}
	}
	return hits
}

// minRanked is how many measures rank keeps at least.
const minRanked = 8

// conceptBonus is the score a lexicon phrase found verbatim adds per rune.
const conceptBonus = 1.0

// fuzzyBoost matches a short question against titles, concepts and unit
// names as an in-order subsequence (sahilm/fuzzy).
func (ix *index) fuzzyBoost(nq string, acc, cov []float32, sc *scratch) {
	pat := strings.Map(func(r rune) rune {
		if isHan(r) || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, nq)
	np := utf8.RuneCountInString(pat)
	if np < 2 {
		return
	}
	// Only targets holding every rune of the pattern can match it as a
	// subsequence: filter through the rune index before asking fuzzy.
	first, _ := utf8.DecodeRuneInString(pat)
	var cands fuzzyTargets
	for _, ti := range ix.fuzzyBy[first] {
		t := ix.fuzzy[ti]
		all := true
		for _, r := range pat {
			if !strings.ContainsRune(t.text, r) {
				all = false
				break
			}
		}
		if all {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return
	}
	for _, m := range fuzzy.FindFromNoSort(pat, cands) {
		t := cands[m.Index]
		frac := float64(np) / float64(utf8.RuneCountInString(t.text))
		b := float32(fuzzyBonus * t.w * math.Min(1, frac+0.3) / float64(len(t.docs)))
		for _, d := range t.docs {
			if acc[d] == 0 && cov[d] == 0 {
				sc.touched = append(sc.touched, d)
			}
			acc[d] += b
		}
	}
}

const fuzzyBonus = 2.0

// confidence is the calibrated confidence that the best hit answers the
// question (calibrate.go). How far it leads the next one is left out on
// purpose: two close measures make a question ambiguous, not out of scope.
func (ix *index) confidence(hs []hit, qq *query) float64 {
	if len(hs) == 0 || ix.cal == nil {
		return 0
	}
	return ix.cal.score(ix.features(hs, qq))
}

// ambiguousMargin: top two closer than this (relative) are offered both.
const ambiguousMargin = 0.06

// search ranks and returns results with confidence; snippet from the query.
func (ix *index) search(q string, top int) ([]Result, *query, []hit) {
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)
	qq := ix.analyse(q, sc)
	if top <= 0 {
		top = 5
	}
	hs := ix.rank(qq, sc, max(top, minRanked))
	ix.rerank(qq, hs)
	conf := ix.confidence(hs, qq)
	var out []Result
	for i, h := range hs {
		if i >= top {
			break
		}
		out = append(out, ix.result(h, hs, conf, qq))
	}
	return out, qq, hs
}

// rerankFloor is the share of its score a measure keeps when it explains
// none of the question's content.
const rerankFloor = 0.5

// rerank weighs each ranked measure's score by how much of the question's
// content it explains, and sorts again: a measure that matches one phrase
// of a question (谁牵头) loses to one that accounts for the rest of it too
// (三个平台…搭建).
func (ix *index) rerank(qq *query, hs []hit) {
	for i := range hs {
		e := ix.explain(qq, hs[i].doc)
		hs[i].explained = e.ratio()
		hs[i].adjacent = e.adjacent
		hs[i].raw = hs[i].score
		hs[i].score *= rerankFloor + (1-rerankFloor)*hs[i].explained
	}
	sort.SliceStable(hs, func(i, j int) bool {
		if hs[i].score != hs[j].score {
			return hs[i].score > hs[j].score
		}
		return hs[i].doc < hs[j].doc
	})
	// A measure whose own lexicon phrase the question holds goes before a
	// close one that only shares its words (首台套认定了区里有没有扶持: ind-03
	// has 认定 and 区 many times, ind-16 is the 首台套 clause).
	if len(hs) > 1 && qq.conceptHit[hs[0].doc] == 0 {
		for j := 1; j < len(hs) && j < 3; j++ {
			if qq.conceptHit[hs[j].doc] > 0 && hs[j].score >= hs[0].score*conceptCloseShare {
				h := hs[j]
				h.score = hs[0].score // ranked first, as close as it was
				copy(hs[1:j+1], hs[:j])
				hs[0] = h
				break
			}
		}
	}
}

// conceptCloseShare is how close to the best a measure with a lexicon
// phrase of the question must score to go before it.
const conceptCloseShare = 0.85

// searchWithin ranks only the measures in only (the notices of one place).
func (ix *index) searchWithin(qq *query, top int, only map[int32]bool) ([]Result, []hit) {
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)
	hs := ix.rank(qq, sc, len(ix.docs))
	ix.rerank(qq, hs)
	kept := hs[:0]
	for _, h := range hs {
		if only[h.doc] {
			kept = append(kept, h)
		}
	}
	hs = kept
	conf := ix.confidence(hs, qq)
	var out []Result
	for i, h := range hs {
		if i >= top {
			break
		}
		out = append(out, ix.result(h, hs, conf, qq))
	}
	return out, hs
}

// result is hit h as a Result, its score relative to the best of hs.
func (ix *index) result(h hit, hs []hit, conf float64, qq *query) Result {
	d := &ix.docs[h.doc] // not a copy: sentences are filled lazily under once
	s := conf
	if h.doc != hs[0].doc && hs[0].score > 0 {
		s = conf * h.score / hs[0].score
	}
	return Result{
		ID: d.m.ID, Title: d.m.Title, Score: math.Round(s*1000) / 1000,
		Units: unitsOf(d.m), Measure: d.m, Ref: d.m.Ref(),
		Snippet: ix.snippet(h.doc, qq, 1),
		Amounts: amountsOf(d.entry),
	}
}

// cite puts a measure the question named first, with full confidence.
func (ix *index) cite(m *Measure, rs []Result, hs []hit, qq *query) ([]Result, []hit, float64) {
	d, ok := ix.byID[m.ID]
	if !ok {
		return rs, hs, ix.confidence(hs, qq)
	}
	top := hit{doc: d, score: math.Inf(1), coverage: 1, qsim: 1}
	hs2 := []hit{top}
	for _, h := range hs {
		if h.doc != d {
			hs2 = append(hs2, h)
		}
	}
	di := &ix.docs[d]
	r := Result{ID: m.ID, Title: m.Title, Score: 1, Units: unitsOf(m), Measure: m, Ref: m.Ref(),
		Snippet: ix.snippet(d, qq, 1), Amounts: amountsOf(di.entry)}
	rs2 := []Result{r}
	for _, x := range rs {
		if x.ID != m.ID && len(rs2) < len(rs) {
			rs2 = append(rs2, x)
		}
	}
	return rs2, hs2, 1
}

// similar returns, per measure, the best Dice similarity between the
// query's bigrams and one of the measure's questions.
func (qb *questionBank) similar(qq *query, sc *scratch) map[int32]float64 {
	out := map[int32]float64{}
	if len(qb.doc) == 0 {
		return out
	}
	if cap(sc.common) < len(qb.doc) {
		sc.common = make([]uint8, len(qb.doc))
	}
	common := sc.common[:len(qb.doc)]
	sc.qtouch = sc.qtouch[:0]
	nq := 0
	seen := map[int32]bool{}
	eachBigram(qq.norm, func(bi string) {
		nq++
		t, ok := qb.vocab[bi]
		if !ok || seen[t] {
			return
		}
		seen[t] = true
		for _, qi := range qb.post[t] {
			if common[qi] == 0 {
				sc.qtouch = append(sc.qtouch, qi)
			}
			if common[qi] < 255 {
				common[qi]++
			}
		}
	})
	for _, qi := range sc.qtouch {
		sim := 2 * float64(common[qi]) / float64(nq+int(qb.n[qi]))
		common[qi] = 0
		if d := qb.doc[qi]; sim > out[d] {
			out[d] = sim
		}
	}
	return out
}

// rawScore is a hit's score before rerank (cite's hits are never reranked).
func rawScore(h hit) float64 {
	if h.raw != 0 {
		return h.raw
	}
	return h.score
}
