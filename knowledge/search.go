package knowledge

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// The ranker: character uni+bi-gram BM25F over each measure's notice text
// and lexicon (lexicon fields weigh more than body text, since they are the
// words owners use), expansion of colloquial phrases to the concept terms
// they stand for, sahilm/fuzzy over titles, concepts and unit names for short
// queries, and a confidence in [0,1]. Scoring touches only the posting lists
// of the query's n-grams, so it grows with the matches, not the corpus.

// Field weights (term frequency multipliers).
const (
	wTitle    = 3.0
	wSection  = 0.5
	wText     = 1.0
	wTerm     = 4.0
	wSay      = 2.5
	wQuestion = 1.5
	wUnit     = 0.5

	bm25K1 = 1.2
	bm25B  = 0.5

	// expansionWeight is the query weight of the n-grams of a concept term
	// that a colloquial phrase in the question stands for.
	expansionWeight = 0.6
)

type posting struct {
	doc int32
	tf  float32
}

// docInfo is what the index keeps per measure besides postings.
type docInfo struct {
	m     *Measure
	norm  float32 // BM25 length normalisation
	entry *LexEntry
	// sentences are cut on first use (snippets are needed for few measures)
	once      *sync.Once
	sentences []sentence
}

type sentence struct {
	text   string
	runes  int
	tokens []int32    // sorted token ids
	parts  []sentence // comma-separated parts of a long sentence
}

// phrase is a lexicon phrase that, found in a question, points at measures.
type phrase struct {
	text    string // normalised
	expand  string // normalised concept term it stands for ("" for none)
	docs    []int32
	concept bool // a concept term or say-phrase (strong), not a synonym
}

type index struct {
	norm     *normalizer
	vocab    map[string]int32
	postings [][]posting
	idf      []float32
	maxIDF   float32
	docs     []docInfo
	byID     map[string]int32
	phrases  map[string][]*phrase // by the first two runes (or one)
	oos      map[string][]int     // out-of-scope say → topic indexes
	oosMax   int                  // longest out-of-scope phrase in runes
	oosHead  map[rune]bool        // first runes of out-of-scope phrases
	chat     chatter              // small talk, from the lexicon
	common   *CommonLexicon
	fuzzy    []fuzzyTarget
	fuzzyBy  map[rune][]int32 // rune → fuzzy targets containing it
	qbank    questionBank
	pool     sync.Pool
}

type fuzzyTarget struct {
	text string
	docs []int32
	w    float64
}

func (f fuzzyTargets) String(i int) string { return f[i].text }
func (f fuzzyTargets) Len() int            { return len(f) }

type fuzzyTargets []fuzzyTarget

// Stop n-grams: the words of asking, not of the subject.
var stopUni = makeSet("的了吗呢啊吧呀么嘛哦哈我你您他她它们是在有和与及或就都也还要想能会可怎什哪些如何请问下个这那该对把被让给得着过很吗咋啥呗")
var stopBi = makeSet2("怎么", "什么", "如何", "请问", "一下", "我们", "你们", "可以", "是否", "能否", "有没", "没有", "哪些", "多少",
	"怎样", "为什", "这个", "那个", "就是", "还是", "需要", "想问", "问一", "的话", "一个", "么办", "有什", "么样", "咱们", "我想", "我家",
	"是不", "不是", "有啥", "能不", "不能", "可不", "了吗", "的吗", "么?", "呢?", "吗?", "公司", "单位", "企业", "咋办", "啥时", "哪里", "哪个", "知道")

func makeSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, r := range s {
		m[string(r)] = true
	}
	return m
}

func makeSet2(ss ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// span is one unit of text: a Han character, a number (digits . %), or an
// ASCII word; byte offsets into the normalised string.
type span struct{ start, end int }

// isHan reports a CJK ideograph (the unified blocks and their extensions),
// by range: unicode.Is is too slow for the index build's hot loop.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r == 0x3007 ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x3134F
}

func spans(s string, buf []span) []span {
	buf = buf[:0]
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHan(r):
			buf = append(buf, span{i, i + size})
			i += size
		case r >= '0' && r <= '9' || r == '%' || r == '.' && len(buf) > 0 && buf[len(buf)-1].end == i:
			j := i + size
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == '%') {
				j++
			}
			buf = append(buf, span{i, j})
			i = j
		case r >= 'a' && r <= 'z':
			j := i + size
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			buf = append(buf, span{i, j})
			i = j
		default:
			i += size
		}
	}
	return buf
}

