package knowledge

// Edges: what the loaded notices do not answer, found from what a question
// names rather than from how well it matches. A question about another
// place (盂县, 晋城市城区), about a level's own programme the notice does not
// state (省里的小升规奖励), or about another document or year (晋政发…,
// 2025年的政策) is not answered with a measure, however well its words
// match one: the reply says what huiqi covers and where to turn.

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The kinds of Answer.Kind for questions outside the loaded notices.
const (
	KindOtherPlace  = "other_place"   // another place's policy
	KindOtherLevel  = "other_level"   // a level's own programme the notice does not state
	KindOtherNotice = "other_notice"  // another document, or another year's policy
	KindNotInNotice = "not_in_notice" // a programme or a sense no clause has
	KindOutOfScope  = "out_of_scope"  // a topic huiqi does not cover (the lexicon's), or no match
	KindUncertain   = "uncertain"     // close but not sure: candidates offered
	KindNoticeFact  = "notice_fact"   // answered: a fact of the notice itself (文号, dates, validity)
)

// LevelWords are the words that name a level of government in a question.
type LevelWords struct {
	Level string   `json:"level"` // district, city, province, national
	Say   []string `json:"say"`
}

// DocumentWords are the words that make a question about another document
// or another year's policy.
type DocumentWords struct {
	// Kinds are kinds of documents the loaded notices are not (条例, 规划,
	// 实施方案, 政府工作报告).
	Kinds []string `json:"kinds"`
	// Issuers are issuers and 文号 prefixes other than the notices' own
	// (晋政发, 国务院).
	Issuers []string `json:"issuers"`
	// New are the words that ask for a newer policy (新出台, 最新, 有变化).
	New []string `json:"new"`
	// Times are relative years (今年, 去年), which with a document word
	// (Verbs, or the generic 政策 of Generic) name a year's own policy.
	Times   []string `json:"times"`
	Verbs   []string `json:"verbs"`
	Generic []string `json:"generic"`
	// Interpretation names the 解读 the page links to as an image.
	Interpretation []string `json:"interpretation"`
	Picture        []string `json:"picture"`
	// IssuedBy (发的, 出台的) after a level or a unit, or DocNouns (文件,
	// 通知, 意见) after a unit, name that body's own document: 市政府最近
	// 发的稳增长政策, 城区税务局的减税文件.
	IssuedBy []string `json:"issued_by"`
	DocNouns []string `json:"doc_nouns"`
}

// levelMention is a level of government named in a question.
type levelMention struct {
	level      string
	text       string
	start, end int
}

// levelsIn finds the levels a normalised question names: the lexicon's
// level words and the places above the district (阳泉市 is the city, 山西省
// the province), leaving out words inside a responsible unit's name (国家
// of 国家税务总局阳泉市城区税务局).
func (ix *index) levelsIn(qq *query) []levelMention {
	nq := qq.norm
	var units [][2]int
	for _, u := range ix.unitNames {
		for at := 0; ; {
			i := strings.Index(nq[at:], u)
			if i < 0 {
				break
			}
			units = append(units, [2]int{at + i, at + i + len(u)})
			at += i + len(u)
		}
	}
	inUnit := func(s, e int) bool {
		for _, u := range units {
			if u[0] <= s && e <= u[1] && u[1]-u[0] > e-s {
				return true
			}
		}
		return false
	}
	var out []levelMention
	taken := make([]bool, len(nq)+1)
	for _, lw := range ix.common.Levels {
		for _, w := range lw.Say {
			w = basicNormalize(w)
			if w == "" {
				continue
			}
			for at := 0; ; {
				i := strings.Index(nq[at:], w)
				if i < 0 {
					break
				}
				s, e := at+i, at+i+len(w)
				at = e
				if inUnit(s, e) || taken[s] {
					continue
				}
				for k := s; k < e; k++ {
					taken[k] = true
				}
				out = append(out, levelMention{lw.Level, w, s, e})
			}
		}
	}
	if ix.gaz != nil {
		home := ix.gaz.Home()
		for _, m := range qq.places {
			if m.Place == home || !ix.gaz.Contains(m.Place, home) || taken[m.Start] || inUnit(m.Start, m.End) {
				continue
			}
			lv := "city"
			if m.Place.Level == "province" {
				lv = "province"
			}
			out = append(out, levelMention{lv, m.Text, m.Start, m.End})
		}
		for _, m := range qq.places {
			if m.Place == home && !inUnit(m.Start, m.End) {
				out = append(out, levelMention{"district", m.Text, m.Start, m.End})
			}
		}
	}
	slices.SortFunc(out, func(a, b levelMention) int { return a.start - b.start })
	return out
}

