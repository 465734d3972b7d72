package knowledge

// The responsible units of an item: its (责任单位:…) line with the roles it
// gives (牵头, 配合); a bracket of units without a label at the item's end
// ((区发改局、区住建局牵头,区统计局配合), (区商务局)); a last line that only
// lists units; the units of its section heading (一、…(区科技局牵头)) or of
// an earlier list marked 下同; or, without any, the units its text names
// as actors. Riders in a list (排在首位的为牵头单位, 下同, 按职责分工负责)
// are read, not taken as units, and every unit is canonical within the
// notice's place.

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// unitLabels are the labels of a unit list.
var unitLabels = []string{"责任单位", "责任部门", "承办单位", "牵头单位", "主责单位", "责任主体", "牵头部门", "实施单位", "负责单位", "主办单位"}

// openBrackets and closeBrackets pair up by index.
const (
	openBrackets  = "([【〔"
	closeBrackets = ")]】〕"
)

// matchingClose returns the offset just after the bracket that closes the
// one opening at s[open:], counting nested brackets of any kind; -1 when
// it is never closed.
func matchingClose(s string, open int) int {
	depth := 0
	for i, r := range s[open:] {
		switch {
		case strings.ContainsRune(openBrackets, r):
			depth++
		case strings.ContainsRune(closeBrackets, r):
			depth--
			if depth == 0 {
				return open + i + utf8.RuneLen(r)
			}
		}
	}
	return -1
}

// bracketGroups are the top-level bracketed spans of s: [start, end) with
// the brackets.
func bracketGroups(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if strings.ContainsRune(openBrackets, r) {
			if e := matchingClose(s, i); e > 0 {
				out = append(out, [2]int{i, e})
				i = e
				continue
			}
		}
		i += size
	}
	return out
}

// unitLine finds the last labelled list (责任单位:…) of an item, with or
// without its brackets; the list runs to the bracket that closes the one
// before the label (nested brackets such as 各市(区) included), else to the
// end of the text.
func unitLine(text string) (start, end int, list string, ok bool) {
	kw := -1
	for _, k := range unitLabels {
		for from := 0; ; {
			i := strings.Index(text[from:], k)
			if i < 0 {
				break
			}
			i += from
			from = i + len(k)
			// Only a label: the word followed by a colon.
			if rest := strings.TrimLeft(text[i+len(k):], " "); strings.HasPrefix(rest, ":") && i > kw {
				kw = i
			}
		}
	}
	if kw < 0 {
		return 0, 0, "", false
	}
	start = kw
	colon := kw + strings.Index(text[kw:], ":") + 1
	before := strings.TrimRight(text[:kw], " ")
	if r, size := utf8.DecodeLastRuneInString(before); strings.ContainsRune(openBrackets, r) {
		start = len(before) - size
		if e := matchingClose(text, start); e > 0 {
			_, csize := utf8.DecodeLastRuneInString(text[:e])
			return start, e, text[colon : e-csize], true
		}
	}
	return start, len(text), text[colon:], true
}

var (
	leadMarks   = strings.NewReplacer("(牵头)", "〔牵头〕", "(配合)", "〔配合〕")
	leadUnmarks = strings.NewReplacer("〔牵头〕", "(牵头)", "〔配合〕", "(配合)")
)

// roleWords end a group of units that leads or assists.
var (
	leadSuffixes = []string{"牵头", "负责", "主责", "主办"}
	coSuffixes   = []string{"配合", "协助", "参与", "协办"}
)

// riders are the words a unit list adds that are not units.
var (
	reLeadFirst = lazyRE(`(?:排在|列在|排名|列)?(?:首位|第一位|第一)的?(?:单位)?为牵头(?:单位)?|第一个(?:单位)?为牵头(?:单位)?`)
	reSame      = lazyRE(`(?:以)?下同$|^(?:以)?下同`)
	reDuty      = lazyRE(`^(?:按职责分工负责|按职责分工|按职责负责|按照职责分工负责|分别负责|各负其责|按职能分工负责|根据职责分工负责)$`)
	// reDutySuffix closes a group of units that act each in its own remit:
	// they assist (市级各有关部门按职责分工负责).
	reDutySuffix = lazyRE(`(?:按照职责分工负责|按职责分工负责|按职能分工负责|根据职责分工负责|按职责负责|按职责分工|分别负责|各负其责)$`)
)