// eachToken calls f for every unigram and bigram of normalised s that is
// not a stop n-gram.
func eachToken(s string, buf []span, f func(tok string)) []span {
	buf = spans(s, buf)
	for i, u := range buf {
		t := s[u.start:u.end]
		if !stopUni[t] {
			f(t)
		}
		if i+1 < len(buf) && buf[i+1].start == u.end {
			bi := s[u.start:buf[i+1].end]
			if !stopBi[bi] {
				f(bi)
			}
		}
	}
	return buf
}

// buildIndex indexes measures with their lexicon entries and staff questions.
func buildIndex(ms []*Measure, lx *Lexicon, extra map[string][]string, norm *normalizer) *index {
	ix := &index{
		norm:    norm,
		vocab:   make(map[string]int32, 16384),
		byID:    map[string]int32{},
		phrases: map[string][]*phrase{},
		oos:     map[string][]int{},
		oosHead: map[rune]bool{},
		common:  &lx.Common,
	}
	// The question bank is independent of the n-gram index: build it on
	// another core while this one indexes (start-up time is what a
	// one-shot `huiqi ask` pays).
	qbDone := make(chan struct{})
	go func() {
		defer close(qbDone)
		for i, m := range ms {
			if e := lx.Entry(m.ID); e != nil {
				for _, q := range e.Questions {
					ix.qbank.add(q, int32(i))
				}
			}
			for _, q := range extra[m.ID] {
				ix.qbank.add(q, int32(i))
			}
		}
	}()
	defer func() { <-qbDone }()
	// Lexicon phrases, fuzzy targets, out-of-scope words and small talk do
	// not touch the n-gram vocabulary either: a third goroutine.
	lexDone := make(chan struct{})
	go func() {
		defer close(lexDone)
		ix.buildLexicon(ms, lx)
	}()
	// Documents are indexed one after the other, so postings come out
	// sorted by document; tf is accumulated densely over the vocabulary.
	lens := make([]float32, len(ms))
	var tf []float32
	var touched []int32
	var buf []span
	cur := 0
	add := func(d int, text string, w float32) {
		cur = d
		if hasTradOnly(text) {
			// Lexicon lines written in traditional script repeat simplified
			// ones (queries are converted before search); indexing them
			// would load OpenCC at every start.
			return
		}
		buf = eachToken(basicNormalize(text), buf, func(tok string) {
			id, ok := ix.vocab[tok]
			if !ok {
				id = int32(len(ix.vocab))
				ix.vocab[tok] = id
				tf = append(tf, 0)
				ix.postings = append(ix.postings, nil)
			}
			if tf[id] == 0 {
				touched = append(touched, id)
			}
			tf[id] += w
			lens[d] += w
		})
	}
	flushDoc := func() {
		for _, id := range touched {
			ix.postings[id] = append(ix.postings[id], posting{int32(cur), tf[id]})
			tf[id] = 0
		}
		touched = touched[:0]
	}
	ix.docs = make([]docInfo, len(ms))
	for i, m := range ms {
		d := int32(i)
		ix.byID[m.ID] = d
		ix.docs[i] = docInfo{m: m, entry: lx.Entry(m.ID), once: new(sync.Once)}
		add(i, m.Title, wTitle)
		add(i, m.Section, wSection)
		add(i, m.Text, wText)
		for _, u := range m.Units {
			add(i, u, wUnit)
		}
		if e := ix.docs[i].entry; e != nil {
			for _, c := range e.Concepts {
				add(i, c.Term, wTerm)
				for _, s := range c.Say {
					add(i, s, wSay)
				}
			}
			for _, q := range e.Questions {
				add(i, q, wQuestion)
			}
		}
		for _, q := range extra[m.ID] {
			add(i, q, wQuestion)
		}
		flushDoc()
	}
	<-lexDone
	// postings, idf, length normalisation
	n := float64(len(ms))
	ix.idf = make([]float32, len(ix.vocab))
	for id, ps := range ix.postings {
		df := float64(len(ps))
		ix.idf[id] = float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
	}
	ix.maxIDF = float32(math.Log(1 + (n+0.5)/0.5))
	var total float32
	for _, l := range lens {
		total += l
	}
	avg := total / float32(max(1, len(lens)))
	for i := range ix.docs {
		ix.docs[i].norm = float32(bm25K1 * (1 - bm25B + bm25B*float64(lens[i]/avg)))
	}
	ix.pool.New = func() any { return &scratch{} }
	return ix
}

