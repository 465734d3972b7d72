package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// lookupItem is one measure as the hotline reads it out.
type lookupItem struct {
	ID, Ref, Title, Snippet string
	Amounts, Units          []string
	Validity                string
	Expired                 bool
	Score                   int // percent
	Script                  string
}

type lookupData struct {
	Query    string
	Answered bool
	// Answer is the knowledge base's answer, one line per element.
	Answer   []string
	Unit     string
	Items    []lookupItem
	UnitOnly []lookupItem
	// Refer: the question is not one huiqi answers (工伤怎么赔); the page
	// leads with where to turn and the 登记工单 action, the loose matches
	// folded below.
	Refer   bool
	CanFile bool
	// Placeholder suggests what to type: words the notice itself uses.
	Placeholder string
}

// lookupExamples are what the search box suggests: a topic, a unit and
// its pinyin initials that the notice has (a test asks the notice).
var lookupExamples = []string{"稳岗", "小升规", "人社局", "rsj"}

func lookupPlaceholder() string {
	return "输入几个字、单位名称或拼音首字母，如：" + strings.Join(lookupExamples, "、")
}

// spoken is what the hotline reads to a caller about one measure, in short
// sentences: which measure, what it pays and on what condition (or what it
// says), who handles it, and whether its dates have passed, as one
// sentence. Only facts of the notice: the amounts and conditions are the
// lexicon's, the dates knowledge's verdict.
type spoken struct {
	// Query is what the caller asked, to read its amounts first.
	Query               string
	Ref, Title, Snippet string
	Amounts             []knowledge.Amount
	Units               []string
	V                   knowledge.Validity
}

// maxSpokenAmounts is how many amounts the 话术 reads out; the rest are
// offered.
const maxSpokenAmounts = 3

func (sp spoken) script() string {
	var b strings.Builder
	b.WriteString("您好，您问的是")
	if sp.Ref != "" {
		b.WriteString(sp.Ref + "，")
	}
	b.WriteString(strings.TrimRight(sp.Title, "。") + "。")
	if len(sp.Amounts) > 0 {
		as := byQuery(sp.Amounts, sp.Query)
		for i, a := range as {
			if i == maxSpokenAmounts {
				fmt.Fprintf(&b, "另外还有%s项标准，需要的话我再逐项给您说。", zhtext.Count(len(as)-maxSpokenAmounts))
				break
			}
			b.WriteString(amountSentence(a))
		}
	} else if c := clauses(sp.Snippet, 2); c != "" && c != strings.TrimRight(sp.Title, "。")+"。" {
		b.WriteString("政策内容是：" + c)
	}
	lead := "责任单位"
	switch len(sp.Units) {
	case 0:
	case 1:
		lead = sp.Units[0]
		b.WriteString("这项由" + lead + "负责。")
	default:
		lead = sp.Units[0]
		co := sp.Units[1:]
		if len(co) > 2 {
			b.WriteString("这项由" + lead + "牵头，" + strings.Join(co[:2], "、") + "等" + zhtext.Count(len(co)) + "个单位配合。")
		} else {
			b.WriteString("这项由" + lead + "牵头，" + strings.Join(co, "、") + "配合。")
		}
	}
	b.WriteString(dateSentence(sp.V, lead))
	if len(sp.Amounts) > 0 {
		b.WriteString("能不能享受、具体金额，以" + lead + "审核为准。")
	} else {
		b.WriteString("具体怎么办，以" + lead + "的答复为准。")
	}
	b.WriteString("需要的话，我可以帮您登记，转给" + lead + "办理。")
	return b.String()
}

// districtFirst orders amounts district level first (what the district
// itself pays), keeping the lexicon's order within a level.
func districtFirst(as []knowledge.Amount) []knowledge.Amount {
	out := make([]knowledge.Amount, 0, len(as))
	for _, a := range as {
		if a.Level == "district" {
			out = append(out, a)
		}
	}
	for _, a := range as {
		if a.Level != "district" {
			out = append(out, a)
		}
	}
	return out
}

// amountSentence reads one amount with its condition: 营业收入首次突破3000万元，
// 区级1万元。 A condition that quotes the figure itself (最高不超过5万元) is
// read as it stands, and one that ends in its level (区级配套奖励) is not
// told the level twice.
func amountSentence(a knowledge.Amount) string {
	cond := punct(strings.TrimRight(a.Condition, "。；;，, "))
	level := zhtext.LevelName(a.Level)
	switch {
	case cond == "":
		return level + a.Text + "。"
	case strings.Contains(cond, strings.TrimPrefix(a.Text, "最高")):
		return cond + "。"
	case level != "" && strings.HasSuffix(cond, level+"配套奖励"):
		return cond + a.Text + "。"
	}
	return cond + "，" + level + a.Text + "。"
}

