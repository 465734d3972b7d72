package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"huiqi/internal/lazyre"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// The structure of the notices as people ask about it: a package as a
// whole (十八条讲的啥, 还有效吗), its parts (二十条第四部分有哪几条,
// 金融支持那部分), the measures of a part, and the lists inside a measure
// (三个平台是哪三个, 分几档). Every list shown is remembered, so "第二个"
// picks from it.

var (
	rePartNo    = lazyre.New(`第([一二三四五六七八九十\d]{1,3})(?:部分|大部分|方面|章|节)`)
	rePartNamed = lazyre.New(`(\p{Han}{2,10}?)(?:那|这|的)?(?:一)?(?:部分|方面)`)
	reParts     = lazyre.New(`(?:几|哪几|哪些|多少)(?:个)?(?:部分|方面)`)
)

// section is one part of a package with its measures.
type section struct {
	pkg      string
	no       int
	name     string // 一、全面加强金融支持力度
	measures []*knowledge.Measure
}

func sectionsOf(pkg string, ms []*knowledge.Measure) []section {
	var out []section
	for _, m := range ms {
		if m.Package != pkg {
			continue
		}
		if n := len(out); n > 0 && out[n-1].name == m.Section {
			out[n-1].measures = append(out[n-1].measures, m)
			continue
		}
		no := len(out) + 1
		if head, _, ok := strings.Cut(m.Section, "、"); ok {
			if v, ok := zhtext.ParseInt(head); ok {
				no = v
			}
		}
		out = append(out, section{pkg: pkg, no: no, name: m.Section, measures: []*knowledge.Measure{m}})
	}
	return out
}

// structure answers a question about the parts of a package.
func (t *turn) structure(f *followUp, ms []*knowledge.Measure) ([]Reply, bool) {
	if f.ref != nil {
		return nil, false
	}
	s := f.folded
	pkg := f.pkg
	if pkg == "" && t.st.Topic != nil {
		if t.st.Topic.Kind == topicPackage {
			pkg = t.st.Topic.ID
		} else if m, ok := t.e.d.Knowledge.Measure(t.st.Topic.ID); ok {
			pkg = m.Package
		}
	}
	pkgs := t.packageNames(ms)
	if pkg == "" && len(pkgs) == 1 {
		pkg = pkgs[0]
	}
	if reParts.MatchString(s) && pkg != "" && f.pkg != "" {
		return t.partsList(pkg, ms), true
	}
	var found []section
	if m := rePartNo.FindStringSubmatch(s); m != nil {
		n, _ := zhtext.ParseInt(m[1])
		for _, p := range pkgs {
			if pkg != "" && p != pkg {
				continue
			}
			for _, sec := range sectionsOf(p, ms) {
				if sec.no == n {
					found = append(found, sec)
				}
			}
		}
	} else if m := rePartNamed.FindStringSubmatch(strings.ReplaceAll(s, f.pkg, "")); m != nil {
		words := contentTokens(strings.TrimLeft(m[1], "里中的"))
		best := 0
		for _, p := range pkgs {
			if pkg != "" && f.pkg != "" && p != pkg {
				continue
			}
			for _, sec := range sectionsOf(p, ms) {
				h := hits(words, sec.name)
				switch {
				case h > best:
					best, found = h, []section{sec}
				case h == best && h > 0:
					found = append(found, sec)
				}
			}
		}
		if best*2 < len(words) {
			found = nil
		}
	}
	if len(found) == 0 {
		return nil, false
	}
	var b strings.Builder
	var items []listItem
	for _, sec := range found {
		_, title, _ := strings.Cut(sec.name, "、")
		fmt.Fprintf(&b, "《%s》第%s部分“%s”共%d条：\n", sec.pkg, zhtext.Numeral(sec.no), title, len(sec.measures))
		for _, m := range sec.measures {
			items = append(items, listItem{Label: m.Ref() + " " + m.Title, ID: m.ID})
			fmt.Fprintf(&b, "%d. %s %s\n", len(items), m.Ref(), m.Title)
		}
	}
	b.WriteString("想了解哪一条，可以说“第几个”，例如“第1个讲的啥”。")
	t.st.List = &listState{Kind: "measures", Items: items}
	t.setTopic(topic{Kind: topicPackage, ID: found[0].pkg, Q: f.text})
	return []Reply{{Text: b.String()}}, true
}