// buildLexicon fills the parts of the index that come from the lexicon's
// phrases rather than from n-grams.
func (ix *index) buildLexicon(ms []*Measure, lx *Lexicon) {
	phraseIdx := map[string]*phrase{}
	addPhrase := func(text, expand string, d int32, concept bool) {
		if hasTradOnly(text) || hasTradOnly(expand) {
			return
		}
		t := basicNormalize(text)
		if utf8.RuneCountInString(t) < 2 {
			return
		}
		key := t + "\x00" + expand
		p := phraseIdx[key]
		if p == nil {
			p = &phrase{text: t, expand: basicNormalize(expand), concept: concept}
			phraseIdx[key] = p
			ix.phrases[phraseKey(t)] = append(ix.phrases[phraseKey(t)], p)
		}
		if d >= 0 && (len(p.docs) == 0 || p.docs[len(p.docs)-1] != d) {
			p.docs = append(p.docs, d)
		}
	}
	ft := map[string]*fuzzyTarget{}
	addFuzzy := func(text string, d int32, w float64) {
		t := basicNormalize(text)
		f := ft[t]
		if f == nil {
			f = &fuzzyTarget{text: t, w: w}
			ft[t] = f
		}
		if len(f.docs) == 0 || f.docs[len(f.docs)-1] != d {
			f.docs = append(f.docs, d)
		}
	}
	for i, m := range ms {
		d := int32(i)
		for _, u := range m.Units {
			addFuzzy(u, d, 0.5)
		}
		addFuzzy(m.Title, d, 1)
		if e := lx.Entry(m.ID); e != nil {
			for _, c := range e.Concepts {
				addPhrase(c.Term, "", d, true)
				addFuzzy(c.Term, d, 1)
				for _, s := range c.Say {
					addPhrase(s, c.Term, d, true)
				}
			}
		}
	}
	for _, g := range lx.Common.Synonyms {
		for _, a := range g {
			for _, b := range g {
				if a != b {
					addPhrase(a, b, -1, false)
				}
			}
		}
	}
	for i, t := range lx.Common.OutOfScope {
		for _, s := range t.Say {
			if hasTradOnly(s) {
				continue
			}
			s = basicNormalize(s)
			if s == "" {
				continue
			}
			ix.oos[s] = append(ix.oos[s], i)
			r, _ := utf8.DecodeRuneInString(s)
			ix.oosHead[r] = true
			if n := utf8.RuneCountInString(s); n > ix.oosMax {
				ix.oosMax = n
			}
		}
	}
	ix.chat = newChatter(lx.Common.Chitchat)
	for _, f := range ft {
		ix.fuzzy = append(ix.fuzzy, *f)
	}
	sort.Slice(ix.fuzzy, func(i, j int) bool { return ix.fuzzy[i].text < ix.fuzzy[j].text })
	ix.fuzzyBy = map[rune][]int32{}
	for i, f := range ix.fuzzy {
		seen := map[rune]bool{}
		for _, r := range f.text {
			if !seen[r] {
				seen[r] = true
				ix.fuzzyBy[r] = append(ix.fuzzyBy[r], int32(i))
			}
		}
	}

}

// phraseKey is the first two units of a phrase (as the query side sees
// them), or the whole phrase when it has one unit.
func phraseKey(t string) string {
	sp := spans(t, nil)
	switch {
	case len(sp) == 0:
		return t
	case len(sp) == 1 || sp[1].start != sp[0].end:
		return t[sp[0].start:sp[0].end]
	}
	return t[sp[0].start:sp[1].end]
}

// splitSentences cuts a clause into sentences (at 。;!?) and each sentence
// into its comma-separated parts, recording their n-grams for snippets.
func splitSentences(text string, vocab map[string]int32) []sentence {
	var out []sentence
	for _, t := range cutAfter(text, "。;\uff1b!?\uff01\uff1f") {
		s := sentence{text: t, runes: utf8.RuneCountInString(t), tokens: tokenSet(t, vocab)}
		if parts := cutAfter(t, ",\uff0c"); len(parts) > 1 {
			for _, p := range parts {
				s.parts = append(s.parts, sentence{text: p, runes: utf8.RuneCountInString(p), tokens: tokenSet(p, vocab)})
			}
		}
		out = append(out, s)
	}
	return out
}

