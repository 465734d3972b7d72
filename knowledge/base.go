package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Result is one ranked measure for a query.
type Result struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Score   float64  `json:"score"` // calibrated confidence in [0,1]
	Units   []string `json:"units"`
	Snippet string   `json:"snippet"` // the sentence that answers the query
	// Ref is how people cite the measure: 二十条第3条.
	Ref string `json:"ref"`
	// Amounts are the money and figures the measure carries, as people write
	// them (2万元, 0.8%, 300万元以下), from the lexicon.
	Amounts []string `json:"amounts,omitempty"`
	// Validity is the 时效提示 of Base.Validity at the clock given to Ask;
	// Expired and ValidityStatus are its verdict. All three are empty from
	// Search.
	Validity       string   `json:"validity,omitempty"`
	Expired        bool     `json:"expired,omitempty"`
	ValidityStatus Status   `json:"validity_status,omitempty"`
	Measure        *Measure `json:"-"`
	// validityFirst: the answer opens with Validity (the notice has
	// expired or been replaced).
	validityFirst bool
}

// Answer is the reply to a question (the `ask` object of cli.md).
type Answer struct {
	Answered bool     `json:"answered"`
	Results  []Result `json:"results"`
	Text     string   `json:"answer"`
	// Ambiguous is set when the top two are too close to choose: Text then
	// asks "您问的是 A 还是 B?" and Results[0:2] are the two.
	Ambiguous bool `json:"ambiguous,omitempty"`
	// Confidence is the calibrated confidence of the best result.
	Confidence float64 `json:"confidence"`
	// Kind says why a question was not answered: "out_of_scope",
	// "chitchat:greeting" …; empty when answered.
	Kind string `json:"kind,omitempty"`
	// Topic is the lexicon's out-of-scope topic that decided the reply
	// (工伤, 子女上学, 稳岗返还), when one did: the question is about that,
	// whatever came before it in a conversation.
	Topic string `json:"topic,omitempty"`
}