// partsList lists the parts of a package.
func (t *turn) partsList(pkg string, ms []*knowledge.Measure) []Reply {
	secs := sectionsOf(pkg, ms)
	var b strings.Builder
	fmt.Fprintf(&b, "《%s》分%d部分：\n", pkg, len(secs))
	var items []listItem
	for i, sec := range secs {
		items = append(items, listItem{Label: sec.name, ID: pkg})
		fmt.Fprintf(&b, "%d. %s（%s第%d–%d条）\n", i+1, sec.name, pkg, sec.measures[0].Number, sec.measures[len(sec.measures)-1].Number)
	}
	b.WriteString("想看哪一部分有哪几条，可以说“第几部分”。")
	t.st.List = &listState{Kind: "sections", Items: items}
	t.setTopic(topic{Kind: topicPackage, ID: pkg})
	return []Reply{{Text: b.String()}}
}

// sectionList lists the measures of one part (a pick from partsList).
func (t *turn) sectionList(pkg, name string) []Reply {
	ms := t.e.d.Knowledge.Measures()
	for _, sec := range sectionsOf(pkg, ms) {
		if sec.name != name {
			continue
		}
		var b strings.Builder
		var items []listItem
		_, title, _ := strings.Cut(sec.name, "、")
		fmt.Fprintf(&b, "《%s》第%s部分“%s”共%d条：\n", pkg, zhtext.Numeral(sec.no), title, len(sec.measures))
		for _, m := range sec.measures {
			items = append(items, listItem{Label: m.Ref() + " " + m.Title, ID: m.ID})
			fmt.Fprintf(&b, "%d. %s %s\n", len(items), m.Ref(), m.Title)
		}
		t.st.List = &listState{Kind: "measures", Items: items}
		return []Reply{{Text: strings.TrimRight(b.String(), "\n")}}
	}
	return t.menu("这个选项已经失效了，请重新输入问题：")
}

// packageOf finds a package by the name it is cited by, with its notice.
func (t *turn) packageOf(name string) (*knowledge.Notice, *knowledge.Package) {
	for _, n := range t.e.d.Knowledge.Notices() {
		for i := range n.Packages {
			if n.Packages[i].Name == name {
				return n, &n.Packages[i]
			}
		}
	}
	return nil, nil
}

// packageTerm says a package's term on today's date, from the notice's own
// words: 本措施印发之日起执行,有效期1年（至2024年2月12日），已到期; or that it
// states none.
func (t *turn) packageTerm(n *knowledge.Notice, p *knowledge.Package) string {
	issued := ""
	if n != nil && !n.Issued.IsZero() {
		issued = zhtext.Date(n.Issued) + "印发"
	}
	if p.ValidUntil.IsZero() {
		return fmt.Sprintf("《%s》（%s）没有写明有效期，是否仍在执行，请向各条的责任单位确认。", p.Name, issued)
	}
	basis := strings.TrimSuffix(strings.TrimLeft(p.ValidityText, "一二三四五六七八九十、"), "。")
	s := fmt.Sprintf("《%s》（%s）%s（至%s）", p.Name, issued, basis, zhtext.Date(p.ValidUntil))
	u := p.ValidUntil // a civil date, as the notice wrote it
	if zhtext.Day(t.now).After(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, zhtext.China())) {
		return s + "，已到期（今天是" + zhtext.Date(t.now) + "）。现在是否有接续政策，请向各条的责任单位确认。"
	}
	return s + "，目前仍在有效期内。"
}

