package knowledge

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// The lexicon is curated data, reviewable against the notice: per measure the
// everyday words for its concepts, typical questions, amounts and
// conditions; and, shared, typos, synonyms, out-of-scope topics and chitchat.
//
//go:embed lexicon/*.json
var lexiconFS embed.FS

// Lexicon is the parsed lexicon data.
type Lexicon struct {
	Entries []*LexEntry // in file order
	Common  CommonLexicon
	byID    map[string]*LexEntry
}

// LexEntry is the lexicon of one measure.
type LexEntry struct {
	Measure    string    `json:"measure"`
	Concepts   []Concept `json:"concepts"`
	Questions  []string  `json:"questions"`
	Amounts    []Amount  `json:"amounts"`
	Conditions []string  `json:"conditions"`
}

// Concept is a notion of a measure with the words people use for it.
type Concept struct {
	Term string   `json:"term"`
	Say  []string `json:"say"`
	// OtherSenses are words that, in the same question, show the concept's
	// words used in another sense: 路由器 with 白名单, 图书馆 with 随借随还,
	// ETC with 快捷通道. The words then are no evidence for the measure.
	OtherSenses []string `json:"other_senses,omitempty"`
}

// Amount is a sum or figure a measure carries, with its condition, as the
// answers quote it.
type Amount struct {
	Text      string `json:"text"`
	Condition string `json:"condition"`
	// Concepts are the concept terms of the entry the amount is for, its
	// subject first (小升规 for the 2万元 of 当年度实现小升规): a question about
	// a concept is answered with its amounts, not every amount of the
	// measure.
	Concepts []string `json:"concepts,omitempty"`
	Level    string   `json:"level"`
	// Rule is the id of the award rule in eligibility's rules.json that
	// computes this amount (empty for figures that are not awards, such as
	// a guarantee rate); a test holds the two files to the same figures.
	Rule string `json:"rule,omitempty"`

	// The figure as data (Text parsed; for ingested notices read from the
	// clause): what kind of figure it is, its unit, the sum in whole yuan or
	// the percentage, a cap, and how often it is paid.
	Kind AmountKind `json:"kind,omitempty"`
	// Unit is the unit as written: 元, 万元, 亿元 or %.
	Unit string `json:"unit,omitempty"`
	// Yuan is the sum in yuan: the award, the most a range or a capped
	// award pays, or the threshold.
	Yuan int64 `json:"yuan,omitempty"`
	// MinYuan is the least a range pays (0.5万元-20万元 → 5000).
	MinYuan int64 `json:"min_yuan,omitempty"`
	// Percent is a rate in percent (50 for 50%).
	Percent float64 `json:"percent,omitempty"`
	// Cap is set when Yuan is a maximum (最高, 不超过, 封顶).
	Cap bool `json:"cap,omitempty"`
	// CapYuan is the most a rate pays (按1%奖励,最高不超过50万元).
	CapYuan int64 `json:"cap_yuan,omitempty"`
	// Per is how often: once (一次性) or year (每年, 年度); "" when unsaid.
	Per string `json:"per,omitempty"`
	// Basis is the sentence of the clause the figure is in.
	Basis string `json:"basis,omitempty"`
}

// AmountKind says what a figure of a clause is.
type AmountKind string

const (
	// KindAward is a sum paid to an enterprise (给予一次性奖励15万元).
	KindAward AmountKind = "award"
	// KindRange is a sum paid within bounds (给予0.5万元-20万元的扶持奖励).
	KindRange AmountKind = "range"
	// KindRate is a percentage paid of some base (贴息50%, 按采购额的1%奖励).
	KindRate AmountKind = "rate"
	// KindThreshold is a figure an enterprise must reach to qualify
	// (年销售收入首次突破1000万元的): a condition, not a payment.
	KindThreshold AmountKind = "threshold"
	// KindFund is money the government sets aside or raises, not paid to
	// one enterprise (安排专项资金500万元, 首期规模不低于2亿元的基金).
	KindFund AmountKind = "fund"
)