// UnitResult is the `unit` object of cli.md.
type UnitResult struct {
	Unit string `json:"unit"`
	// Place is the place whose unit it is (units are canonical within
	// their place: 区发改局 of 阳泉市城区 is not 区发改局 of 昆明市官渡区).
	Place      string   `json:"place,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	Measures   []string `json:"measures"`
	Candidates []string `json:"candidates"`
}

// Base is the searchable knowledge base. It is safe for concurrent use:
// readers take the current index without locking; AddQuestion builds a new
// index and swaps it in.
type Base struct {
	notices  []*Notice
	measures []*Measure
	pkgOf    map[string]*Package // measure id → package
	byLower  map[string]*Measure // lower-cased measure id → measure, the first of a spelling
	noticeOf map[string]*Notice  // measure id → notice
	units    []placedUnit        // canonical units within their place, first-seen order
	lex      *Lexicon
	norm     *normalizer
	// meta is what the store says of an ingested notice (none for the
	// built-in one); supersededBy links a notice to the one replacing it.
	meta         map[*Notice]noticeMeta
	supersededBy map[*Notice]*Notice

	mu    sync.Mutex // serialises writers (AddQuestion)
	extra map[string][]string
	ix    atomic.Pointer[index]
}

// builtinParts is the parsed official notice, lexicon and index, built once
// per process and never modified.
type builtinParts struct {
	notice *Notice
	lex    *Lexicon
	norm   *normalizer
	ix     *index
}

var builtin = sync.OnceValues(func() (*builtinParts, error) {
	// The normaliser is built while the notice and the lexicon are parsed:
	// start-up time is what a one-shot `huiqi ask` costs.
	type normOrErr struct {
		n   *normalizer
		err error
	}
	ch := make(chan normOrErr, 1)
	go func() {
		n, err := defaultNormalizer()
		ch <- normOrErr{n, err}
	}()
	src, err := builtinSources()
	res := <-ch
	if err != nil {
		return nil, err
	}
	if res.err != nil {
		return nil, fmt.Errorf("knowledge: %w", res.err)
	}
	return &builtinParts{notice: src.notice, lex: src.lex, norm: res.n, ix: buildIndex(src.measures, src.lex, nil, res.n)}, nil
})

// sources are the parsed official notice and lexicon, checked against each
// other, and the measures in the base's order.
type sources struct {
	notice   *Notice
	lex      *Lexicon
	measures []*Measure
}

// builtinSources parses the embedded notice and lexicon once per process
// and checks them against each other.
var builtinSources = sync.OnceValues(func() (*sources, error) {
	// The notice and the lexicon are parsed in parallel: start-up time is
	// what a one-shot `huiqi ask` costs.
	type noticeOrErr struct {
		n   *Notice
		err error
	}
	ch := make(chan noticeOrErr, 1)
	go func() {
		n, err := OfficialNotice()
		ch <- noticeOrErr{n, err}
	}()
	lx, lerr := builtinLexicon()
	res := <-ch
	if res.err != nil {
		return nil, fmt.Errorf("knowledge: official notice: %w", res.err)
	}
	if lerr != nil {
		return nil, lerr
	}
	return sourcesOf(res.n, lx)
})

// sourcesOf checks the lexicon against the notice's measures.
func sourcesOf(n *Notice, lx *Lexicon) (*sources, error) {
	b := newBase([]*Notice{n}, lx, nil)
	if err := lx.Check(idsOf(b.measures)); err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	return &sources{notice: n, lex: lx, measures: b.measures}, nil
}

// builtinLexicon is the embedded lexicon with its amounts enriched (once
// per process: it is changed in place), after the embedded gazetteer and
// calibration are checked.
var builtinLexicon = sync.OnceValues(func() (*Lexicon, error) {
	lx, err := embeddedLexicon()
	if err == nil {
		_, err = builtinGazetteer()
	}
	if err == nil {
		_, err = builtinCalibration()
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	enrichAmounts(lx)
	return lx, nil
})

func idsOf(ms []*Measure) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// newBase lays out notices without building the index.
func newBase(notices []*Notice, lx *Lexicon, extra map[string][]string) *Base {
	b := &Base{
		notices: notices, lex: lx, extra: map[string][]string{},
		pkgOf: map[string]*Package{}, noticeOf: map[string]*Notice{}, byLower: map[string]*Measure{},
		meta: map[*Notice]noticeMeta{}, supersededBy: map[*Notice]*Notice{},
	}
	seenUnit := map[placedUnit]bool{}
	seenID := map[string]bool{}
	for _, n := range notices {
		place := n.Place
		if place == "" {
			place = HomePlace()
		}
		for pi := range n.Packages {
			p := &n.Packages[pi]
			for mi := range p.Measures {
				m := &p.Measures[mi]
				if seenID[m.ID] {
					continue // a re-ingested builtin measure: the first wins
				}
				seenID[m.ID] = true
				b.measures = append(b.measures, m)
				if l := strings.ToLower(m.ID); b.byLower[l] == nil {
					b.byLower[l] = m
				}
				b.pkgOf[m.ID] = p
				b.noticeOf[m.ID] = n
				for _, u := range m.Units {
					pu := placedUnit{place: place, name: u}
					if !seenUnit[pu] {
						seenUnit[pu] = true
						b.units = append(b.units, pu)
					}
				}
			}
		}
	}
	for id, qs := range extra {
		b.extra[id] = append([]string(nil), qs...)
	}
	return b
}

// Builtin is the base of the embedded official notice and lexicon.
func Builtin() (*Base, error) {
	parts, err := builtin()
	if err != nil {
		return nil, err
	}
	b := newBase([]*Notice{parts.notice}, parts.lex, nil)
	b.norm = parts.norm
	b.ix.Store(parts.ix)
	return b, nil
}

// LoadBase is Builtin plus the notices published in db and the questions
// staff attached to measures (db may be nil).
func LoadBase(ctx context.Context, db *sql.DB) (*Base, error) {
	return LoadBaseCached(ctx, db, "")
}

// LoadBaseCached is LoadBase with the built-in base of BuiltinCached(dir)
// when db adds nothing to it.
func LoadBaseCached(ctx context.Context, db *sql.DB, dir string) (*Base, error) {
	if db == nil {
		return BuiltinCached(dir)
	}
	stored, err := loadStored(ctx, db, true)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load notices: %w", err)
	}
	extra, err := LoadQuestions(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load questions: %w", err)
	}
	if len(stored) == 0 && len(extra) == 0 {
		return BuiltinCached(dir)
	}
	return baseWith(stored, extra)
}

// baseWith is the built-in notice with stored notices and questions.
func baseWith(stored []StoredNotice, extra map[string][]string) (*Base, error) {
	parts, err := builtin()
	if err != nil {
		return nil, err
	}
	notices := []*Notice{parts.notice}
	for _, s := range stored {
		notices = append(notices, s.Notice)
	}
	lx := parts.lex.withAwards(notices[1:])
	b := newBase(notices, lx, extra)
	for _, s := range stored {
		b.meta[s.Notice] = noticeMeta{id: s.ID, supersedes: s.Supersedes, state: s.State}
	}
	b.linkSupersessions()
	b.norm = parts.norm
	b.ix.Store(buildIndex(b.measures, b.lex, b.extra, b.norm))
	return b, nil
}

// Search ranks measures for a query (used by routing).
func (b *Base) Search(q string, top int) []Result {
	rs, _, _ := b.ix.Load().search(q, top)
	return rs
}

// Measure finds a measure by id (ind-03) or citation (二十条第3条).
func (b *Base) Measure(ref string) (*Measure, bool) {
	return parseMeasureRef(ref, b.measures, b.byLower)
}

// Measures lists every measure, builtin first.
func (b *Base) Measures() []*Measure { return append([]*Measure(nil), b.measures...) }

// Notices lists the parsed notices, builtin first.
func (b *Base) Notices() []*Notice { return append([]*Notice(nil), b.notices...) }

// Package returns the package a measure belongs to.
func (b *Base) Package(measureID string) (*Package, bool) {
	p, ok := b.pkgOf[measureID]
	return p, ok
}

// Lexicon returns the lexicon entry of a measure (nil when none).
func (b *Base) Lexicon(measureID string) *LexEntry { return b.lex.Entry(measureID) }

// inputError is bad input from a caller (exit status 2 in the CLI).
type inputError struct{ msg string }

func (e inputError) Error() string      { return e.msg }
func (e inputError) InvalidInput() bool { return true }

// maxQuestionRunes bounds a staff-added question.
const maxQuestionRunes = 200

// AddQuestion attaches a question to a measure in memory, effective at once
// (persisting it is the caller's job, see SaveQuestion).
func (b *Base) AddQuestion(measureID, question string) error {
	question = strings.TrimSpace(question)
	if question == "" {
		return inputError{"问题不能为空 / the question is empty"}
	}
	if utf8.RuneCountInString(question) > maxQuestionRunes {
		return inputError{fmt.Sprintf("问题太长（最多%d字）/ the question is longer than %d characters", maxQuestionRunes, maxQuestionRunes)}
	}
	if _, ok := b.pkgOf[measureID]; !ok {
		return inputError{fmt.Sprintf("没有措施 %q / no measure %q", measureID, measureID)}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, q := range b.extra[measureID] {
		if q == question {
			return nil
		}
	}
	extra := make(map[string][]string, len(b.extra)+1)
	for id, qs := range b.extra {
		extra[id] = qs
	}
	extra[measureID] = append(append([]string(nil), b.extra[measureID]...), question)
	b.extra = extra
	b.ix.Store(buildIndex(b.measures, b.lex, extra, b.norm))
	return nil
}

// MinConfidence is the confidence (Result.Score of the best result) below
// which Ask abstains (calibration.json); routing may use the same bar to
// decide that no measure fits.
func (b *Base) MinConfidence() float64 {
	if ix := b.ix.Load(); ix != nil && ix.cal != nil {
		return ix.cal.Answer
	}
	return 1
}