// otherPlace returns the place a question is about when it is not the
// district nor a level above it (盂县, 晋城市城区): nil when the question
// names the district itself by its full name, or no other place.
func (ix *index) otherPlace(qq *query) *Place {
	if ix.gaz == nil {
		return nil
	}
	home := ix.gaz.Home()
	var other *Place
	for _, m := range qq.places {
		switch {
		case m.Place == home && !m.Weak:
			return nil // 阳泉市城区 named outright: the question is ours
		case !ix.gaz.Contains(m.Place, home) && other == nil:
			other = m.Place
		}
	}
	return other
}

// asksLevel returns the level whose own programme a question asks about
// (amounts or conditions of the province, the city, the state), or "" when
// the district is the one asked (区里, 区级, 城区) or no level is named.
// A level word right before a title the measure names at that level (国家级
// 专精特新“小巨人”, 省级“专精特新”) is the title's, not the payer's.
func (ix *index) asksLevel(qq *query, d int32) (level string, m levelMention) {
	doc := &ix.docs[d]
	for _, lm := range ix.levelsIn(qq) {
		if lm.level == "district" {
			return "", levelMention{}
		}
		if level != "" {
			continue
		}
		if ix.titleLevel(qq, doc, lm) || ix.levelAsWritten(qq, doc, lm) {
			continue
		}
		level, m = lm.level, lm
	}
	return level, m
}

// titleLevel reports a level word that qualifies a title the measure pays
// for at that level (国家级 before 小巨人 in ind-03, whose amounts are for
// 国家级专精特新“小巨人”企业), or that is part of a phrase of the measure
// (省级专精特新): the level is then the title's, not the payer's.
func (ix *index) titleLevel(qq *query, doc *docInfo, lm levelMention) bool {
	d := ix.byID[doc.m.ID]
	for _, f := range qq.found {
		if !slices.Contains(f.p.docs, d) {
			continue
		}
		if f.start <= lm.start && f.end >= lm.end {
			return true
		}
		if f.start < lm.end || f.start-lm.end > 3 {
			continue
		}
		for _, a := range amountsOfEntry(doc.entry) {
			c := strings.NewReplacer("“", "", "”", "", "\"", "").Replace(basicNormalize(a.Condition))
			for _, w := range []string{f.p.text, f.p.expand} {
				if w != "" && strings.Contains(c, lm.text+w) {
					return true
				}
			}
		}
	}
	return false
}

// levelAsWritten reports a level word the question uses as the measure's
// own text does (中央预算内 of inv-12, 国家首台 of ind-16): the question then
// asks about what the district does with that level's programme.
func (ix *index) levelAsWritten(qq *query, doc *docInfo, lm levelMention) bool {
	rest := []rune(qq.norm[lm.end:])
	if len(rest) < 2 {
		return false
	}
	return strings.Contains(basicNormalize(doc.m.Text), lm.text+string(rest[:2]))
}

func amountsOfEntry(e *LexEntry) []Amount {
	if e == nil {
		return nil
	}
	return e.Amounts
}

// asksConditions reports a question about the conditions or the procedure
// of a programme (申报条件, 认定标准, 流程).
func (ix *index) asksConditions(nq string) bool { return cueIn(nq, ix.common.ConditionCues) != "" }