// cutAfter splits text after each rune of seps, dropping blank pieces.
func cutAfter(text, seps string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune(seps, r) {
			end := i + utf8.RuneLen(r)
			if t := strings.TrimSpace(text[start:end]); utf8.RuneCountInString(t) >= 2 {
				out = append(out, t)
			}
			start = end
		}
	}
	if t := strings.TrimSpace(text[start:]); utf8.RuneCountInString(t) >= 2 {
		out = append(out, t)
	}
	return out
}

func tokenSet(t string, vocab map[string]int32) []int32 {
	var ids []int32
	eachToken(basicNormalize(t), nil, func(tok string) {
		if id, ok := vocab[tok]; ok {
			ids = append(ids, id)
		}
	})
	slices.Sort(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

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
	type found struct {
		start, end int
		p          *phrase
	}
	var concepts []found
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
				concepts = append(concepts, found{rs[i].start, rs[i].start + len(p.text), p})
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
		strength := float32(utf8.RuneCountInString(f.p.text)) / float32(len(f.p.docs))
		for _, d := range f.p.docs {
			if strength > qq.conceptHit[d] {
				qq.conceptHit[d] = strength
			}
		}
	}
	// small talk
	qq.chitchat = ix.chat.classify(nq)
	qq.terms = make([]qterm, 0, len(qq.weights))
	for id, w := range qq.weights {
		qq.terms = append(qq.terms, qterm{id, w})
	}
	slices.SortFunc(qq.terms, func(a, b qterm) int { return int(a.id - b.id) })
	return qq
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

// confidence maps the top hit to [0,1]: a logistic on how much of the
// question the best measure explains (coverage), its score, how close the
// question is to one of the measure's typical questions, and whether a
// lexicon phrase named it. How far it leads the next one is left out on
// purpose: two close measures make a question ambiguous, not out of scope.
func confidence(hs []hit, qq *query) float64 {
	if len(hs) == 0 {
		return 0
	}
	top := hs[0]
	concept := 0.0
	if s := qq.conceptHit[top.doc]; s > 0 {
		concept = math.Min(1, float64(s)/3)
	}
	z := confBias + confCoverage*top.coverage + confConcept*concept +
		confScore*math.Min(1, top.score/20) + confQSim*top.qsim
	return 1 / (1 + math.Exp(-z))
}

// Calibrated by an L2-regularised logistic regression on the project's
// evaluation set (testdata/eval: in-scope questions against out-of-scope
// ones that name no out-of-scope topic), classes weighted equally.
const (
	confBias     = -7.48
	confCoverage = 5.0
	confConcept  = 3.41
	confScore    = 4.11
	confQSim     = 4.29
	// answerThreshold is the confidence below which huiqi abstains: on the
	// evaluation set it keeps ~98% of in-scope questions answered and
	// refuses every out-of-scope one.
	answerThreshold = 0.4
	// ambiguousMargin: top two closer than this (relative) are offered both.
	ambiguousMargin = 0.06
)

// search ranks and returns results with confidence; snippet from the query.
func (ix *index) search(q string, top int) ([]Result, *query, []hit) {
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)
	qq := ix.analyse(q, sc)
	if top <= 0 {
		top = 5
	}
	hs := ix.rank(qq, sc, max(top, minRanked))
	conf := confidence(hs, qq)
	var out []Result
	for i, h := range hs {
		if i >= top {
			break
		}
		d := &ix.docs[h.doc] // not a copy: sentences are filled lazily under once
		s := conf
		if i > 0 && hs[0].score > 0 {
			s = conf * h.score / hs[0].score
		}
		out = append(out, Result{
			ID: d.m.ID, Title: d.m.Title, Score: math.Round(s*1000) / 1000,
			Units: unitsOf(d.m), Measure: d.m, Ref: refOf(d.m),
			Snippet: ix.snippet(h.doc, qq, 1),
			Amounts: amountsOf(d.entry),
		})
	}
	return out, qq, hs
}

// cite puts a measure the question named first, with full confidence.
func (ix *index) cite(m *Measure, rs []Result, hs []hit, qq *query) ([]Result, []hit, float64) {
	d, ok := ix.byID[m.ID]
	if !ok {
		return rs, hs, confidence(hs, qq)
	}
	top := hit{doc: d, score: math.Inf(1), coverage: 1, qsim: 1}
	hs2 := []hit{top}
	for _, h := range hs {
		if h.doc != d {
			hs2 = append(hs2, h)
		}
	}
	di := &ix.docs[d]
	r := Result{ID: m.ID, Title: m.Title, Score: 1, Units: unitsOf(m), Measure: m, Ref: refOf(m),
		Snippet: ix.snippet(d, qq, 1), Amounts: amountsOf(di.entry)}
	rs2 := []Result{r}
	for _, x := range rs {
		if x.ID != m.ID && len(rs2) < len(rs) {
			rs2 = append(rs2, x)
		}
	}
	return rs2, hs2, 1
}

