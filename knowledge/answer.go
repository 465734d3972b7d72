package knowledge

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Ask answers a question; now decides which dates have passed.
//
// In order: a citation (二十条第3条) is answered with that measure; small
// talk gets its reply; a question about the notice itself (文号, dates,
// validity, how many measures) is answered from the notice; a question about
// another place, another document or year, or a topic the lexicon marks out
// of scope is declined with where to turn; otherwise the best measure is
// answered when the calibrated confidence is high enough and the question
// does not ask for a level's programme the measure does not state.
func (b *Base) Ask(q string, top int, now time.Time) Answer {
	if top <= 0 {
		top = 3
	}
	st := b.prepare(q, max(top, 2))
	ix, qq := st.ix, st.qq
	a := Answer{Results: st.rs, Confidence: round3(st.conf)}
	if a.Results == nil {
		a.Results = []Result{}
	}
	b.markValidity(a.Results, now)
	b.rerankAcrossNotices(a.Results, st.hs)
	if r, ok := b.rule(st, now); ok {
		// the place's own notice may have changed the results
		a.Results, a.Confidence = st.rs, round3(st.conf)
		if a.Results == nil {
			a.Results = []Result{}
		}
		a.Answered, a.Kind, a.Text, a.Topic = r.answered, r.kind, r.text, r.topic
		if r.answered {
			a.Confidence = 1
		}
		if r.noResults {
			a.Results = a.Results[:0]
		}
		if len(a.Results) > top {
			a.Results = a.Results[:top]
		}
		return a
	}
	if st.restricted {
		a.Results, a.Confidence = st.rs, round3(st.conf)
		b.markValidity(a.Results, now)
	}
	hs := st.hs
	if !st.cited && len(hs) > 0 && st.conf < ix.cal.Answer && !st.restricted {
		// 区级奖励的钱从哪里出: no one measure, but several say it alike.
		if text, rs := b.sharedAnswer(st); text != "" {
			a.Answered, a.Text, a.Results = true, text, rs
			b.markValidity(a.Results, now)
			return a
		}
	}
	// The confidence is calibrated on the built-in notice, whose measures
	// have a lexicon of everyday words; an ingested notice's have only
	// their text. A question naming the place of such a notice is already
	// confined to it (restricted), so a likely hit is answered.
	threshold := ix.cal.Answer
	if st.restricted {
		threshold = ix.cal.Tentative
	}
	if !st.cited && (len(hs) == 0 || st.conf < threshold) {
		a.Kind = KindOutOfScope
		a.Text = b.abstainText(qq, ix)
		if st.conf >= ix.cal.Tentative && len(a.Results) > 0 {
			// Not sure enough to answer, but close: offer the candidates
			// instead of a flat refusal.
			a.Kind = KindUncertain
			a.Text = tentativeText(a.Results, b.Scope())
		}
		if len(a.Results) > top {
			a.Results = a.Results[:top]
		}
		return a
	}
	a.Answered = true
	if len(hs) > 1 && hs[1].score >= hs[0].score*(1-ambiguousMargin) {
		a.Ambiguous = true
		r0, r1 := a.Results[0], a.Results[1]
		a.Text = fmt.Sprintf("您问的是“%s %s”还是“%s %s”？请说得具体一点，我再详细解答。\n%s：%s\n%s：%s",
			r0.Ref, r0.Title, r1.Ref, r1.Title, r0.Ref, r0.Snippet, r1.Ref, r1.Snippet)
	} else {
		a.Text = b.compose(&a.Results[0], qq, ix)
	}
	if len(a.Results) > top {
		a.Results = a.Results[:top]
	}
	return a
}

// asking is a question on its way through Ask: analysed, ranked, scored.
type asking struct {
	ix    *index
	qq    *query
	hs    []hit
	rs    []Result
	conf  float64
	top   int
	cited bool // the question cites a measure (二十条第3条)
	// restricted is set when the results are those of another place's
	// notice (the question named that place).
	restricted bool
}