// unitList is a parsed list of units.
type unitList struct {
	units  []string
	coFrom int
	// same is set by 下同: the list holds for the items after it that have
	// none of their own.
	same bool
}

// parseUnitList reads a unit list: groups separated by , or ; of names
// separated by 、. A group ending in 牵头 (or labelled 牵头单位:) leads, one
// ending in 配合/协助/参与 (or labelled 配合单位:) assists; a name marked
// (牵头) leads; 排在首位的为牵头单位 makes the first lead. The result lists
// the leads first; coFrom is where the assisting units start, 0 when the
// list says nothing of roles. canon makes each name canonical; names that
// are not units are dropped.
func parseUnitList(list string, canon func(string) string) unitList {
	const (
		plain = iota
		lead
		co
	)
	var out unitList
	var byRole [3][]string
	mode := plain
	leadFirst := false
	for _, group := range splitTopLevel(list, ",;\n") {
		group = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(group), "。."))
		if reLeadFirst.MatchString(group) {
			leadFirst = true
			group = strings.TrimSpace(reLeadFirst.ReplaceAllString(group, ""))
		}
		if reSame.MatchString(group) {
			out.same = true
			group = strings.TrimSpace(reSame.ReplaceAllString(group, ""))
		}
		if group == "" || reDuty.MatchString(group) {
			continue
		}
		if i := strings.IndexByte(group, ':'); i >= 0 {
			switch label := group[:i]; {
			case strings.Contains(label, "配合") || strings.Contains(label, "协办") || strings.Contains(label, "协助"):
				mode = co
			case strings.Contains(label, "牵头") || strings.Contains(label, "主办") || strings.Contains(label, "主责"):
				mode = lead
			default:
				mode = plain
			}
			group = group[i+1:]
		}
		role := mode
		if loc := reDutySuffix.FindStringIndex(group); loc != nil && loc[0] > 0 {
			group, role = group[:loc[0]], co
		}
		for _, suf := range leadSuffixes {
			if g, ok := strings.CutSuffix(group, suf); ok {
				group, role = g, lead
			}
		}
		for _, suf := range coSuffixes {
			if g, ok := strings.CutSuffix(group, suf); ok {
				group, role = g, co
			}
		}
		for _, name := range splitTopLevel(group, "、/ \t") {
			r := role
			if strings.Contains(name, "〔牵头〕") {
				name, r = strings.ReplaceAll(name, "〔牵头〕", ""), lead
			}
			if strings.Contains(name, "〔配合〕") {
				name, r = strings.ReplaceAll(name, "〔配合〕", ""), co
			}
			name = strings.TrimSuffix(strings.TrimSpace(name), "等")
			names := []string{name}
			if parts := strings.Split(name, "及"); len(parts) > 1 && !slices.ContainsFunc(parts, func(s string) bool { return !isUnitName(cleanUnit(s)) }) {
				names = parts // 市级各有关部门及各县市区政府
			}
			for _, nm := range names {
				if u := canon(nm); u != "" && isUnitName(u) {
					byRole[r] = append(byRole[r], u)
				}
			}
		}
	}
	add := func(us []string) {
		for _, u := range us {
			if !slices.Contains(out.units, u) {
				out.units = append(out.units, u)
			}
		}
	}
	switch {
	case len(byRole[lead]) > 0:
		add(byRole[lead])
		n := len(out.units)
		add(byRole[plain])
		add(byRole[co])
		if len(out.units) > n {
			out.coFrom = n
		}
	case len(byRole[co]) > 0:
		add(byRole[plain])
		n := len(out.units)
		add(byRole[co])
		if n > 0 && len(out.units) > n {
			out.coFrom = n
		}
	default:
		add(byRole[plain])
		if leadFirst && len(out.units) > 1 {
			out.coFrom = 1
		}
	}
	if out.units == nil {
		out.units = []string{}
	}
	return out
}