// asksWhen reports a question about when something happens or is
// published (啥时候, 公布): asked of another level, its own timetable.
func (ix *index) asksWhen(nq string) bool {
	f := ix.common.Facts
	return cueIn(nq, f.When) != "" || cueIn(nq, f.Published) != ""
}

// reDocNoQ finds a 文号 in a question: 晋政发〔2022〕25号, 城政办发2024, 城政办发〔2024〕1号.
var reDocNoQ = lazyRE(`(\p{Han}{1,8}?[发函字])\s*[〔\[(（【]?\s*((?:19|20)\d{2})\s*[〕\])）】]?\s*(?:(\d{1,4})\s*号)?`)

// reBook finds a title in 《》.
var reBook = lazyRE(`《([^《》]{2,80})》`)

// reYear finds a year.
var reYear = lazyRE(`((?:19|20)\d{2})\s*年?`)

// otherDocument is a document or a time a question names that the loaded
// notices are not; why says which, for the reply.
type otherDocument struct {
	name string // as named (晋政发〔2022〕25号, 《…》, 2025年)
	// cited is set when the document is one the notices themselves cite
	// as their basis (根据《阳泉市加快工业企业复工复产二十条措施》).
	cited string
	// picture: the 解读 the page links to as an image.
	picture bool
	// newer: a newer policy is asked for (有新的吗, 出新的了没); name is then
	// the time said with it (今年), or "".
	newer bool
}

// otherDocumentIn finds a document or a year the question names that the
// loaded notices are not.
func (b *Base) otherDocumentIn(qq *query, ix *index) *otherDocument {
	nq := qq.norm
	dw := ix.common.Documents
	has := func(list []string) string { return cueIn(nq, list) }
	if has(dw.Interpretation) != "" && has(dw.Picture) != "" {
		return &otherDocument{name: "解读", picture: true}
	}
	// a 文号 not of a loaded notice
	for _, m := range reDocNoQ.FindAllStringSubmatch(nq, -1) {
		if b.ownDocNo(m[1], m[2], m[3]) {
			continue
		}
		return &otherDocument{name: strings.TrimSpace(m[0])}
	}
	// a title not of a loaded notice: the city's own packages are cited by ours
	for _, m := range reBook.FindAllStringSubmatch(nq, -1) {
		if b.ownTitle(m[1]) {
			continue
		}
		od := &otherDocument{name: "《" + m[1] + "》"}
		od.cited = b.citedBasis(m[1])
		return od
	}
	// 市里的二十条, 复工复产二十条: a package name qualified by another level,
	// or closer to a cited basis than to ours
	if c := b.citedPackage(qq, ix); c != "" {
		return &otherDocument{name: c, cited: c}
	}
	if w := has(dw.Issuers); w != "" {
		return &otherDocument{name: w}
	}
	if name := ix.bodysDocument(qq); name != "" {
		return &otherDocument{name: name}
	}
	// 关于促进民营经济的意见: a title without 《》 that is not ours
	if m := reTitleQ.FindString(nq); m != "" && !b.ownTitle(m) {
		return &otherDocument{name: m}
	}
	if w := has(dw.Kinds); w != "" {
		return &otherDocument{name: w}
	}
	for _, m := range reYear.FindAllStringSubmatch(nq, -1) {
		if !b.yearInNotices(m[1]) {
			return &otherDocument{name: m[1] + "年"}
		}
	}
	// 有新标准没, 有变化吗: another year's policy when nothing of a measure
	// is named or a year is (限行的政策有没有调整 asks about the measure).
	if w := has(dw.New); w != "" && (len(qq.found) == 0 || has(dw.Times) != "") {
		return &otherDocument{name: has(dw.Times), newer: true}
	}
	if t := has(dw.Times); t != "" {
		if has(dw.Verbs) != "" {
			return &otherDocument{name: t}
		}
	}
	return nil
}