// prepare analyses and ranks a question, a cited measure first.
func (b *Base) prepare(q string, top int) *asking {
	ix := b.ix.Load()
	rs, qq, hs := ix.search(q, top)
	st := &asking{ix: ix, qq: qq, hs: hs, rs: rs, conf: ix.confidence(hs, qq), top: top}
	if m, ok := b.citedMeasure(q); ok {
		// 二十条第3条是什么 / ind-03: the owner named the measure.
		st.rs, st.hs, st.conf = ix.cite(m, rs, hs, qq)
		st.cited = true
	}
	return st
}

// ruling is what one of Ask's rules decided.
type ruling struct {
	kind, text string
	topic      string // the out-of-scope topic that decided it
	answered   bool
	noResults  bool // the reply is not about a measure
}

// rule applies Ask's rules, which decide a question by what it names rather
// than by the confidence: small talk; the notice's own facts; another place,
// document or year; a topic the lexicon marks out of scope or a programme no
// clause has; a level's own programme the measure does not state. A
// question naming another place whose notice is loaded is ranked again
// within that notice (st is changed) and left to the confidence.
func (b *Base) rule(st *asking, now time.Time) (ruling, bool) {
	ix, qq := st.ix, st.qq
	if qq.chitchat >= 0 {
		// Small talk: the lexicon's reply; where it introduces huiqi, the
		// coverage (the bot shows its menu instead).
		sm := ix.common.Chitchat[qq.chitchat].smallTalk()
		text := sm.Reply
		if sm.Then == AfterIntroduce {
			text += b.Coverage()
		}
		return ruling{kind: "chitchat:" + sm.Kind, text: text, noResults: true}, true
	}
	if st.cited {
		return ruling{}, false
	}
	if text, ok := b.noticeFact(qq, ix, now); ok {
		return ruling{kind: KindNoticeFact, text: text, answered: true, noResults: true}, true
	}
	sure := st.conf >= ix.cal.Answer
	if p := ix.otherPlace(qq); p != nil {
		only := b.measuresOf(p)
		if len(only) == 0 {
			return ruling{kind: KindOtherPlace, text: b.otherPlaceText(p, st.rs, sure)}, true
		}
		// A notice of that place is loaded: answer from it alone.
		st.rs, st.hs = ix.searchWithin(qq, st.top, only)
		st.conf = ix.confidence(st.hs, qq)
		st.restricted = true
	} else if od := b.otherDocumentIn(qq, ix); od != nil {
		return ruling{kind: KindOtherNotice, text: b.otherDocumentText(od, st.rs, sure)}, true
	}
	if len(st.hs) > 0 {
		if sh, ok := ix.senseOnly(qq, st.hs[0].doc); ok {
			return ruling{kind: KindNotInNotice, text: b.senseText(sh, ix)}, true
		}
	}
	strongConcept := len(st.hs) > 0 && qq.conceptHit[st.hs[0].doc] >= strongConceptHit
	if len(qq.oosTopics) > 0 && !strongConcept {
		if t, phrase := ix.absentTopic(qq); t != nil {
			return ruling{kind: KindNotInNotice, text: b.absentText(t, phrase, qq, ix), topic: t.Topic}, true
		}
		return ruling{kind: KindOutOfScope, text: b.abstainText(qq, ix), topic: ix.oosTopicName(qq)}, true
	}
	if len(st.hs) > 0 && len(st.rs) > 0 {
		d := st.hs[0].doc
		level, lm := ix.asksLevel(qq, d)
		if level != "" {
			// its conditions, its timetable (名单啥时候公布), or what the
			// measure does not state of that level
			if ix.asksConditions(qq.norm) || ix.asksWhen(qq.norm) ||
				!ix.levelStated(qq, d, level) && (ix.asksAmount(qq.norm) || ix.asksAward(qq.norm) || cueIn(qq.norm, ix.common.PolicyCues) != "") {
				return ruling{kind: KindOtherLevel, text: b.otherLevelText(level, lm, &st.rs[0], qq, ix)}, true
			}
		}
		if title := ix.recognisedTitle(qq, d); title != "" && !ix.levelsDistrict(qq) {
			return ruling{kind: KindOtherLevel, text: b.recognitionText(title, &st.rs[0])}, true
		}
	}
	return ruling{}, false
}

