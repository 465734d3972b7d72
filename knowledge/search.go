package knowledge

import (
	"math"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"
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
	// conds are the entry's amount conditions, normalised once.
	conds []string
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
	// docTokens are the sorted token ids of each measure (its text and
	// lexicon), for explaining a question by one measure.
	docTokens [][]int32
	// frame are the lexicon's words of asking by first rune, longest first.
	frame map[rune][]string
	// domain are the lexicon's everyday words of enterprises, likewise.
	domain map[rune][]string
	gaz    *Gazetteer
	cal    *calibration // the confidence model; checked when the builtin base is made
	// senses are, by concept term, the words that show its phrases used in
	// another sense (Concept.OtherSenses).
	senses map[string][]string
	// unitNames are the spellings of the responsible units, longest first
	// (a level word inside one is the unit's: 国家税务总局…).
	unitNames []string
}

type fuzzyTarget struct {
	text string
	docs []int32
	w    float64
}

func (f fuzzyTargets) String(i int) string { return f[i].text }
func (f fuzzyTargets) Len() int            { return len(f) }

type fuzzyTargets []fuzzyTarget

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
		// checked when the builtin base is made: an error leaves places unread
		ix.gaz, _ = builtinGazetteer()
		ix.cal, _ = builtinCalibration()
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
		if e := ix.docs[i].entry; e != nil {
			for _, a := range e.Amounts {
				ix.docs[i].conds = append(ix.docs[i].conds, basicNormalize(a.Condition))
			}
		}
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
	ix.docTokens = make([][]int32, len(ms))
	for id, ps := range ix.postings {
		for _, p := range ps {
			ix.docTokens[p.doc] = append(ix.docTokens[p.doc], int32(id))
		}
	}
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
	ix.senses = map[string][]string{}
	for _, m := range ms {
		if e := lx.Entry(m.ID); e != nil {
			for _, c := range e.Concepts {
				t := basicNormalize(c.Term)
				for _, w := range c.OtherSenses {
					if w = basicNormalize(w); w != "" && !slices.Contains(ix.senses[t], w) {
						ix.senses[t] = append(ix.senses[t], w)
					}
				}
			}
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
	ix.frame = map[rune][]string{}
	// Asking when or how long is asking too (截止日期, 有效期).
	frameWords := append(append(append([]string{}, lx.Common.Frame...), lx.Common.Facts.When...), lx.Common.Facts.Validity...)
	for _, f := range frameWords {
		if f = basicNormalize(f); f != "" && !hasTradOnly(f) {
			r, _ := utf8.DecodeRuneInString(f)
			ix.frame[r] = append(ix.frame[r], f)
		}
	}
	for r, fs := range ix.frame {
		sort.SliceStable(fs, func(i, j int) bool { return len(fs[i]) > len(fs[j]) })
		ix.frame[r] = fs
	}
	ix.domain = map[rune][]string{}
	for _, f := range lx.Common.Domain {
		if f = basicNormalize(f); f != "" && !hasTradOnly(f) {
			r, _ := utf8.DecodeRuneInString(f)
			ix.domain[r] = append(ix.domain[r], f)
		}
	}
	for r, fs := range ix.domain {
		sort.SliceStable(fs, func(i, j int) bool { return len(fs[i]) > len(fs[j]) })
		ix.domain[r] = fs
	}
	seenUnit := map[string]bool{}
	for _, m := range ms {
		for _, u := range m.Units {
			for _, n := range append([]string{u}, UnitAliases(u)...) {
				if n = basicNormalize(n); n != "" && !seenUnit[n] {
					seenUnit[n] = true
					ix.unitNames = append(ix.unitNames, n)
				}
			}
		}
	}
	sort.Slice(ix.unitNames, func(i, j int) bool { return len(ix.unitNames[i]) > len(ix.unitNames[j]) })
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