// reTitleQ finds a document's title written without 《》.
var reTitleQ = lazyRE(`关于[^，。,;；？?]{2,30}的(?:意见|通知|办法|决定|方案|规定|细则|若干措施)`)

// bodysDocument finds a level's or a unit's own document named by what
// follows it: a level, then within a few characters 发的/出台的 (市政府最近
// 发的); a responsible unit, then 的 and a document noun (税务局的…文件).
func (ix *index) bodysDocument(qq *query) string {
	nq := qq.norm
	dw := ix.common.Documents
	within := func(from int, words []string, runes int) string {
		rest := []rune(nq[from:])
		if len(rest) > runes {
			rest = rest[:runes]
		}
		r := string(rest)
		for _, w := range words {
			if strings.Contains(r, basicNormalize(w)) {
				return w
			}
		}
		return ""
	}
	for _, lm := range ix.levelsIn(qq) {
		if lm.level == "district" {
			continue
		}
		if w := within(lm.end, dw.IssuedBy, 8); w != "" {
			return lm.text + "…" + w
		}
	}
	for _, u := range ix.unitNames {
		i := strings.Index(nq, u)
		if i < 0 {
			continue
		}
		if w := within(i+len(u), dw.DocNouns, 10); w != "" {
			return u + "的" + w
		}
	}
	return ""
}

// ownDocNo reports a 文号 (prefix, year, number) of a loaded notice.
func (b *Base) ownDocNo(prefix, year, number string) bool {
	for _, n := range b.notices {
		d := basicNormalize(n.DocNo)
		if !strings.Contains(d, year) {
			continue
		}
		p := d
		if i := strings.IndexAny(d, "〔[("); i >= 0 {
			p = d[:i]
		}
		if !strings.HasSuffix(p, prefix) && !strings.HasSuffix(prefix, p) {
			continue
		}
		if number == "" || strings.Contains(d, "〕"+number+"号") {
			return true
		}
	}
	return false
}

// ownTitle reports a title naming a loaded notice or one of its packages.
func (b *Base) ownTitle(t string) bool {
	t = strings.TrimSuffix(basicNormalize(t), "措施")
	if t == "" {
		return true
	}
	for _, n := range b.notices {
		if strings.Contains(basicNormalize(n.Title), t) {
			return true
		}
		for _, p := range n.Packages {
			pt := basicNormalize(p.Title)
			if strings.Contains(pt, t) || strings.Contains(t, strings.TrimSuffix(pt, "措施")) {
				return true
			}
		}
	}
	return false
}

// citedBasis returns the basis a package's preamble cites (根据《…》) that t
// names, or "".
func (b *Base) citedBasis(t string) string {
	t = basicNormalize(t)
	for _, c := range b.citedDocuments() {
		if strings.Contains(c, t) || strings.Contains(t, strings.TrimSuffix(c, "措施")) {
			return c
		}
	}
	return ""
}

// reBasis finds the document a preamble says a package is based on.
var reBasis = lazyRE(`(?:根据|依据|按照)《([^《》]{2,80})》`)