// onPackage answers about a package as a whole: its term, its dates, or
// what it is (its parts, offered as a list).
func (t *turn) onPackage(name string, f *followUp) []Reply {
	n, p := t.packageOf(name)
	if p == nil {
		return t.ask(f.text, f)
	}
	t.setTopic(topic{Kind: topicPackage, ID: name, Q: f.text})
	var body []string
	switch {
	case f.has(aspValid) || f.has(aspUntil) || f.has(aspStart):
		if f.has(aspStart) && n != nil {
			s := fmt.Sprintf("《%s》由%s于%s印发", p.Name, n.DocNo, zhtext.Date(n.Issued))
			if !n.Published.IsZero() {
				s += "（" + zhtext.Date(n.Published) + "发布）"
			}
			if p.ValidityText != "" {
				s += "，" + strings.TrimSuffix(strings.TrimLeft(p.ValidityText, "一二三四五六七八九十、"), "。")
			}
			body = append(body, s+"。")
		}
		body = append(body, t.packageTerm(n, p))
	case f.has(aspUnit):
		body = append(body, fmt.Sprintf("《%s》各条的责任单位不同，请说明是哪一条，例如“%s第1条找谁”。", p.Name, p.Name))
	default:
		ms := t.e.d.Knowledge.Measures()
		secs := sectionsOf(name, ms)
		// 十八条里讲招商引资的是哪几条: the part whose heading the words name.
		best, bestN := -1, 0
		for i, s := range secs {
			if n := hits(f.tokens, norm(s.name)); n > bestN {
				best, bestN = i, n
			}
		}
		if best >= 0 {
			return t.sectionList(name, secs[best].name)
		}
		// 二十条里关于用工的有哪些: no heading says it; the package's
		// measures the words find.
		if r, ok := t.packageMeasuresAbout(name, f); ok {
			return r
		}
		head := fmt.Sprintf("《%s》", p.Title)
		if n != nil {
			head += fmt.Sprintf("（%s，%s印发）", n.DocNo, zhtext.Date(n.Issued))
		}
		total := 0
		for _, s := range secs {
			total += len(s.measures)
		}
		head += fmt.Sprintf("共%d条，分%d部分：", total, len(secs))
		body = append(body, head)
		var items []listItem
		for _, s := range secs {
			items = append(items, listItem{Label: s.name, ID: name})
			body = append(body, fmt.Sprintf("%s（第%d–%d条）", s.name, s.measures[0].Number, s.measures[len(s.measures)-1].Number))
		}
		t.st.List = &listState{Kind: "sections", Items: items}
		body = append(body, t.packageTerm(n, p), "想看哪一部分有哪几条，可以说“第几部分”。")
	}
	return []Reply{{Card: &Card{Title: "《" + p.Name + "》", Body: strings.Join(body, "\n"), Footer: footerQuote}}}
}

