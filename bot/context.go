package bot

import (
	"slices"
	"strconv"
	"strings"

	"huiqi/knowledge"
)

// A conversation's context: what it is about now (the topic), what it was
// about before (the history, for "回到最开始那个"), and the list last offered
// (for "第二个"). It lives in the engine, so every channel gets it.

// topic is a measure or a package the conversation is about.
type topic struct {
	Kind string `json:"kind"` // "measure" or "package"
	ID   string `json:"id"`   // measure id, or the package's name (十八条)
	Q    string `json:"q,omitempty"`
	// Aspects are what the question that set the topic asked (unit,
	// amount …), inherited by "那…呢" follow-ups.
	Aspects []string `json:"aspects,omitempty"`
	Levels  []string `json:"levels,omitempty"`
	// Cands are the runner-up measures of the question, in case the
	// follow-up shows the question meant one of them.
	Cands []string `json:"cands,omitempty"`
}

// listState is the list last offered: measures of a part, the parts of a
// package, the items a clause enumerates, or a measure's amounts.
type listState struct {
	Kind  string     `json:"kind"` // measures, sections, items, amounts
	Of    string     `json:"of,omitempty"`
	Items []listItem `json:"items"`
}

type listItem struct {
	Label string `json:"label"`
	ID    string `json:"id,omitempty"` // a measure id, or a package for sections
	Text  string `json:"text,omitempty"`
}

const (
	topicMeasure = "measure"
	topicPackage = "package"
	// topicNotice: the last answer was a fact of the notice itself (文号,
	// dates, validity); it is the topic but never part of the history.
	topicNotice = "notice"
	maxHistory  = 12
)

// setTopic makes tp the conversation's topic and remembers it.
func (t *turn) setTopic(tp topic) {
	t.st.Topic = &tp
	h := t.st.History
	if n := len(h); n > 0 && h[n-1].Kind == tp.Kind && h[n-1].ID == tp.ID {
		h[n-1] = tp
	} else {
		h = append(h, tp)
	}
	if len(h) > maxHistory {
		// The first topic stays: "the first thing I asked".
		h = append(h[:1:1], h[len(h)-maxHistory+1:]...)
	}
	t.st.History = h
}

// aspectsOf lists the aspects a follow-up asked, in presentation order.
func aspectsOf(f *followUp) []string {
	var out []string
	for _, a := range aspectOrder {
		if f.aspects[a] {
			out = append(out, a)
		}
	}
	return out
}