// sharedMin is how many close measures must state the same thing for it to
// be the answer; sharedRunes how long the shared wording must be.
const (
	sharedMin   = 3
	sharedRunes = 8
)

// sharedAnswer answers a question no single measure is sure to answer when
// the close candidates' best sentences share a long run of words (以上区级
// 奖励从区中小企业发展专项资金支出 in five clauses): each clause's sentence is
// quoted. It returns "" when they do not.
func (b *Base) sharedAnswer(st *asking) (string, []Result) {
	ix, qq, hs := st.ix, st.qq, st.hs
	var close []hit
	for _, h := range hs {
		if h.score >= hs[0].score*0.8 {
			close = append(close, h)
		}
	}
	if len(close) < sharedMin {
		return "", nil
	}
	snips := make([]string, len(close))
	for i, h := range close {
		snips[i] = ix.snippet(h.doc, qq, 1)
	}
	common := snips[0]
	for _, s := range snips[1:] {
		common = longestCommon(common, s)
	}
	if runeLen(common) < sharedRunes {
		return "", nil
	}
	var sb strings.Builder
	sb.WriteString("这几条都有规定：")
	var rs []Result
	for i, h := range close {
		r := ix.result(h, hs, st.conf, qq)
		rs = append(rs, r)
		fmt.Fprintf(&sb, "\n【%s】%s：%s", r.Ref, r.Title, snips[i])
	}
	return sb.String(), rs
}

// longestCommon is the longest run of runes that a and b share.
func longestCommon(a, b string) string {
	ra := []rune(a)
	best := ""
	for i := range ra {
		for j := i + runeLen(best) + 1; j <= len(ra); j++ {
			if !strings.Contains(b, string(ra[i:j])) {
				break
			}
			best = string(ra[i:j])
		}
	}
	return best
}

// markValidity fills each result's 时效提示 for the day of now.
func (b *Base) markValidity(rs []Result, now time.Time) {
	for i := range rs {
		v := b.Validity(rs[i].Measure, now)
		rs[i].Validity, rs[i].Expired, rs[i].ValidityStatus = v.Text, v.Expired, v.Status
		rs[i].validityFirst = b.validityFirst(rs[i].Measure, now)
	}
}

// citeSuffixes are the words after a citation that ask for its content.
var citeSuffixes = []string{"讲的是什么", "说的是什么", "是什么内容", "是什么", "讲什么", "说什么", "的内容", "内容", "?", "？", "。", "吗", "呢"}

// citedMeasure recognises a question that is a citation (二十条第3条,
// ind-03, 十八条第12条是什么).
func (b *Base) citedMeasure(q string) (*Measure, bool) {
	q = strings.TrimSpace(q)
	for changed := true; changed; {
		changed = false
		for _, suf := range citeSuffixes {
			if t := strings.TrimSpace(strings.TrimSuffix(q, suf)); t != q && t != "" {
				q, changed = t, true
			}
		}
	}
	if utf8.RuneCountInString(q) > 16 {
		return nil, false
	}
	return parseMeasureRef(q, b.measures, b.byLower)
}

func tentativeText(rs []Result, sc Scope) string {
	var sb strings.Builder
	sb.WriteString("我不太确定您问的是哪条政策，可能相关的是：\n")
	for i, r := range rs {
		if i == 2 {
			break
		}
		fmt.Fprintf(&sb, "【%s】%s（%s）\n", r.Ref, r.Title, strings.Join(r.Units[:min(1, len(r.Units))], ""))
	}
	sb.WriteString("如果是其中一条，可以直接问“")
	sb.WriteString(rs[0].Ref)
	sb.WriteString("”；如果都不是，请换个说法，说明是奖励、贷款、审批、用工还是项目方面的事。")
	sb.WriteString("惠企助手只解答" + sc.Local + sc.Cited() + "惠企政策。")
	return sb.String()
}

