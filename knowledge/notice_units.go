package knowledge

// The responsible units of an item: its (责任单位:…) line with the roles it
// gives (牵头, 配合), or, without one, the units its text names as actors.

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// reLeadCo is (X牵头,Y配合): a bracket whose content ends with a role.
var reLeadCo = regexp.MustCompile(`\(([^()]{1,240}?(?:牵头|配合|协助|参与))\s*\)`)

// unitLine finds the last (责任单位:…) of an item, with or without its
// brackets; the list runs to the closing bracket, the line end or the end.
func unitLine(text string) (start, end int, list string, ok bool) {
	kw := -1
	for _, k := range []string{"责任单位", "责任部门", "承办单位", "牵头单位"} {
		if i := strings.LastIndex(text, k); i > kw {
			// Only a label: 责任单位 followed by a colon.
			if rest := strings.TrimLeft(text[i+len(k):], " "); strings.HasPrefix(rest, ":") {
				kw = i
			}
		}
	}
	if kw < 0 {
		return 0, 0, "", false
	}
	start = kw
	if before := strings.TrimRight(text[:kw], " "); strings.HasSuffix(before, "(") {
		start = len(before) - 1
	}
	from := kw + strings.Index(text[kw:], ":") + 1
	end = len(text)
	if i := strings.IndexAny(text[from:], ")\n"); i >= 0 {
		end = from + i
		list = text[from:end]
		if text[end] == ')' {
			end++
		}
	} else {
		list = text[from:]
	}
	return start, end, list, true
}

var (
	leadMarks   = strings.NewReplacer("(牵头)", "〔牵头〕", "(配合)", "〔配合〕")
	leadUnmarks = strings.NewReplacer("〔牵头〕", "(牵头)", "〔配合〕", "(配合)")
)

// parseUnitList reads a unit list: groups separated by , or ; of names
// separated by 、. A group ending in 牵头 (or labelled 牵头单位:) leads, one
// ending in 配合/协助/参与 (or labelled 配合单位:) assists; a name marked
// (牵头) leads. The result lists the leads first; coFrom is where the
// assisting units start, 0 when the list says nothing of roles.
func parseUnitList(list string) (units []string, coFrom int) {
	const (
		plain = iota
		lead
		co
	)
	var byRole [3][]string
	mode := plain
	for _, group := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		group = strings.TrimSpace(group)
		if i := strings.IndexByte(group, ':'); i >= 0 {
			switch label := group[:i]; {
			case strings.Contains(label, "配合") || strings.Contains(label, "协办") || strings.Contains(label, "协助"):
				mode = co
			case strings.Contains(label, "牵头") || strings.Contains(label, "主办"):
				mode = lead
			default:
				mode = plain
			}
			group = group[i+1:]
		}
		role := mode
		for _, suf := range []string{"牵头", "负责"} {
			if strings.HasSuffix(group, suf) {
				group, role = strings.TrimSuffix(group, suf), lead
			}
		}
		for _, suf := range []string{"配合", "协助", "参与"} {
			if strings.HasSuffix(group, suf) {
				group, role = strings.TrimSuffix(group, suf), co
			}
		}
		for _, name := range strings.FieldsFunc(group, func(r rune) bool { return strings.ContainsRune("、/ \t", r) }) {
			r := role
			if strings.Contains(name, "〔牵头〕") {
				name, r = strings.ReplaceAll(name, "〔牵头〕", ""), lead
			}
			if strings.Contains(name, "〔配合〕") {
				name, r = strings.ReplaceAll(name, "〔配合〕", ""), co
			}
			if u := CanonicalUnit(name); u != "" {
				byRole[r] = append(byRole[r], u)
			}
		}
	}
	add := func(us []string) {
		for _, u := range us {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	switch {
	case len(byRole[lead]) > 0:
		add(byRole[lead])
		n := len(units)
		add(byRole[plain])
		add(byRole[co])
		if len(units) > n {
			coFrom = n
		}
	case len(byRole[co]) > 0:
		add(byRole[plain])
		n := len(units)
		add(byRole[co])
		if n > 0 && len(units) > n {
			coFrom = n
		}
	default:
		add(byRole[plain])
	}
	if units == nil {
		units = []string{}
	}
	return units, coFrom
}

const unitNamePattern = `(?:区\p{Han}{1,12}?(?:局|中心|大队|办公室|部)|市\p{Han}{1,14}?(?:分局|大队)|\p{Han}{1,6}?镇人民政府|各街道办事处|\p{Han}{1,6}?街道办事处)`

var (
	reUnitSubjects = regexp.MustCompile(`^(` + unitNamePattern + `(?:、` + unitNamePattern + `)*)`)
	reUnitSetIn    = regexp.MustCompile(`(?:设在|设于|由)(` + unitNamePattern + `)`)
	reUnitOne      = regexp.MustCompile(unitNamePattern)
)

// bodyUnits finds the units an item names as its actors when it has no unit
// line: the office's seat (设在X), units that lead (X牵头), and units that
// open a clause as its subject (X、Y分别成立…, X用足…). The seat and leads
// come first.
func bodyUnits(text string) []string {
	var lead, rest []string
	add := func(list *[]string, name string) {
		if strings.ContainsAny(name, "的在级对为给") {
			return
		}
		u := CanonicalUnit(name)
		if u != "" && !slices.Contains(lead, u) && !slices.Contains(rest, u) {
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