// byQuery orders amounts as the caller asked: those whose condition shares
// most characters with the query first, then the district's own, then the
// lexicon's order.
func byQuery(as []knowledge.Amount, q string) []knowledge.Amount {
	out := districtFirst(as)
	if q == "" {
		return out
	}
	score := func(a knowledge.Amount) int {
		n := 0
		for _, r := range a.Condition {
			if r > 0x2E80 && strings.ContainsRune(q, r) {
				n++
			}
		}
		return n
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
	return out
}

// dateSentence is the date warning of the 话术 in one sentence, from
// knowledge's verdict on the measure's dates; "" for a measure in force
// without a stated end.
func dateSentence(v knowledge.Validity, lead string) string {
	ask := "现在有没有接续政策，请向" + lead + "确认。"
	var last time.Time
	for _, w := range v.Windows {
		if w.Passed && w.Until.After(last) {
			last = w.Until
		}
	}
	switch v.Status {
	case knowledge.Passed:
		if !v.Until.IsZero() && (last.IsZero() || v.Until.After(last)) {
			return "这批措施的有效期到" + zhtext.Date(v.Until) + "，已经结束，" + ask
		}
		return "这条写明的时限到" + zhtext.Date(last) + "，已经过了，" + ask
	case knowledge.PartlyPassed:
		return "这条里有的时限到" + zhtext.Date(last) + "已经过了，其余内容是否仍在执行，请向" + lead + "确认。"
	case knowledge.NoTerm:
		return "文件没有写明有效期，现在是否仍在执行，请向" + lead + "确认。"
	case knowledge.InForce:
		if !v.Until.IsZero() {
			return "这批措施的有效期到" + zhtext.Date(v.Until) + "。"
		}
	}
	return ""
}

// clauses is the first n sentences of a quoted snippet, each ending in 。:
// a snippet cut short (…) loses its unfinished part rather than being read
// out with a dangling "…。".
func clauses(snippet string, n int) string {
	t := punct(strings.TrimSpace(snippet))
	if i := strings.Index(t, "…"); i >= 0 {
		t = t[:i]
		if j := strings.LastIndexAny(t, "。；，"); j >= 0 {
			t = t[:j]
		}
	}
	var out []string
	for _, c := range strings.FieldsFunc(t, func(r rune) bool { return r == '。' || r == '；' }) {
		if c = strings.Trim(c, "，、 "); c != "" {
			out = append(out, c+"。")
		}
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "")
}

// punct writes the notice's ASCII commas and semicolons as the Chinese
// marks a reader pauses at.
func punct(s string) string { return strings.NewReplacer(",", "，", ";", "；").Replace(s) }

// unitWords mark a query that names a responsible unit (区人社局, 中心, 义井镇).
var unitWords = []string{"局", "中心", "办公室", "委", "院", "大队", "分局", "镇", "街道", "政府", "部门"}

// looksLikeUnit reports whether q names a unit: pinyin initials (rsj), a
// unit word, or exactly the unit the knowledge base found. Other queries are
// about topics, and the base's loose unit match would only add noise.
func looksLikeUnit(q, unit string) bool {
	if q == unit {
		return true
	}
	ascii := q != ""
	for _, r := range q {
		ascii = ascii && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if ascii {
		return true
	}
	for _, w := range unitWords {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

// item is one measure of the lookup: the search result res when there is
// one (its snippet answers the query), with the measure's citation, dates
// and the 话术.
func (s *Server) item(id, query string, res *knowledge.Result, now time.Time) lookupItem {
	it := lookupItem{ID: id}
	sp := spoken{Query: query}
	if m, ok := s.kb.Measure(id); ok {
		it.Ref, it.Title, it.Units = m.Ref(), m.Title, m.Units
		sp.V = s.kb.Validity(m, now)
		it.Validity, it.Expired = sp.V.Text, sp.V.Expired
	}
	if res != nil {
		it.Snippet, it.Amounts, it.Score = res.Snippet, res.Amounts, int(res.Score*100+0.5)
		if res.Ref != "" {
			it.Ref = res.Ref
		}
		if res.Title != "" {
			it.Title = res.Title
		}
		if len(res.Units) > 0 {
			it.Units = res.Units
		}
		if res.Validity != "" {
			it.Validity, it.Expired = res.Validity, res.Expired
		}
	}
	if e := s.kb.Lexicon(id); e != nil {
		sp.Amounts = e.Amounts
	}
	sp.Ref, sp.Title, sp.Snippet, sp.Units = it.Ref, it.Title, it.Snippet, it.Units
	it.Script = sp.script()
	return it
}

func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	q, err := cleanText(r.URL.Query().Get("q"), "查询内容", maxQuestion, false)
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := lookupData{Query: q, CanFile: s.may(ss.User, intake.AbilityFile), Placeholder: lookupPlaceholder()}
	if q != "" {
		now := s.now()
		ans := s.kb.Ask(q, 5, now)
		d.Answered = ans.Answered
		d.Answer = strings.Split(strings.TrimSpace(ans.Text), "\n")
		seen := map[string]bool{}
		find := func(id string) *knowledge.Result {
			for i := range ans.Results {
				if ans.Results[i].ID == id {
					return &ans.Results[i]
				}
			}
			return nil
		}
		// A unit query lists the unit's own measures first.
		if u := s.kb.Unit(q); u.Unit != "" && looksLikeUnit(q, u.Unit) {
			d.Unit, d.Answer = u.Unit, nil
			for _, id := range u.Measures {
				if _, ok := s.kb.Measure(id); ok && !seen[id] {
					d.Items = append(d.Items, s.item(id, q, find(id), now))
					seen[id] = true
				}
			}
		}
		// A question huiqi does not answer leads with where to turn; what
		// the search still found is folded below it.
		d.Refer = d.Unit == "" && !ans.Answered
		for i := range ans.Results {
			res := &ans.Results[i]
			if seen[res.ID] {
				continue
			}
			it := s.item(res.ID, q, res, now)
			if d.Unit != "" || d.Refer {
				d.UnitOnly = append(d.UnitOnly, it) // after the unit's own, or folded
			} else {
				d.Items = append(d.Items, it)
			}
			seen[res.ID] = true
		}
	}
	p := page{Title: "政策查询", Nav: "lookup", Session: ss, D: d}
	if r.URL.Query().Get("partial") == "1" {
		// The live search of lookup.js swaps in just the results.
		s.renderAs(w, r, http.StatusOK, "lookup.html", "results", d)
		return
	}
	s.render(w, r, http.StatusOK, "lookup.html", p)
}