// strongConceptHit: a lexicon phrase this long (in runes, divided by the
// measures sharing it) overrides an out-of-scope word in the same question.
const strongConceptHit = 6

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// oosTopicName is the name of the question's first out-of-scope topic.
func (ix *index) oosTopicName(qq *query) string {
	for _, t := range qq.oosTopics {
		if t >= 0 && t < len(ix.common.OutOfScope) {
			return ix.common.OutOfScope[t].Topic
		}
	}
	return ""
}

func (b *Base) abstainText(qq *query, ix *index) string {
	var sb strings.Builder
	sb.WriteString("抱歉，这个问题不在惠企助手能回答的范围内。")
	seen := map[string]bool{}
	for _, t := range qq.oosTopics {
		if t < len(ix.common.OutOfScope) {
			if r := ix.common.OutOfScope[t].Refer; r != "" && !seen[r] {
				seen[r] = true
				sb.WriteString(r)
			}
		}
	}
	sb.WriteString(b.Coverage())
	if len(seen) == 0 {
		sb.WriteString("如果您的问题与这些政策有关，请换个说法再问一次，比如说明是奖励、贷款还是审批方面的事。")
	}
	return sb.String()
}

// compose writes the answer to the best measure: package and number, the
// sentences that answer, amounts, units, dates.
func (b *Base) compose(r *Result, qq *query, ix *index) string {
	m := r.Measure
	var sb strings.Builder
	first := r.validityFirst || r.Expired && ix.asksNow(qq)
	if first && r.Validity != "" {
		// An expired or replaced notice says so before anything else, and
		// so does a measure whose dates have passed when the question
		// asks about today (现在还能申请吗).
		sb.WriteString(r.Validity + "\n")
	}
	fmt.Fprintf(&sb, "【%s】%s", r.Ref, r.Title)
	sb.WriteString(b.sourceNote(m))
	sb.WriteString("\n")
	if d, ok := ix.byID[m.ID]; ok {
		quoted := ix.snippet(d, qq, 2)
		if quoted != "" && quoted != m.Title+"。" {
			fmt.Fprintf(&sb, "政策原文：%s%s\n", quoted, repairNote(m, quoted))
		}
		ix.writeAmounts(&sb, qq, d)
		if e := ix.docs[d].entry; e != nil {
			// a condition stating another concept's sum is not this one's
			_, others, _ := ix.amountTexts(qq, d)
			if c := pickCondition(e.Conditions, qq, quoted, others); c != "" {
				fmt.Fprintf(&sb, "条件：%s\n", c)
			}
		}
	}
	if len(m.Units) > 0 {
		fmt.Fprintf(&sb, "责任单位：%s\n", unitsLine(m))
	}
	if r.Validity != "" && !first {
		sb.WriteString(r.Validity)
		sb.WriteString("\n")
	}
	return strings.TrimRight(sb.String(), "\n")
}

// pickAmounts returns up to n amounts: district level first (what the
// district itself pays), then those sharing words with the question, in
// data order otherwise; the result is grouped by level.
func pickAmounts(as []Amount, qq *query, n int) []Amount {
	type sc struct {
		a     Amount
		level int
		s     int
		i     int
	}
	var ss []sc
	for i, a := range as {
		s := 0
		for _, r := range a.Condition + a.Text {
			if isHan(r) && !stopUni[string(r)] && strings.ContainsRune(qq.norm, r) {
				s++
			}
		}
		ss = append(ss, sc{a, levelRank(a.Level), s, i})
	}
	better := func(x, y sc) bool {
		if x.level != y.level {
			return x.level < y.level
		}
		if x.s != y.s {
			return x.s > y.s
		}
		return x.i < y.i
	}
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && better(ss[j], ss[j-1]); j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
	if len(ss) > n {
		ss = ss[:n]
	}
	out := make([]Amount, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.a)
	}
	return out
}

