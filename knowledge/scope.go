package knowledge

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"huiqi/internal/zhtext"
)

// Scope is what the loaded notices cover: where they apply, their 文号 and
// their packages. Every sentence that tells a user what huiqi answers is
// written from it, so ingesting a notice changes them all.
type Scope struct {
	// Place is where the notices apply, from the issuing office: 阳泉市城区.
	Place string
	// Local is the place as its own offices say it: 城区.
	Local    string
	DocNos   []string // 城政办发〔2023〕5号, builtin first
	Packages []ScopePackage
	// Topics are what the notices are about (奖励补贴, 融资担保与贷款 …), as
	// reviewed in source/notices.json; a notice not reviewed there adds none.
	Topics []string
}

// ScopePackage is one package of measures as people name it.
type ScopePackage struct {
	Name  string // 二十条
	Title string // 阳泉市城区加快工业企业复产达产二十条措施
	Short string // 工业企业复产达产二十条
	DocNo string // the notice that issues it
}

// Scope describes the notices of the base.
func (b *Base) Scope() Scope {
	data, _ := loadNoticeData() // checked when the builtin notice was parsed
	return scopeOf(b.notices, data)
}

// BuiltinScope is the Scope of the built-in notice alone, without the
// lexicon and the index that Builtin builds: what `huiqi --help` says.
func BuiltinScope() (Scope, error) {
	n, err := officialNotice()
	if err != nil {
		return Scope{}, fmt.Errorf("knowledge: official notice: %w", err)
	}
	data, err := loadNoticeData()
	if err != nil {
		return Scope{}, err
	}
	return scopeOf([]*Notice{n}, data), nil
}

// BuiltinScopeCached is BuiltinScope with the notice read from a current
// snapshot in dir (only its notice is decoded, ~10 times cheaper than
// parsing the text); without one it is BuiltinScope, and writes none.
func BuiltinScopeCached(dir string) (Scope, error) {
	if dir != "" {
		if key, ok := snapshotKey(); ok {
			if n := readSnapshotNotice(filepath.Join(dir, snapshotFile), key); n != nil {
				if data, err := loadNoticeData(); err == nil {
					return scopeOf([]*Notice{n}, data), nil
				}
			}
		}
	}
	return BuiltinScope()
}

// Coverage is the sentence that says what huiqi answers, as said when a
// question is out of scope: 惠企助手解答城区两项惠企政策：《…》和《…》，涉及…等。
func (b *Base) Coverage() string { return b.Scope().Sentence() }

func scopeOf(notices []*Notice, data *noticeData) Scope {
	var s Scope
	addTo := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	var places, locals []string
	for _, n := range notices {
		place := n.Place
		if place == "" {
			place = placeOf(n.Office) // a notice stored before Place existed
		}
		addTo(&places, place)
		addTo(&locals, localPlace(place))
		addTo(&s.DocNos, n.DocNo)
		var known []string
		if data != nil {
			for _, k := range data.Known {
				if k.DocNo != "" && k.DocNo == n.DocNo {
					known = k.ShortTitles
					for _, t := range k.Topics {
						addTo(&s.Topics, t)
					}
				}
			}
		}
		for i, p := range n.Packages {
			sp := ScopePackage{Name: p.Name, Title: p.Title, DocNo: n.DocNo}
			if i < len(known) && len(known) == len(n.Packages) {
				sp.Short = known[i]
			} else {
				sp.Short = shortTitle(p.Title, place, localPlace(place))
			}
			if !slices.ContainsFunc(s.Packages, func(q ScopePackage) bool { return q.Title == sp.Title && q.DocNo == sp.DocNo }) {
				s.Packages = append(s.Packages, sp)
			}
		}
	}
	s.Place = strings.Join(places, "、")
	s.Local = strings.Join(locals, "、")
	return s
}

// officeSuffixes end an office's name after its place (阳泉市城区人民政府办公室).
var officeSuffixes = []string{"人民政府办公室", "人民政府办公厅", "人民政府", "政府办公室", "政府办公厅", "政府", "办公室", "办公厅"}

// placeOf is the place of an issuing office: 阳泉市城区 of 阳泉市城区人民政府办公室.
func placeOf(office string) string {
	for _, suf := range officeSuffixes {
		if p, ok := strings.CutSuffix(office, suf); ok && p != "" {
			return p
		}
	}
	return office
}

// localPlace is a place without its city, as the district's own offices
// write it: 城区 of 阳泉市城区; a city or province stays as it is.
func localPlace(place string) string {
	if i := strings.Index(place, "市"); i >= 0 && i+len("市") < len(place) {
		return place[i+len("市"):]
	}
	return place
}

// shortTitle is how people name a package: its title without the place and
// without 措施 (阳泉市城区…十条措施 → …十条, 城区…若干措施 → …).
func shortTitle(title, place, local string) string {
	t := title
	for _, p := range []string{place, local} {
		if s, ok := strings.CutPrefix(t, p); ok && p != "" && s != "" {
			t = s
			break
		}
	}
	for _, suf := range []string{"若干措施", "措施"} {
		if s, ok := strings.CutSuffix(t, suf); ok && s != "" {
			t = s
			break
		}
	}
	return t
}

// Sentence says what huiqi answers: 惠企助手解答城区两项惠企政策：《工业企业
// 复产达产二十条》和《项目建设扩大有效投资十八条》，涉及奖励补贴、…等。
func (s Scope) Sentence() string {
	if len(s.Packages) == 0 {
		return "惠企助手解答" + s.Local + "的惠企政策。"
	}
	var sb strings.Builder
	sb.WriteString("惠企助手解答" + s.Local + zhtext.Count(len(s.Packages)) + "项惠企政策：")
	for i, p := range s.Packages {
		switch {
		case i == 0:
		case i == len(s.Packages)-1:
			sb.WriteString("和")
		default:
			sb.WriteString("、")
		}
		sb.WriteString("《" + p.Short + "》")
	}
	if len(s.Topics) > 0 {
		sb.WriteString("，涉及" + strings.Join(s.Topics, "、") + "等")
	}
	sb.WriteString("。")
	return sb.String()
}

// Docs lists the 文号: 城政办发〔2023〕5号.
func (s Scope) Docs() string { return strings.Join(s.DocNos, "、") }

// Names lists the packages by the names people cite them by, without
// 措施: 二十条、十八条 (a package whose name is its whole title is named
// by its short title).
func (s Scope) Names() string {
	var names []string
	for _, p := range s.Packages {
		n := p.Name
		if n == "" || n == p.Title {
			n = p.Short
		}
		n = strings.TrimSuffix(n, "措施")
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, "、")
}

// Cited cites the packages by their short names: 《二十条》《十八条》.
func (s Scope) Cited() string {
	var sb strings.Builder
	for _, n := range strings.Split(s.Names(), "、") {
		if n != "" {
			sb.WriteString("《" + n + "》")
		}
	}
	return sb.String()
}