// maxSnippetRunes bounds a quoted sentence; longer ones are cut to the
// run of comma-separated parts that answers best.
const maxSnippetRunes = 120

// reAmount finds a sum of money or a rate in a clause (2万元, 0.8%, 300万元).
var reAmount = regexp.MustCompile(`[0-9.]+\s*(?:万元|亿元|元|%)`)

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

// snippet returns up to n sentences of a measure that share the most query
// weight, in text order, long sentences cut to their best parts.
func (ix *index) snippet(d int32, qq *query, n int) string {
	di := &ix.docs[d]
	di.once.Do(func() { di.sentences = splitSentences(di.m.Text, ix.vocab) })
	ss := di.sentences
	if len(ss) == 0 {
		return ""
	}
	money := ix.asksAmount(qq.norm)
	score := func(s *sentence) float32 {
		// merge of two sorted id lists
		var v float32
		if money && reAmount.MatchString(s.text) {
			// "给多少" is answered by the part that states the sum
			v += ix.maxIDF
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
		sc = append(sc, scored{i, score(&ss[i])})
	}
	sort.SliceStable(sc, func(a, b int) bool { return sc[a].s > sc[b].s })
	if sc[0].s == 0 {
		return ss[0].text // the item's title sentence
	}
	pick := []int{sc[0].i}
	if n > 1 && len(sc) > 1 && sc[1].s >= sc[0].s*0.6 && ss[sc[0].i].runes+ss[sc[1].i].runes <= maxSnippetRunes {
		pick = append(pick, sc[1].i)
	}
	sort.Ints(pick)
	var b strings.Builder
	for _, i := range pick {
		b.WriteString(ix.trimSentence(&ss[i], score))
	}
	return b.String()
}

// trimSentence returns a sentence, or for a long one the window of
// consecutive parts with the most query weight that fits maxSnippetRunes,
// marked with … where it was cut.
func (ix *index) trimSentence(s *sentence, score func(*sentence) float32) string {
	if s.runes <= maxSnippetRunes || len(s.parts) < 2 {
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
			if runes > maxSnippetRunes && j > i {
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

// refOf cites a measure the way people do: 二十条第3条.
func refOf(m *Measure) string {
	if m.Package == "" {
		return m.ID
	}
	return m.Package + "第" + strconv.Itoa(m.Number) + "条"
}

// questionBank holds the typical questions of every measure (lexicon and
// staff-added) for nearest-neighbour matching: a question phrased like one
// an owner asked before is strong evidence, and its similarity (Dice over
// bigrams) is a bounded signal for the confidence.
type questionBank struct {
	vocab map[string]int32
	post  [][]int32 // bigram → questions
	n     []uint8   // bigrams per question
	doc   []int32   // question → measure
}

// qbankWeight scales the best question similarity into the score.
const qbankWeight = 12.0

func (qb *questionBank) add(q string, d int32) {
	if hasTradOnly(q) {
		return // see buildIndex: traditional lines repeat simplified ones
	}
	if qb.vocab == nil {
		qb.vocab = make(map[string]int32, 4096)
	}
	id := int32(len(qb.doc))
	seen := map[int32]bool{}
	eachBigram(basicNormalize(q), func(bi string) {
		t, ok := qb.vocab[bi]
		if !ok {
			t = int32(len(qb.post))
			qb.vocab[bi] = t
			qb.post = append(qb.post, nil)
		}
		if !seen[t] {
			seen[t] = true
			qb.post[t] = append(qb.post[t], id)
		}
	})
	if len(seen) == 0 {
		return
	}
	qb.n = append(qb.n, uint8(min(len(seen), 255)))
	qb.doc = append(qb.doc, d)
}

// eachBigram calls f for each non-stop bigram (and each lone unit).
func eachBigram(s string, f func(string)) {
	var buf [64]span
	sp := spans(s, buf[:0])
	for i, u := range sp {
		if i+1 < len(sp) && sp[i+1].start == u.end {
			if bi := s[u.start:sp[i+1].end]; !stopBi[bi] {
				f(bi)
			}
		}
	}
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