// offerList finds the list a question about m asks for, remembers it and
// returns it as text ("" when m has none that fits): the amounts by tier
// (分几档), or the items a clause enumerates (三个平台是哪三个).
func (t *turn) offerList(m *knowledge.Measure, f *followUp, levels []string) string {
	e := t.e.d.Knowledge.Lexicon(m.ID)
	if f.listHead && e != nil && len(e.Amounts) > 1 {
		// Only who pays narrows the list: every tier is an item.
		as := pickAmounts(e.Amounts, &followUp{}, levels, nil)
		// The tiers of one rule, the largest set; on a tie the one the
		// question's words match best.
		groups := map[string][]knowledge.Amount{}
		var order []string
		for _, a := range as {
			k := a.Rule + "|" + a.Level
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], a)
		}
		words := func(k string) int {
			n := 0
			for _, a := range groups[k] {
				n += hits(hanTokens(f.tokens), norm(a.Condition))
			}
			return n
		}
		best := order[0]
		for _, k := range order {
			if len(groups[k]) > len(groups[best]) || len(groups[k]) == len(groups[best]) && words(k) > words(best) {
				best = k
			}
		}
		var items []listItem
		var b strings.Builder
		b.WriteString("分" + strconv.Itoa(len(groups[best])) + "档：")
		for i, a := range groups[best] {
			label := zhtext.LevelName(a.Level) + " " + a.Text + "（" + a.Condition + "）"
			items = append(items, listItem{Label: strings.TrimSpace(label)})
			fmt.Fprintf(&b, "\n%d. %s", i+1, strings.TrimSpace(label))
		}
		t.st.List = &listState{Kind: "amounts", Of: m.ID, Items: items}
		return b.String()
	}
	var sources []string
	sources = append(sources, m.Text)
	if e != nil {
		sources = append(sources, e.Conditions...)
	}
	q := norm(f.text)
	toks := contentTokens(norm(f.rest))
	var best *enumeration
	bestScore := 0.0
	for _, en := range enumerations(sources...) {
		if numeric(en.items) {
			continue // sums are listed by tier from the amounts (分几档)
		}
		if s := listScore(en, toks, q); s > bestScore {
			e := en
			best, bestScore = &e, s
		}
	}
	if best == nil || bestScore < 1 {
		return ""
	}
	var items []listItem
	var b strings.Builder
	b.WriteString("包括：")
	for i, it := range best.items {
		li := listItem{Label: it}
		var pairs []string
		for _, p := range best.paired {
			pairs = append(pairs, p.lead+p.items[i])
		}
		if len(pairs) > 0 {
			li.Text = "（" + strings.Join(pairs, "；") + "）"
		}
		items = append(items, li)
		fmt.Fprintf(&b, "\n%d. %s%s", i+1, it, li.Text)
	}
	t.st.List = &listState{Kind: "items", Of: m.ID, Items: items}
	return b.String()
}

// packageMeasuresAbout lists the measures of a package that the message's
// own words find (二十条里关于用工的有哪些: the package's name, the list
// words and followups.json's topic_fillers taken out): those the knowledge
// base scores at least topicFloor, and at least a third of the best.
// false when the words find none of the package's.
func (t *turn) packageMeasuresAbout(pkg string, f *followUp) ([]Reply, bool) {
	words := " " + strings.ReplaceAll(f.rest, pkg, " ") + " "
	for _, w := range t.e.lang.topicFillers {
		words = strings.ReplaceAll(words, w, " ")
	}
	var kept []string
	for _, w := range strings.Fields(words) {
		if utf8.RuneCountInString(w) > 1 { // a lone character left by the cues (有关 → 关)
			kept = append(kept, w)
		}
	}
	words = strings.Join(kept, " ")
	if len(f.tokens) == 0 || words == "" {
		return nil, false
	}
	a := t.e.d.Knowledge.Ask(words, 10, t.now)
	var in []knowledge.Result
	for _, r := range a.Results {
		if r.Measure != nil && r.Measure.Package == pkg {
			in = append(in, r)
		}
	}
	if len(in) == 0 || in[0].Score < topicFloor {
		return nil, false
	}
	floor := max(topicFloor, in[0].Score/3)
	var b strings.Builder
	var items []listItem
	for _, r := range in {
		if r.Score < floor && len(items) > 0 {
			break
		}
		items = append(items, listItem{Label: r.Ref + " " + r.Title, ID: r.ID})
		fmt.Fprintf(&b, "\n%d. %s %s", len(items), r.Ref, r.Title)
	}
	t.st.List = &listState{Kind: "measures", Items: items}
	return []Reply{{Text: fmt.Sprintf("《%s》里与“%s”有关的有%d条：%s", pkg, strings.ReplaceAll(words, " ", ""), len(items), b.String())}}, true
}

// topicFloor is the least score a measure needs to be listed as about the
// words asked.
const topicFloor = 0.25