// CommonLexicon is the data shared by all measures.
type CommonLexicon struct {
	Typos      map[string]string `json:"typos"`
	Synonyms   [][]string        `json:"synonyms"`
	OutOfScope []OutOfScopeTopic `json:"out_of_scope"`
	Chitchat   []ChitchatKind    `json:"chitchat"`
	// AmountCues are the ways people ask "how much" (多少, 几万, 费率): such a
	// question is answered with the part of the clause that states the sum.
	AmountCues []string `json:"amount_cues"`
	// ListCues ask for an enumeration (哪三个, 分别是): the answer quotes the
	// sentences that carry it on.
	ListCues []string `json:"list_cues"`
	// Frame are the words of asking (请问, 来电人咨询, 咋, 有没有, 区里): what
	// is left of a question without them is its content, which a measure
	// must account for.
	Frame []string `json:"frame"`
	// Levels are the words that name a level of government (省里, 市级).
	Levels []LevelWords `json:"levels"`
	// AwardCues ask about an award or a subsidy (奖励, 补贴, 有钱拿).
	AwardCues []string `json:"award_cues"`
	// RecognitionCues ask how a title is won (认定条件, 怎么评上): for a
	// title the notice only rewards once another level has recognised it,
	// that is the other level's programme.
	RecognitionCues []string `json:"recognition_cues"`
	// ConditionCues ask for the conditions or procedure of a programme.
	ConditionCues []string `json:"condition_cues"`
	// PolicyCues ask what policies there are (有什么政策, 扶持措施): asked of
	// a level whose part the measure does not state (省里 for a city's
	// award), they ask for that level's programme.
	PolicyCues []string `json:"policy_cues"`
	// Documents are the words that name another document or year.
	Documents DocumentWords `json:"documents"`
	// Facts are the words that ask for a fact of the notice itself.
	Facts FactCues `json:"facts"`
	// English are the English words owners mix into questions, with the
	// Chinese they stand for (loan → 贷款): normalisation writes them so.
	// An English word not listed stays, and counts as content no measure
	// explains.
	English map[string]string `json:"english"`
	// Domain are the everyday words of enterprises and their business
	// (机器, 订单, 客户): content a measure need not explain, unlike a word
	// of another domain (路由器, 图书馆).
	Domain []string `json:"domain"`
}

// OutOfScopeTopic is a subject huiqi does not cover and where to turn.
type OutOfScopeTopic struct {
	Topic string   `json:"topic"`
	Say   []string `json:"say"`
	Refer string   `json:"refer"`
	// Absent marks a programme enterprises ask about that no clause of the
	// notices contains (稳岗返还, 研发费用加计扣除): the reply says plainly
	// that the notice does not contain it.
	Absent bool `json:"absent,omitempty"`
	// Pointer is the measure that only points at such policies (ind-13:
	// 持续落实国家、省、市…各项惠企政策), offered as where to ask, never as
	// the answer.
	Pointer string `json:"pointer,omitempty"`
}

// ChitchatKind is small talk huiqi recognises (greeting, thanks, who, bye,
// ack) and its one reply, which every channel gives.
type ChitchatKind struct {
	Kind string `json:"kind"`
	// Say are phrases that make a short message this kind (谢谢啊 holds 谢谢).
	Say []string `json:"say"`
	// Alone are phrases that are this kind only as the whole message
	// (开始, 喂: inside a question they mean something else).
	Alone []string `json:"alone,omitempty"`
	Reply string   `json:"reply"`
	// Then is what follows the reply: "" the menu is offered, "introduce"
	// huiqi says what it does, "end" nothing (the person is leaving).
	Then After `json:"then,omitempty"`
}