func levelsOf(f *followUp) []string {
	var out []string
	for l := range f.levels {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// converse answers typed text outside any dialog, in the context of the
// conversation: a part of a package, a measure named, a return to an
// earlier topic, an item of the list offered, a follow-up on the topic, or
// a new question for the knowledge base.
func (t *turn) converse(text string) []Reply {
	lg := t.e.lang
	ms := t.e.d.Knowledge.Measures()
	f := lg.parseFollowUp(text, ms, t.packageNames(ms))
	if r, ok := t.structure(f, ms); ok {
		return r
	}
	if f.ref != nil {
		// An explicit measure overrides the context.
		return t.onMeasure(f.ref, f, nil, true)
	}
	if f.pkg != "" && t.aboutPackage(f) {
		return t.onPackage(f.pkg, f)
	}
	cur := t.st.Topic
	if cur != nil && cur.Kind == topicNotice {
		if r, ok := t.onNotice(text, f); ok {
			return r
		}
		cur, t.st.Topic = nil, nil
	}
	if f.ordinal != 0 && f.back == "" && t.st.List == nil && len(t.st.Offers) == 0 && cur != nil && cur.Kind == topicMeasure {
		// "第二个" after an answer that listed things without being asked
		// for a list: the list its question was about.
		if m, ok := t.e.d.Knowledge.Measure(cur.ID); ok {
			qf := lg.parseFollowUp(cur.Q, ms, nil)
			qf.listHead = qf.listHead || f.listHead
			if t.offerList(m, qf, cur.Levels) == "" {
				t.st.List = nil
			}
		}
	}
	if f.back != "" || (f.ordinal != 0 && t.st.List == nil && len(t.st.Offers) == 0 && len(t.st.History) > 0) {
		if tp, ok := t.fromHistory(f); ok {
			return t.onTopic(tp, f, true)
		}
	}
	if f.ordinal != 0 {
		if len(t.st.Offers) > 0 && t.st.List == nil {
			if i := ordinalIndex(f.ordinal, len(t.st.Offers)); i >= 0 {
				return t.pick(strconv.Itoa(i))
			}
		}
		if l := t.st.List; l != nil {
			if i := ordinalIndex(f.ordinal, len(l.Items)); i >= 0 {
				return t.onListItem(l, i, f)
			}
			return []Reply{{Text: "刚才的列表只有" + strconv.Itoa(len(l.Items)) + "项，请说第几项，例如“第1个”。"}}
		}
	}
	if f.empty() && f.anyCue() && !f.newTopic {
		if cur != nil {
			return t.onTopic(t.preferCandidate(*cur, f.soft), f, false)
		}
		return []Reply{{Text: "您问的是哪一项政策？请说出政策的名称或内容，例如“快捷通道找哪个部门？”“营收首次突破1亿元奖多少？”。",
			Choices: menuChoices()}}
	}
	if cur != nil && !f.newTopic {
		if tp, ok := t.stayOnTopic(*cur, f); ok {
			return t.onTopic(tp, f, false)
		}
	}
	return t.ask(text, f)
}

// aboutPackage reports whether a message naming a package (十八条有效期是一年吗)
// is about the package as a whole: nothing of its own, or nothing the
// knowledge base answers as a measure.
func (t *turn) aboutPackage(f *followUp) bool {
	if f.empty() {
		return true
	}
	a := t.e.d.Knowledge.Ask(f.text, 3, t.now)
	return !a.Answered || len(a.Results) == 0 || a.Results[0].Measure == nil || a.Results[0].Measure.Package != f.pkg
}

// ordinalIndex turns a 1-based ordinal (−1 the last) into an index.
func ordinalIndex(n, size int) int {
	switch {
	case n == -1 && size > 0:
		return size - 1
	case n >= 1 && n <= size:
		return n - 1
	}
	return -1
}

// fromHistory finds the earlier topic a message goes back to: the first
// one, the n-th one asked, or the one its words name.
func (t *turn) fromHistory(f *followUp) (topic, bool) {
	h := t.st.History
	if len(h) == 0 {
		return topic{}, false
	}
	switch {
	case f.back == "first":
		return h[0], true
	case f.ordinal != 0 && (f.back == "go" || f.back == "" || f.back == "recent") && len(f.tokens) == 0:
		if i := ordinalIndex(f.ordinal, len(h)); i >= 0 {
			return h[i], true
		}
	}
	if len(f.tokens) > 0 {
		// 回到刚才营收那个: the latest topic its words match best.
		best, bestScore := -1, 0
		for i := len(h) - 1; i >= 0; i-- {
			if s := hits(f.tokens, t.topicDoc(h[i])); s > bestScore {
				best, bestScore = i, s
			}
		}
		if best >= 0 {
			return h[best], true
		}
	}
	if f.back == "recent" && len(h) >= 2 {
		return h[len(h)-2], true
	}
	if f.back != "" {
		return h[len(h)-1], true
	}
	return topic{}, false
}

// stayOnTopic decides whether a message with words of its own is still
// about the topic (那设了研发机构的呢, 要是需要技术审查呢) or one of the
// topic question's runner-ups (技改 → 怎么申报 names 第15条's 申报), rather
// than a new question.
func (t *turn) stayOnTopic(cur topic, f *followUp) (topic, bool) {
	if cur.Kind != topicMeasure {
		if f.pkg != "" || f.anyCue() && f.numbersOnly() {
			return cur, true
		}
		return topic{}, false
	}
	han := hanTokens(f.tokens)
	curScore := hits(f.tokens, t.topicDoc(cur))
	best, bestScore := cur, curScore
	// A runner-up whose own text says what the follow-up asks (申报) and
	// the topic's text does not: the question meant it.
	own := t.textHits(f.tokens, cur.ID)
	for _, id := range cur.Cands {
		c := topic{Kind: topicMeasure, ID: id, Q: cur.Q, Aspects: cur.Aspects, Levels: cur.Levels}
		s := hits(f.tokens, t.topicDoc(c))
		if o := t.textHits(f.tokens, id); o > own && s >= bestScore && o*2 >= len(f.tokens) {
			best, bestScore, own = c, s, o
		}
	}
	// What the knowledge base makes of the message on its own.
	a := t.e.d.Knowledge.Ask(f.text, 3, t.now)
	if a.Answered && len(a.Results) > 0 && !a.Ambiguous {
		top := a.Results[0]
		if top.ID == best.ID {
			return best, true
		}
		other := hits(f.tokens, t.topicDoc(topic{Kind: topicMeasure, ID: top.ID}))
		if other > bestScore {
			return topic{}, false
		}
	}
	switch {
	case len(han) == 0 && f.anyCue():
		// Only figures (那要是涨了120%呢): a question about the topic.
		return best, true
	case bestScore*2 >= len(f.tokens) && bestScore > 0:
		return best, true
	case !a.Answered && a.Topic != "":
		// 那我工伤了找谁: the words it adds are a subject the knowledge
		// base declines on its own (工伤), however their characters fall
		// in the topic's text: a new question.
		return topic{}, false
	case f.refer && !a.Answered:
		// 这个政策…: it points at the topic, and the words it adds name
		// nothing the knowledge base answers.
		return best, true
	case len(f.aspects) > 0 && !a.Answered && t.charShare(han, best.ID) >= 0.5:
		// 利息怎么算 after the loan deferral: no word of it is in the text,
		// but its characters are (计息), and nothing else answers it.
		return best, true
	}
	return topic{}, false
}

func hanTokens(ts []string) []string {
	var out []string
	for _, t := range ts {
		if !startsWithDigit(t) {
			out = append(out, t)
		}
	}
	return out
}

// preferCandidate switches to a runner-up of the topic's question whose
// text has the words of the asking phrase (怎么申报 → the one that says
// 申报) when the topic's own text does not.
func (t *turn) preferCandidate(cur topic, soft []string) topic {
	if cur.Kind != topicMeasure || len(soft) == 0 || t.textHits(soft, cur.ID) > 0 {
		return cur
	}
	for _, id := range cur.Cands {
		if t.textHits(soft, id) > 0 {
			return topic{Kind: topicMeasure, ID: id, Q: cur.Q, Aspects: cur.Aspects, Levels: cur.Levels}
		}
	}
	return cur
}

// charShare is the share of the distinct characters of tokens that occur
// in a measure's own text.
func (t *turn) charShare(tokens []string, id string) float64 {
	m, ok := t.e.d.Knowledge.Measure(id)
	if !ok || len(tokens) == 0 {
		return 0
	}
	doc := norm(m.Title + m.Text)
	seen, in := map[rune]bool{}, 0
	for _, tk := range tokens {
		for _, r := range tk {
			if !seen[r] {
				seen[r] = true
				if strings.ContainsRune(doc, r) {
					in++
				}
			}
		}
	}
	return float64(in) / float64(len(seen))
}

// textHits counts the tokens found in a measure's own title and text.
func (t *turn) textHits(tokens []string, id string) int {
	m, ok := t.e.d.Knowledge.Measure(id)
	if !ok {
		return 0
	}
	return hits(tokens, norm(m.Title+"|"+m.Text))
}

// topicDoc is the normalised text a topic's words are matched against:
// the measure's title and text, its lexicon's words and conditions.
func (t *turn) topicDoc(tp topic) string {
	if tp.Kind == topicPackage {
		return norm(tp.ID)
	}
	m, ok := t.e.d.Knowledge.Measure(tp.ID)
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(m.Title + "|" + m.Text)
	if e := t.e.d.Knowledge.Lexicon(m.ID); e != nil {
		for _, c := range e.Concepts {
			b.WriteString("|" + c.Term + "|" + strings.Join(c.Say, "|"))
		}
		for _, c := range e.Conditions {
			b.WriteString("|" + c)
		}
		for _, a := range e.Amounts {
			b.WriteString("|" + a.Text + a.Condition)
		}
	}
	return norm(b.String())
}

// onTopic answers a follow-up on tp. back is set when the message went
// back to it, which makes it the topic again.
func (t *turn) onTopic(tp topic, f *followUp, back bool) []Reply {
	if tp.Kind == topicPackage {
		return t.onPackage(tp.ID, f)
	}
	m, ok := t.e.d.Knowledge.Measure(tp.ID)
	if !ok {
		t.st.Topic = nil
		return t.ask(f.text, f)
	}
	return t.onMeasure(m, f, &tp, back)
}

// onMeasure answers what f asks about m, and makes m the topic.
func (t *turn) onMeasure(m *knowledge.Measure, f *followUp, prev *topic, _ bool) []Reply {
	aspects := aspectsOf(f)
	levels := levelsOf(f)
	q := f.text
	var cands []string
	if prev != nil {
		if len(aspects) == 0 && (f.compare || f.refer || f.numbersOnly() || f.extreme != "" || len(f.levels) > 0) {
			aspects = prev.Aspects // 那…呢: asks again what was asked
		}
		if len(levels) == 0 {
			levels = prev.Levels
		}
		if prev.ID == m.ID {
			q = prev.Q
			cands = prev.Cands
		}
	}
	r := t.measureReply(m, f, aspects, levels, q)
	t.setTopic(topic{Kind: topicMeasure, ID: m.ID, Q: q, Aspects: aspects, Levels: levels, Cands: cands})
	t.st.Offers = nil
	t.st.LastQuestion = ""
	return []Reply{r}
}

// onListItem answers about the i-th item of the list offered.
func (t *turn) onListItem(l *listState, i int, f *followUp) []Reply {
	it := l.Items[i]
	switch l.Kind {
	case "measures":
		if m, ok := t.e.d.Knowledge.Measure(it.ID); ok {
			if len(f.aspects) == 0 {
				f.aspects[aspContent] = true
			}
			return t.onMeasure(m, f, nil, false)
		}
	case "sections":
		return t.sectionList(it.ID, it.Label)
	case "amounts":
		m, _ := t.e.d.Knowledge.Measure(l.Of)
		title := "第" + strconv.Itoa(i+1) + "档"
		c := &Card{Body: title + "：" + it.Label}
		if m != nil {
			c.Title = strings.TrimSpace(m.Ref() + " " + m.Title)
			if v := t.e.d.Knowledge.Validity(m, t.now); v.Text != "" {
				c.Fields = append(c.Fields, Field{Name: "有效期", Value: strings.TrimPrefix(v.Text, "时效提示：")})
			}
		}
		c.Footer = footerQuote
		return []Reply{{Card: c, Choices: answerChoices()}}
	case "items":
		m, _ := t.e.d.Knowledge.Measure(l.Of)
		var b strings.Builder
		b.WriteString("第" + strconv.Itoa(i+1) + "个是“" + it.Label + "”。")
		if it.Text != "" {
			b.WriteString(it.Text)
		}
		c := &Card{Body: b.String(), Footer: footerQuote}
		if m != nil {
			c.Title = strings.TrimSpace(m.Ref() + " " + m.Title)
			if lines := focus(m.Text, contentTokens(norm(it.Label)), 2); len(lines) > 0 {
				c.Body += "\n政策原文：" + strings.Join(lines, "")
			}
			if f.has(aspUnit) && len(m.Units) > 0 {
				c.Fields = append(c.Fields, Field{Name: "责任单位", Value: unitsLine(m)})
			}
		}
		return []Reply{{Card: c, Choices: answerChoices()}}
	}
	return t.menu("这个选项已经失效了，请重新输入问题：")
}

// packageNames are the names packages are cited by (二十条, 十八条).
func (t *turn) packageNames(ms []*knowledge.Measure) []string {
	var out []string
	for _, m := range ms {
		if m.Package != "" && !slices.Contains(out, m.Package) {
			out = append(out, m.Package)
		}
	}
	// Longest first: 二十条 before 十条.
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// onNotice answers a follow-up on a fact of the notice (这个通知什么时候印发的
// → 哪天公开发布的, 还有效吗) by asking it again about the notice: as said,
// then as each aspect it asks is plainly put. false when the message has
// no follow-up words or the knowledge base does not answer it so.
func (t *turn) onNotice(text string, f *followUp) ([]Reply, bool) {
	lg := t.e.lang
	if !f.anyCue() || f.newTopic || f.ref != nil {
		return nil, false
	}
	qs := []string{lg.noticeSubject + text}
	for _, a := range aspectsOf(f) {
		if p := lg.aspectAsk[a]; p != "" {
			qs = append(qs, lg.noticeSubject+p)
		}
	}
	for _, q := range qs {
		if a := t.e.d.Knowledge.Ask(q, 3, t.now); a.Answered && a.Kind == knowledge.KindNoticeFact {
			t.st.LastQuestion = ""
			return []Reply{{Text: a.Text, Choices: menuChoices()}}, true
		}
	}
	return nil, false
}
