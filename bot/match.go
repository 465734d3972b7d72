package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"huiqi/internal/lazyre"
	"huiqi/knowledge"
)

// The follow-up answers quote the notice: the clause of a measure that
// answers what was asked, the items of a list it enumerates, the amounts its
// lexicon states with their conditions. These helpers find them by the
// words a message shares with the text; they know no measure.

// hits counts the tokens found in doc (both normalised alike).
func hits(tokens []string, doc string) int {
	n := 0
	for _, t := range tokens {
		if strings.Contains(doc, t) {
			n++
		}
	}
	return n
}

// norm is the form texts are compared in: knowledge's normalisation
// (simplified, half-width, Chinese numerals as digits: 三千万 → 3000万).
func norm(s string) string { return knowledge.Normalize(s) }

// clauses splits a measure's text into its sentences and the parts of long
// ones (at ；), keeping each as written.
func clauses(text string) []string {
	var out []string
	for _, s := range splitKeep(text, "。；;") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// splitKeep splits after each separator, keeping it with the part before.
func splitKeep(s, seps string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune(seps, r) {
			out = append(out, s[start:i+utf8.RuneLen(r)])
			start = i + utf8.RuneLen(r)
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// focus returns the clauses of text that share the most tokens with the
// question, best first (at most n); nil when none shares any.
func focus(text string, tokens []string, n int) []string {
	if len(tokens) == 0 {
		return nil
	}
	type scored struct {
		s   string
		hit int
		i   int
	}
	var ss []scored
	best := 0
	for i, c := range clauses(text) {
		h := hits(tokens, norm(c))
		if h > 0 {
			ss = append(ss, scored{c, h, i})
			best = max(best, h)
		}
	}
	if best == 0 {
		return nil
	}
	ss = slices.DeleteFunc(ss, func(s scored) bool { return s.hit < best })
	if len(ss) > n {
		ss = ss[:n]
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.s
	}
	return out
}

// reTime finds the time expressions of a clause: 2023年, 一季度, 年内, 5月, 之日起.
var reTime = lazyre.New(`\d{4}年|[一二三四1-4]季度|年内|年底|年初|上半年|下半年|\d{1,2}月|[一二三四五六七八九十]{1,2}月|之日起|起执行|延至|截至|截止|期间|有效期|当年度|从\d{4}年起`)

// timeClauses are the clauses of text that state a time.
func timeClauses(text string) []string {
	var out []string
	for _, c := range clauses(text) {
		if reTime.MatchString(c) {
			out = append(out, c)
		}
	}
	return out
}

// enumeration is a list a clause spells out (A、B和C), with the words
// around it that say what the items are.
type enumeration struct {
	items  []string
	before string // up to 16 characters before the list
	after  string // up to 16 characters after it
	clause string // the sentence it is in
	// paired are lists of figures of the same length in the same sentence
	// (分别给予30万元、50万元…), with what precedes each.
	paired []pairedList
}

type pairedList struct {
	lead  string
	items []string
}

var (
	reListNum   = lazyre.New(`^\d+(?:\.\d+)?(?:%|万元|亿元|万|亿|元|个百分点)?`)
	reTrailNum  = lazyre.New(`\d+(?:\.\d+)?(?:%|万元|亿元|万|亿|元|个百分点)?$`)
	reLastStop  = lazyre.New(`等|[一二两三四五六七八九十\d][种项个类大]|以上|以下|三位一体`)
	listLeaders = []string{"的", "对", "按照", "搭建", "加强", "聚焦", "围绕", "包括", "即", "给予", "奖励", "落实", "开展", "推广", "支持", "在", "为"}
)

// enumerations finds the lists of a measure's text and its lexicon's
// conditions, in order, without repeating a list.
func enumerations(sources ...string) []enumeration {
	var out []enumeration
	seen := map[string]bool{}
	for _, src := range sources {
		for _, sentence := range splitKeep(src, "。") {
			var lists []enumeration
			for _, part := range splitKeep(sentence, "，,；;：:()（）") {
				if e, ok := parseList(part, sentence); ok {
					lists = append(lists, e)
				}
			}
			for i := range lists {
				if numeric(lists[i].items) {
					continue
				}
				for j := range lists {
					if i != j && numeric(lists[j].items) && len(lists[j].items) == len(lists[i].items) {
						lists[i].paired = append(lists[i].paired, pairedList{lead: pairLead(lists[j].before), items: lists[j].items})
					}
				}
			}
			for _, e := range lists {
				key := strings.Join(e.items, "|")
				if !seen[key] {
					seen[key] = true
					out = append(out, e)
				}
			}
		}
	}
	return out
}

func pairLead(before string) string {
	s := strings.NewReplacer("分别", "", "一次性", "", "在", "").Replace(before)
	if rs := []rune(s); len(rs) > 8 {
		s = string(rs[len(rs)-8:])
	}
	return s
}

func numeric(items []string) bool {
	for _, it := range items {
		if !reListNum.MatchString(it) || reListNum.FindString(it) != it {
			return false
		}
	}
	return true
}

// parseList reads one clause as a list when it has two or more items
// separated by 、 (and 和/及 before the last).
func parseList(part, sentence string) (enumeration, bool) {
	part = strings.TrimRight(part, "，,；;：:()（）。")
	if !strings.Contains(part, "、") {
		return enumeration{}, false
	}
	// A quoted list (“线上、线下、热线”) is exactly the quote.
	if i := strings.Index(part, "“"); i >= 0 {
		if j := strings.Index(part[i:], "”"); j > 0 && strings.Contains(part[i:i+j], "、") {
			inner := part[i+len("“") : i+j]
			items := strings.Split(inner, "、")
			return enumeration{items: items, before: tail(part[:i], 16), after: head(part[i+j+len("”"):], 16), clause: sentence}, len(items) >= 2
		}
	}
	segs := strings.Split(part, "、")
	lastSeg := segs[len(segs)-1]
	for _, sep := range []string{"以及", "和", "及", "与"} {
		if a, b, ok := strings.Cut(lastSeg, sep); ok && a != "" && b != "" {
			segs = append(segs[:len(segs)-1], a, b)
			break
		}
	}
	if len(segs) < 2 {
		return enumeration{}, false
	}
	mid := segs[1 : len(segs)-1]
	isNum := len(mid) > 0 && numeric(mid) || len(mid) == 0 && reTrailNum.MatchString(segs[0]) && reListNum.MatchString(segs[len(segs)-1])
	first, last := segs[0], segs[len(segs)-1]
	var before, after string
	if isNum {
		loc := reTrailNum.FindStringIndex(first)
		if loc == nil {
			return enumeration{}, false
		}
		before, first = first[:loc[0]], first[loc[0]:]
		l := reListNum.FindStringIndex(last)
		if l == nil {
			return enumeration{}, false
		}
		after, last = last[l[1]:], last[:l[1]]
	} else {
		cut := -1
		for _, w := range listLeaders {
			if k := strings.LastIndex(first, w); k >= 0 && k+len(w) > cut && k+len(w) < len(first) {
				cut = k + len(w)
			}
		}
		if cut > 0 {
			before, first = first[:cut], first[cut:]
		}
		if loc := reLastStop.FindStringIndex(last); loc != nil && loc[0] > 0 {
			after, last = last[loc[0]:], last[:loc[0]]
		}
	}
	items := append([]string{first}, mid...)
	items = append(items, last)
	for i, it := range items {
		items[i] = strings.TrimSpace(it)
		if items[i] == "" || utf8.RuneCountInString(items[i]) > 24 {
			return enumeration{}, false
		}
	}
	return enumeration{items: items, before: tail(before, 16), after: head(after, 16), clause: sentence}, true
}

func tail(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		rs = rs[len(rs)-n:]
	}
	return string(rs)
}

func head(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		rs = rs[:n]
	}
	return string(rs)
}

// listScore is how well a list answers a question: its surrounding words
// shared with the question count fully, its items half; a list one of whose
// items the question names whole is that item's parent, not the answer.
func listScore(e enumeration, tokens []string, question string) float64 {
	s := float64(hits(tokens, norm(e.before+"|"+e.after)))
	s += 0.5 * float64(hits(tokens, norm(strings.Join(e.items, "|"))))
	for _, it := range e.items {
		if utf8.RuneCountInString(it) >= 3 && strings.Contains(question, norm(it)) {
			return 0
		}
	}
	if n := countIn(question); n > 0 && n == len(e.items) {
		s += 1
	}
	return s
}

var reCount = lazyre.New(`(\d+)(?:个|项|类|种|档|条)`)

// countIn is the count a question names (3个平台 after normalisation), or 0.
func countIn(q string) int {
	if m := reCount.FindStringSubmatch(q); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// figure is a number with its unit read from text: 120% or 3000万 (yuan).
type figure struct {
	v       float64
	percent bool
}

var reFigure = lazyre.New(`(\d+(?:\.\d+)?)(%|亿元|万元|亿|万|元)`)

func figures(s string) []figure {
	var out []figure
	for _, m := range reFigure.FindAllStringSubmatch(s, -1) {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			continue
		}
		switch m[2] {
		case "%":
			out = append(out, figure{v, true})
			continue
		case "亿", "亿元":
			v *= 1e8
		case "万", "万元":
			v *= 1e4
		}
		out = append(out, figure{v: v})
	}
	return out
}

var reThreshold = lazyre.New(`(?:突破|达到|超过|过)(\d+(?:\.\d+)?)(亿元|万元|亿|万|元)|(\d+(?:\.\d+)?)(%|亿元|万元|亿|万|元)以上`)

// thresholds are the figures a condition sets as a floor: 增长100%以上,
// 首次突破3000万元.
func thresholds(cond string) []figure {
	var out []figure
	for _, m := range reThreshold.FindAllStringSubmatch(cond, -1) {
		num, unit := m[1], m[2]
		if num == "" {
			num, unit = m[3], m[4]
		}
		out = append(out, figures(num+unit)...)
	}
	return out
}