// pickCondition returns the lexicon condition that shares most words with
// the question, unless the quoted snippet already says it.
func pickCondition(cs []string, qq *query, snippet string, avoid []string) string {
	qn := 0
	for _, r := range qq.norm {
		if isHan(r) && !stopUni[string(r)] {
			qn++
		}
	}
	best, bestScore := "", 0
	for _, c := range cs {
		if containsAnyOf(c, avoid) {
			continue
		}
		score, quoted, n := 0, 0, 0
		for _, r := range c {
			if !isHan(r) || stopUni[string(r)] {
				continue
			}
			n++
			if strings.ContainsRune(qq.norm, r) {
				score++
			}
			if strings.ContainsRune(snippet, r) {
				quoted++
			}
		}
		if n == 0 || quoted*10 >= n*8 {
			continue // the snippet already says it
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	if bestScore < 3 || bestScore*10 < qn*4 {
		return "" // not about what was asked
	}
	if rs := []rune(best); len(rs) > 80 {
		best = string(rs[:80]) + "…"
	}
	return best
}

func levelRank(l string) int {
	switch l {
	case "district":
		return 0
	case "":
		return 1
	case "city":
		return 2
	case "province":
		return 3
	}
	return 4
}

// unitsLine names the lead unit first: "区人社局（牵头），义井镇人民政府、各街道办事处（配合）".
func unitsLine(m *Measure) string {
	if m.CoUnitsFrom > 0 && m.CoUnitsFrom < len(m.Units) {
		return strings.Join(m.Units[:m.CoUnitsFrom], "、") + "（牵头），" + strings.Join(m.Units[m.CoUnitsFrom:], "、") + "（配合）"
	}
	if len(m.Units) == 1 {
		return m.Units[0]
	}
	return m.Units[0] + "（牵头）、" + strings.Join(m.Units[1:], "、")
}

// repairNote says where a quote holds a reviewed repair of a misprint of
// the notice (source/notices.json), so that the words quoted never differ
// from the notice's silently: （原文印作“首控次”，应为“首批次”）.
func repairNote(m *Measure, quoted string) string {
	if m.OriginalText == "" || quoted == "" {
		return ""
	}
	data, err := loadNoticeData()
	if err != nil {
		return ""
	}
	var notes []string
	for _, r := range data.Repairs {
		if !strings.Contains(m.OriginalText, r.From) || !strings.Contains(m.Text, r.To) {
			continue
		}
		from, to := minimalDiff(r.From, r.To)
		switch {
		case to == "" || !strings.Contains(quoted, strings.Trim(r.To, "。;,")):
			continue
		case from == "":
			notes = append(notes, fmt.Sprintf("原文漏印“%s”，引文已补上", to))
		default:
			notes = append(notes, fmt.Sprintf("原文印作“%s”，应为“%s”", from, to))
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return "（" + strings.Join(notes, "；") + "）"
}

// minimalDiff strips the common prefix and suffix of a and b, in runes:
// 首控次/首批次 → 控/批.
func minimalDiff(a, b string) (string, string) {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	j := 0
	for j < len(ra)-i && j < len(rb)-i && ra[len(ra)-1-j] == rb[len(rb)-1-j] {
		j++
	}
	if len(ra)-j > i && len(rb)-j > i && len(ra)-i-j <= 2 {
		// a changed character: name the word around it
		lo, hi := max(0, i-1), min(len(rb), len(rb)-j+1)
		lo2, hi2 := max(0, i-1), min(len(ra), len(ra)-j+1)
		return string(ra[lo2:hi2]), string(rb[lo:hi])
	}
	return string(ra[i : len(ra)-j]), string(rb[i : len(rb)-j])
}

// asksNow reports whether a question asks whether something still holds
// today (the lexicon's facts.now, or its validity words).
func (ix *index) asksNow(qq *query) bool {
	return cueIn(qq.norm, ix.common.Facts.Now) != "" || cueIn(qq.norm, ix.common.Facts.Validity) != ""
}