// citedDocuments are the documents the packages' preambles cite as their
// basis, normalised.
func (b *Base) citedDocuments() []string {
	var out []string
	for _, n := range b.notices {
		for _, p := range n.Packages {
			for _, m := range reBasis.FindAllStringSubmatch(p.Preamble, -1) {
				if c := basicNormalize(m[1]); !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// citedPackage recognises a cited basis named by its package name (市里那个
// 复工复产二十条, 阳泉市复工复产二十条): the name of one of our packages that
// the question qualifies by a level above the district and not by the
// district, or with words the cited document has and ours has not.
func (b *Base) citedPackage(qq *query, ix *index) string {
	nq := qq.norm
	levels := ix.levelsIn(qq)
	district, above := false, false
	for _, l := range levels {
		if l.level == "district" {
			district = true
		} else {
			above = true
		}
	}
	for _, n := range b.notices {
		for _, p := range n.Packages {
			name := basicNormalize(p.Name)
			if name == "" || !strings.Contains(nq, name) {
				continue
			}
			for _, c := range b.citedDocuments() {
				if !strings.Contains(c, name) {
					continue
				}
				ours := commonRun(nq, basicNormalize(p.Title))
				theirs := commonRun(nq, c)
				if above && !district || theirs > ours {
					return "《" + c + "》"
				}
			}
		}
	}
	return ""
}

// commonRun is the length in runes of the longest run of a that b holds.
func commonRun(a, b string) int {
	ra := []rune(a)
	best := 0
	for i := range ra {
		for j := i + best + 1; j <= len(ra); j++ {
			if !strings.Contains(b, string(ra[i:j])) {
				break
			}
			best = j - i
		}
	}
	return best
}

// yearInNotices reports a year the loaded notices' text mentions.
func (b *Base) yearInNotices(y string) bool {
	for _, n := range b.notices {
		if !n.Issued.IsZero() && n.Issued.Format("2006") == y || !n.Published.IsZero() && n.Published.Format("2006") == y {
			return true
		}
		for _, p := range n.Packages {
			// (the end of a term is not a year the text names: 十八条 ends
			// in 2024, but a question about 2024 asks for another policy)
			if strings.Contains(p.Preamble, y) {
				return true
			}
			for _, m := range p.Measures {
				if strings.Contains(m.Text, y) {
					return true
				}
			}
		}
	}
	return false
}

// runeLen is the length of s in runes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// levelsDistrict reports a question that names the district (区里, 区级,
// 城区) as the one it asks about.
func (ix *index) levelsDistrict(qq *query) bool {
	for _, l := range ix.levelsIn(qq) {
		if l.level == "district" {
			return true
		}
	}
	return false
}

// recognisedTitle returns the concept of measure d a question asks how to
// win, when the measure only rewards it once recognised elsewhere (its
// amounts are for 首次认定的…企业): 小巨人认定条件 asks for the state's
// programme, not the district's. A question about the award itself (奖励,
// 配套) is the measure's.
func (ix *index) recognisedTitle(qq *query, d int32) string {
	nq := qq.norm
	if cueIn(nq, ix.common.RecognitionCues) == "" {
		return ""
	}
	// A sum asked besides makes it a question about the award; a cue of
	// money inside the recognition cue does not (the 标准 of 认定标准 is a
	// criterion, not a 补贴标准).
	if rest := withoutCues(nq, ix.common.RecognitionCues); ix.asksAward(rest) || ix.asksAmount(rest) {
		return ""
	}
	e := ix.docs[d].entry
	if e == nil {
		return ""
	}
	for _, c := range qq.conceptsOf(d) {
		for _, a := range e.Amounts {
			if len(a.Concepts) > 0 && basicNormalize(a.Concepts[0]) == c && strings.Contains(a.Condition, "认定") {
				return ix.termOf(d, c)
			}
		}
	}
	return ""
}

// withoutCues is nq with every occurrence of the cues cut out (a space in
// their place, so that words either side do not join).
func withoutCues(nq string, cues []string) string {
	for _, w := range cues {
		if w = basicNormalize(w); w != "" {
			nq = strings.ReplaceAll(nq, w, " ")
		}
	}
	return nq
}

// senseOnly reports a question whose only lexicon evidence for measure d is
// a phrase used in another sense (路由器白名单, 随借随还 图书馆): the measure
// then does not answer it, however its words match.
func (ix *index) senseOnly(qq *query, d int32) (senseHit, bool) {
	var hit *senseHit
	for i := range qq.senses {
		if slices.Contains(qq.senses[i].docs, d) {
			hit = &qq.senses[i]
			break
		}
	}
	if hit == nil {
		return senseHit{}, false
	}
	for _, f := range qq.found {
		if slices.Contains(f.p.docs, d) {
			return senseHit{}, false // other words of the measure's own
		}
	}
	return *hit, true
}