// withAwards is the lexicon with an entry for every measure of notices
// (ingested, so without a reviewed entry) whose text states money: its
// amounts are the measure's Awards, so answers and `measure` quote them as
// they quote the built-in notice's. lx itself is not changed.
func (lx *Lexicon) withAwards(notices []*Notice) *Lexicon {
	out := &Lexicon{Entries: slices.Clone(lx.Entries), Common: lx.Common, byID: maps.Clone(lx.byID)}
	for _, n := range notices {
		for pi := range n.Packages {
			for mi := range n.Packages[pi].Measures {
				m := &n.Packages[pi].Measures[mi]
				if len(m.Awards) == 0 || out.byID[m.ID] != nil {
					continue
				}
				e := &LexEntry{Measure: m.ID, Amounts: m.Awards}
				out.byID[m.ID] = e
				out.Entries = append(out.Entries, e)
			}
		}
	}
	return out
}

// enrichAmounts fills the data of the reviewed lexicon's amounts from their
// text (2万元 → award, 20000 yuan; 最高50万元 → a cap), where the lexicon
// does not set it.
func enrichAmounts(lx *Lexicon) {
	for _, e := range lx.Entries {
		for i := range e.Amounts {
			a := &e.Amounts[i]
			if a.Kind != "" {
				continue
			}
			text := strings.Join(strings.Fields(a.Text), "")
			figs := sentenceFigures(text)
			if len(figs) != 1 {
				continue
			}
			f := figs[0]
			a.Unit = f.unit
			switch {
			case strings.Contains(text, "以上") || strings.Contains(text, "以下"):
				a.Kind, a.Yuan = KindThreshold, f.yuan
			case f.unit == "%":
				a.Kind, a.Percent = KindRate, f.pct
			case f.rng:
				a.Kind, a.Yuan, a.MinYuan = KindRange, f.yuan, f.min
			default:
				a.Kind, a.Yuan = KindAward, f.yuan
				a.Cap = capWord(text[:f.st]) != ""
			}
			if strings.Contains(a.Condition, "一次性") {
				a.Per = "once"
			}
		}
	}
}

// Entry returns the lexicon of a measure (nil when it has none).
func (lx *Lexicon) Entry(id string) *LexEntry { return lx.byID[id] }

// ParseLexicon reads lexicon files: common.json and any number of files
// holding a JSON array of measure entries. Unknown fields are an error, so
// a misspelt key in the data fails loudly instead of being ignored.
func ParseLexicon(files map[string][]byte) (*Lexicon, error) {
	lx := &Lexicon{byID: map[string]*LexEntry{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	// Files are decoded in parallel (start-up time), merged in name order.
	type decoded struct {
		common  *CommonLexicon
		entries []*LexEntry
		err     error
	}
	results := make([]decoded, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := json.NewDecoder(bytes.NewReader(files[name]))
			dec.DisallowUnknownFields()
			r := &results[i]
			if path.Base(name) == "common.json" {
				r.common = &CommonLexicon{}
				if err := dec.Decode(r.common); err != nil {
					r.err = fmt.Errorf("lexicon %s: %w", name, err)
				}
				return
			}
			if err := dec.Decode(&r.entries); err != nil {
				r.err = fmt.Errorf("lexicon %s: %w", name, err)
			}
		}()
	}
	wg.Wait()
	for i, name := range names {
		r := results[i]
		if r.err != nil {
			return nil, r.err
		}
		if r.common != nil {
			lx.Common = *r.common
			continue
		}
		for i, e := range r.entries {
			if e == nil || strings.TrimSpace(e.Measure) == "" {
				return nil, fmt.Errorf("lexicon %s: entry %d has no measure id", name, i)
			}
			if _, dup := lx.byID[e.Measure]; dup {
				return nil, fmt.Errorf("lexicon %s: measure %s appears twice", name, e.Measure)
			}
			for j, c := range e.Concepts {
				if strings.TrimSpace(c.Term) == "" {
					return nil, fmt.Errorf("lexicon %s: %s concept %d has no term", name, e.Measure, j)
				}
			}
			terms := map[string]bool{}
			for _, c := range e.Concepts {
				terms[c.Term] = true
			}
			for _, a := range e.Amounts {
				for _, c := range a.Concepts {
					if !terms[c] {
						return nil, fmt.Errorf("lexicon %s: %s amount %q names concept %q, which the entry does not have", name, e.Measure, a.Text, c)
					}
				}
			}
			lx.byID[e.Measure] = e
			lx.Entries = append(lx.Entries, e)
		}
	}
	for from, to := range lx.Common.Typos {
		if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, fmt.Errorf("lexicon common.json: empty typo %q → %q", from, to)
		}
	}
	for _, t := range lx.Common.OutOfScope {
		if t.Topic == "" || len(t.Say) == 0 {
			return nil, fmt.Errorf("lexicon common.json: out_of_scope topic %q has no words", t.Topic)
		}
	}
	for _, c := range lx.Common.Chitchat {
		switch {
		case c.Kind == "" || len(c.Say)+len(c.Alone) == 0:
			return nil, fmt.Errorf("lexicon common.json: chitchat kind %q has no words", c.Kind)
		case strings.TrimSpace(c.Reply) == "":
			return nil, fmt.Errorf("lexicon common.json: chitchat kind %q has no reply", c.Kind)
		case c.Then != AfterOffer && c.Then != AfterIntroduce && c.Then != AfterEnd:
			return nil, fmt.Errorf("lexicon common.json: chitchat kind %q: then %q is not introduce, end or empty", c.Kind, c.Then)
		}
	}
	return lx, nil
}