// unitEnds are how the name of a responsible unit ends (before a closing
// bracket: 开发区〔新区〕管委会 ends in 会, 各县〔区〕 in 〕).
var unitEnds = []string{"局", "委", "办", "中心", "公司", "政府", "会", "大队", "支队", "中队", "部", "院", "所", "行", "处", "站",
	"集团", "厅", "室", "队", "署", "馆", "社", "团", "组", "街道", "镇", "乡", "部门", "单位", "机构", "企业", "学校", "园区", "区",
	"专班", "指挥部", "海关", "口岸", "妇联", "团委"}

// notUnitWords never occur in a unit's name: a clause was taken for one.
var notUnitWords = []string{"简称", "以下", "包括", "的", "要", "将", "按照", "进行", "其中", "负责", "做好", "确保", "给予", "实行", "提供", "开展"}

// isUnitName reports whether s can be the name of a responsible unit.
func isUnitName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 40 || containsAny(s, notUnitWords) {
		return false
	}
	if strings.HasPrefix(s, "各") {
		return true
	}
	t := strings.TrimRight(s, ")〕")
	for _, e := range unitEnds {
		if strings.HasSuffix(t, e) {
			return true
		}
	}
	return false
}

// allUnits reads a list that must be units only (an unlabelled bracket, a
// last line): every name must look like a unit, else it is not a list.
func allUnits(list string, canon func(string) string) (unitList, bool) {
	if strings.TrimSpace(list) == "" || strings.ContainsAny(list, "。:") {
		return unitList{}, false
	}
	names := 0
	for _, group := range splitTopLevel(list, ",;") {
		g := strings.TrimSpace(group)
		if reLeadFirst.MatchString(g) || reSame.MatchString(g) || reDuty.MatchString(g) || g == "" {
			continue
		}
		for _, suf := range append(leadSuffixes, coSuffixes...) {
			g = strings.TrimSuffix(g, suf)
		}
		for _, name := range splitTopLevel(g, "、/ \t") {
			name = strings.TrimSuffix(strings.TrimSpace(leadUnmarks.Replace(name)), "等")
			name = strings.TrimSuffix(strings.TrimSuffix(name, "(牵头)"), "(配合)")
			if name == "" {
				continue
			}
			if !isUnitName(cleanUnit(name)) {
				return unitList{}, false
			}
			names++
		}
	}
	if names == 0 {
		return unitList{}, false
	}
	ul := parseUnitList(list, canon)
	return ul, len(ul.units) > 0
}

// roleGroup reports whether a bracket's content is a list with roles
// (X牵头,Y配合).
func roleGroup(content string) bool {
	c := strings.TrimSpace(strings.TrimRight(content, "。."))
	for _, suf := range append(leadSuffixes, coSuffixes...) {
		if strings.HasSuffix(c, suf) || strings.Contains(c, suf+",") || strings.Contains(c, suf+";") {
			return true
		}
	}
	return false
}

// itemUnits finds an item's units in its joined text; rest is the text
// without the list. ok is false when the item names no list of its own.
func itemUnits(text string, canon func(string) string) (ul unitList, rest string, ok bool) {
	marked := leadMarks.Replace(text)
	if st, en, list, found := unitLine(marked); found {
		ul = parseUnitList(list, canon)
		return ul, leadUnmarks.Replace(strings.TrimSpace(marked[:st] + marked[en:])), true
	}
	groups := bracketGroups(marked)
	// (X牵头,Y配合): the last bracket that gives roles.
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		_, osize := utf8.DecodeRuneInString(marked[g[0]:])
		_, csize := utf8.DecodeLastRuneInString(marked[:g[1]])
		content := marked[g[0]+osize : g[1]-csize]
		if roleGroup(content) {
			if l := parseUnitList(content, canon); len(l.units) > 0 {
				return l, leadUnmarks.Replace(strings.TrimSpace(marked[:g[0]] + marked[g[1]:])), true
			}
		}
	}
	// (区商务局、区财政局): a last bracket that holds only units.
	if len(groups) > 0 {
		g := groups[len(groups)-1]
		if strings.Trim(marked[g[1]:], " 。.;") == "" {
			_, osize := utf8.DecodeRuneInString(marked[g[0]:])
			_, csize := utf8.DecodeLastRuneInString(marked[:g[1]])
			if l, all := allUnits(marked[g[0]+osize:g[1]-csize], canon); all {
				return l, leadUnmarks.Replace(strings.TrimSpace(marked[:g[0]] + marked[g[1]:])), true
			}
		}
	}
	return unitList{}, text, false
}