// Check reports entries naming a measure id that is not in ids.
func (lx *Lexicon) Check(ids []string) error {
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	var errs []error
	for _, e := range lx.Entries {
		if !known[e.Measure] {
			errs = append(errs, fmt.Errorf("lexicon names unknown measure %q", e.Measure))
		}
	}
	return errors.Join(errs...)
}

// terms lists the words homophone tolerance protects: concept terms,
// synonyms and the targets of known typos. (Say-phrases are left out: they
// are many and colloquial, and loading their pinyin costs start-up time.)
func (lx *Lexicon) terms() []string {
	var ts []string
	for _, e := range lx.Entries {
		for _, c := range e.Concepts {
			ts = append(ts, c.Term)
		}
	}
	for _, g := range lx.Common.Synonyms {
		ts = append(ts, g...)
	}
	for _, to := range lx.Common.Typos {
		ts = append(ts, to)
	}
	// Programmes no clause has are misspelt too (研发费用加记扣除): their
	// names of three characters or more are targets, so the reply can say
	// the notice lacks them.
	for _, t := range lx.Common.OutOfScope {
		if t.Absent {
			for _, s := range t.Say {
				if utf8.RuneCountInString(s) >= 3 {
					ts = append(ts, s)
				}
			}
		}
	}
	return ts
}

// keepWords are real words, never typos of a term: the out-of-scope
// phrases, the words of asking, and the words that ask for a level, a
// document or a fact of the notice (文号 is not a misspelt 限号).
func (lx *Lexicon) keepWords() []string {
	var ks []string
	for _, t := range lx.Common.OutOfScope {
		ks = append(ks, t.Say...)
	}
	ks = append(ks, lx.Common.Frame...)
	for _, l := range lx.Common.Levels {
		ks = append(ks, l.Say...)
	}
	d := lx.Common.Documents
	for _, list := range [][]string{d.Kinds, d.Issuers, d.New, d.Times, d.Verbs, d.Interpretation} {
		ks = append(ks, list...)
	}
	f := lx.Common.Facts
	for _, list := range [][]string{f.DocNo, f.Issued, f.Published, f.When, f.Issuer, f.Addressees, f.Validity, f.Count, f.Basis, f.Title, f.Public, f.Subjects} {
		ks = append(ks, list...)
	}
	return ks
}

// embeddedLexicon parses the lexicon compiled into the binary, once.
var embeddedLexicon = sync.OnceValues(func() (*Lexicon, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(lexiconFS, "lexicon", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := lexiconFS.ReadFile(p)
		files[p] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	return ParseLexicon(files)
})