// lastLineUnits splits off an item's last line when it only lists units
// (a unit line without a label or bracket).
func lastLineUnits(body string, canon func(string) string) (unitList, string, bool) {
	b := strings.TrimRight(body, " \t\n")
	i := strings.LastIndexByte(b, '\n')
	if i < 0 {
		return unitList{}, body, false
	}
	last := strings.TrimSpace(b[i+1:])
	if strings.TrimSpace(b[:i]) == "" {
		return unitList{}, body, false
	}
	if l, ok := allUnits(strings.TrimRight(last, "。."), canon); ok {
		return l, b[:i], true
	}
	return unitList{}, body, false
}

// headingUnits splits the units off a section heading (一、加快科技创新
// (区科技局牵头)): the heading without them, and the list.
func headingUnits(heading string, canon func(string) string) (string, unitList, bool) {
	if ul, rest, ok := itemUnits(heading, canon); ok && len(ul.units) > 0 {
		return rest, ul, true
	}
	return heading, unitList{}, false
}

const unitNamePattern = `(?:区\p{Han}{1,12}?(?:局|中心|大队|办公室|部)|市\p{Han}{1,14}?(?:分局|大队)|\p{Han}{1,6}?镇人民政府|各街道办事处|\p{Han}{1,6}?街道办事处)`

var (
	reUnitSubjects = lazyRE(`^(` + unitNamePattern + `(?:、` + unitNamePattern + `)*)`)
	reUnitSetIn    = lazyRE(`(?:设在|设于|由)(` + unitNamePattern + `)`)
	reUnitOne      = lazyRE(unitNamePattern)
)

// bodyUnits finds the units an item names as its actors when it has no unit
// line: the office's seat (设在X), units that lead (X牵头), and units that
// open a clause as its subject (X、Y分别成立…, X用足…). The seat and leads
// come first.
func bodyUnits(text string, canon func(string) string) []string {
	var lead, rest []string
	add := func(list *[]string, name string) {
		if strings.ContainsAny(name, "的在级对为给") {
			return
		}
		u := canon(name)
		if u != "" && isUnitName(u) && !slices.Contains(lead, u) && !slices.Contains(rest, u) {
			*list = append(*list, u)
		}
	}
	for _, m := range reUnitSetIn.FindAllStringSubmatch(text, -1) {
		add(&lead, m[1])
	}
	// An item that seats an office in a unit (专班办公室设在区工信局) names that
	// unit as the one responsible; units told to set up their own task forces
	// (义井镇人民政府…相应成立专班) act under it, not for the enterprise.
	seated := len(lead) > 0
	starts := []int{0}
	for i, r := range text {
		if strings.ContainsRune("。,;:", r) {
			starts = append(starts, i+utf8.RuneLen(r))
		}
	}
	for _, st := range starts {
		m := reUnitSubjects.FindStringSubmatchIndex(text[st:])
		if m == nil {
			continue
		}
		after := text[st+m[1]:]
		isLead := strings.HasPrefix(after, "牵头") || strings.HasPrefix(after, "负责")
		if strings.HasPrefix(after, "的") || strings.HasPrefix(after, "和") {
			continue
		}
		for _, name := range reUnitOne.FindAllString(text[st+m[2]:st+m[3]], -1) {
			if isLead {
				add(&lead, name)
			} else if !seated {
				add(&rest, name)
			}
		}
	}
	return append(lead, rest...)
}
