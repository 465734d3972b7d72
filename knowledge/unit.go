package knowledge

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"huiqi/internal/zhtext"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

//go:embed units.json
var unitsJSON []byte

// unitTable is units.json: canonical names and their aliases.
type unitTable struct {
	// Place is the place the units are of (the built-in notice's).
	Place string `json:"place"`
	Units []struct {
		Unit    string   `json:"unit"`
		Aliases []string `json:"aliases"`
	} `json:"units"`
	// Forms are how any place writes a unit in full and for short.
	Forms []struct {
		Full  string `json:"full"`
		Short string `json:"short"`
	} `json:"forms"`
	canonical map[string]string // any spelling → canonical
	aliases   map[string][]string
	order     []string
}

var loadUnitTable = sync.OnceValues(func() (*unitTable, error) {
	var ut unitTable
	if err := json.Unmarshal(unitsJSON, &ut); err != nil {
		return nil, fmt.Errorf("knowledge: units.json: %w", err)
	}
	ut.canonical = make(map[string]string)
	ut.aliases = make(map[string][]string)
	for _, u := range ut.Units {
		ut.canonical[u.Unit] = u.Unit
		ut.order = append(ut.order, u.Unit)
		for _, a := range u.Aliases {
			ut.canonical[a] = u.Unit
		}
		ut.aliases[u.Unit] = u.Aliases
	}
	return &ut, nil
})

const unitTrimChars = " \t\n()[]【】《》“”\"'、,;:。.·"

// cleanUnit is a unit name without spaces, brackets or a trailing 等, in
// simplified half-width characters.
func cleanUnit(raw string) string {
	s := simplifiedHalfWidth(raw)
	s = strings.Join(strings.Fields(s), "")
	for {
		prev := s
		s = strings.Trim(s, unitTrimChars)
		for _, suf := range []string{"等单位", "等部门", "等"} {
			s = strings.TrimSuffix(s, suf)
		}
		if s == prev {
			return s
		}
	}
}

// CanonicalUnit returns the canonical name of a responsible unit of the
// home place (区审批局 → 区行政审批局, 项目推进中心 → 区项目推进中心); a unit
// the table does not know is returned cleaned (spaces, brackets and a
// trailing 等 dropped) in its short form (区科学技术局 → 区科技局).
func CanonicalUnit(raw string) string {
	s := cleanUnit(raw)
	ut, err := loadUnitTable()
	if err != nil || s == "" {
		return s
	}
	if c, ok := ut.canonical[s]; ok {
		return c
	}
	if c, ok := ut.canonical["区"+s]; ok {
		return c
	}
	if f := shortForm(ut, s); f != s {
		if c, ok := ut.canonical[f]; ok {
			return c
		}
		return f
	}
	return s
}

// HomePlace is the place whose units units.json holds: 阳泉市城区.
func HomePlace() string {
	ut, err := loadUnitTable()
	if err != nil {
		return ""
	}
	return ut.Place
}

// isHomePlace reports whether place is the home place (or unknown, which
// the built-in notice's units are read as).
func isHomePlace(place string) bool {
	home := HomePlace()
	return place == "" || place == home || home != "" && place == localPlace(home)
}

// canonicalUnitIn is a unit's canonical name within a place: the home
// place's table for the home place; for another place only its short form,
// with the place's own name cut (南昌市商务局 → 市商务局), so that 南昌's
// 市商务局 never becomes 阳泉's 区商务局.
func canonicalUnitIn(place, raw string) string {
	if isHomePlace(place) {
		return CanonicalUnit(raw)
	}
	s := cleanUnit(raw)
	if s == "" {
		return s
	}
	for _, p := range []string{place, localPlace(place)} {
		r, size := utf8.DecodeLastRuneInString(p)
		if rest, ok := strings.CutPrefix(s, p); ok && rest != "" && strings.ContainsRune(placeEnds, r) && utf8.RuneCountInString(p) >= 2 {
			s = p[len(p)-size:] + rest
			break
		}
	}
	if ut, err := loadUnitTable(); err == nil {
		s = shortForm(ut, s)
	}
	return s
}

// shortForm writes a unit's department in its short form: 区发展和改革局 →
// 区发改局.
func shortForm(ut *unitTable, s string) string {
	for _, f := range ut.Forms {
		if f.Full != "" && strings.HasSuffix(s, f.Full) && f.Full != f.Short && !strings.HasSuffix(s, f.Short) {
			return strings.TrimSuffix(s, f.Full) + f.Short
		}
	}
	return s
}

// UnitAliases returns the other spellings of a canonical unit (nil if none).
func UnitAliases(canonical string) []string {
	ut, err := loadUnitTable()
	if err != nil {
		return nil
	}
	return append([]string(nil), ut.aliases[CanonicalUnit(canonical)]...)
}

// unitName is one spelling of a known unit, with its pinyin keys.
type unitName struct {
	unit, name string
	initials   []string // qrsj and rsj (without the leading 区/市)
	full       []string // qurenshiju and renshiju
}

func unitNames(known []string) []unitName {
	var aliases map[string][]string
	if ut, err := loadUnitTable(); err == nil {
		aliases = ut.aliases // known names are canonical already
	}
	var out []unitName
	for _, k := range known {
		for _, name := range append([]string{k}, aliases[k]...) {
			un := unitName{unit: k, name: name}
			variants := []string{name}
			if r, size := utf8.DecodeRuneInString(name); r == '区' || r == '市' {
				variants = append(variants, name[size:])
			}
			for _, v := range variants {
				ini, full := unitPinyin(v)
				un.initials = append(un.initials, ini)
				un.full = append(un.full, full)
			}
			out = append(out, un)
		}
	}
	return out
}

// tablePinyin holds the pinyin of every spelling in units.json (computed
// once: go-pinyin costs microseconds per character).
var tablePinyin = sync.OnceValue(func() map[string][2]string {
	m := make(map[string][2]string)
	ut, err := loadUnitTable()
	if err != nil {
		return m
	}
	for name := range ut.canonical {
		for _, v := range []string{name, strings.TrimPrefix(strings.TrimPrefix(name, "区"), "市")} {
			ini, full := computePinyin(v)
			m[v] = [2]string{ini, full}
		}
	}
	return m
})

// unitPinyin returns the initials (rsj) and the toneless spelling
// (renshiju) of a name.
func unitPinyin(name string) (initials, full string) {
	if p, ok := tablePinyin()[name]; ok {
		return p[0], p[1]
	}
	return computePinyin(name)
}

func computePinyin(s string) (initials, full string) { return zhtext.Pinyin(s) }

func isASCIIWord(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf || !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// maxRefRunes bounds a unit name or measure reference worth looking up: the
// longest unit name is under 30 characters.
const maxRefRunes = 100

// FindUnits finds the responsible unit a query means among the known
// canonical names: by canonical name or alias (区审批局), by part of a name
// (人社 → 区人社局), by pinyin initials or spelling (rsj, qrsj, renshe), and
// as a last resort fuzzily. best is empty when the query is ambiguous or
// matches nothing; candidates are the other plausible units, best first.
func FindUnits(query string, known []string) (best string, candidates []string) {
	if utf8.RuneCountInString(query) > maxRefRunes {
		return "", nil // no unit's name is this long; do not fuzz-match a page of text
	}
	q := strings.ToLower(cleanUnit(query))
	if q == "" || len(known) == 0 {
		return "", nil
	}
	var found []string
	add := func(u string) {
		if !slices.Contains(found, u) {
			found = append(found, u)
		}
	}
	result := func() (string, []string) {
		if len(found) == 1 {
			return found[0], nil
		}
		return "", found
	}
	if c := CanonicalUnit(q); slices.Contains(known, c) {
		return c, nil
	}
	names := unitNames(known)
	if isASCIIWord(q) {
		for _, pass := range []func(un unitName) bool{
			func(un unitName) bool { return slices.Contains(un.initials, q) },
			func(un unitName) bool { return slices.Contains(un.full, q) },
			func(un unitName) bool {
				return slices.ContainsFunc(un.initials, func(s string) bool { return strings.HasPrefix(s, q) })
			},
			func(un unitName) bool {
				return len(q) >= 3 && slices.ContainsFunc(un.full, func(s string) bool { return strings.HasPrefix(s, q) })
			},
		} {
			for _, un := range names {
				if pass(un) {
					add(un.unit)
				}
			}
			if len(found) > 0 {
				return result()
			}
		}
		var keys []string
		var owner []string
		for _, un := range names {
			for _, k := range append(un.initials, un.full...) {
				keys = append(keys, k)
				owner = append(owner, un.unit)
			}
		}
		for _, m := range fuzzy.Find(q, keys) {
			add(owner[m.Index])
		}
		return rankFound(found, 5)
	}
	// Part of a name, or a name inside a longer query; never across levels
	// (市商务局 is not a 区's unit).
	for _, un := range names {
		if otherLevel(q, un.unit) {
			continue
		}
		if strings.Contains(un.name, q) || utf8.RuneCountInString(un.name) >= 3 && strings.Contains(q, un.name) {
			add(un.unit)
		}
	}
	if len(found) > 1 {
		// Prefer the units whose own spelling starts with the query (after 区/市).
		var pre []string
		for _, un := range names {
			n := strings.TrimPrefix(strings.TrimPrefix(un.name, "区"), "市")
			if strings.HasPrefix(n, q) && !slices.Contains(pre, un.unit) {
				pre = append(pre, un.unit)
			}
		}
		if len(pre) == 1 {
			return pre[0], slices.DeleteFunc(found, func(u string) bool { return u == pre[0] })
		}
	}
	if len(found) > 0 {
		return result()
	}
	// The fuzzier passes never cross levels either.
	names = slices.DeleteFunc(names, func(un unitName) bool { return otherLevel(q, un.unit) })
	// Homophones (人设局 reads renshiju like 人社局).
	if _, py := computePinyin(q); py != "" {
		for _, un := range names {
			if slices.Contains(un.full, py) {
				add(un.unit)
			}
		}
		if len(found) > 0 {
			return rankFound(found, 5)
		}
	}
	// Shared characters, for typos (人设局 → 区人社局).
	score := make(map[string]float64)
	qr := []rune(q)
	for _, un := range names {
		shared := 0
		for _, r := range qr {
			if r != '区' && r != '市' && strings.ContainsRune(un.name, r) {
				shared++
			}
		}
		if sc := float64(shared) / float64(len(qr)); sc >= 0.5 && sc > score[un.unit] {
			score[un.unit] = sc
		}
	}
	for u := range score {
		found = append(found, u)
	}
	if len(found) == 0 {
		// Last resort: the characters in order (sahilm/fuzzy).
		var all []string
		for _, un := range names {
			all = append(all, un.name)
		}
		for _, m := range fuzzy.Find(q, all) {
			add(names[m.Index].unit)
		}
		return rankFound(found, 5)
	}
	sort.Slice(found, func(i, j int) bool {
		if score[found[i]] != score[found[j]] {
			return score[found[i]] > score[found[j]]
		}
		return slices.Index(known, found[i]) < slices.Index(known, found[j])
	})
	if len(found) > 1 && score[found[0]] > score[found[1]] {
		return found[0], found[1:min(len(found), 5)]
	}
	return rankFound(found, 5)
}

// otherLevel reports whether a query names a unit of a level (市…, 区…,
// 县…) that the unit is not of.
func otherLevel(q, unit string) bool {
	ql, ul := levelPrefix(q), levelPrefix(unit)
	return ql != 0 && ul != 0 && ql != ul
}

// levelPrefix is the level a unit's name opens with (市, 区, 县, 省), 0 for
// none (市场监管局 opens with a word, not a level).
func levelPrefix(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune("市区县省", r) || strings.HasPrefix(s, "市场") || strings.HasPrefix(s, "区域") {
		return 0
	}
	return r
}

// rankFound turns matches into (best, candidates): one match is the best,
// several are candidates for the person to choose from.
func rankFound(found []string, limit int) (string, []string) {
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", found[:min(len(found), limit)]
}

var (
	reRefID   = lazyRE(`^([a-z][a-z0-9-]*?)-?0*(\d{1,3})$`)
	reRefCite = lazyRE(`^(.*?)(?:措施)?(第|-)?([` + cnNumeralChars + `\d]{1,6})条?$`)
)

// ParseMeasureRef finds the measure a reference means: an id in any case
// and padding (ind-03, IND-3, ind3) or a citation (二十条第3条, 十八条第十二条,
// 二十条措施第3条). A bare 第3条 is accepted only when one package has a
// third measure.
func ParseMeasureRef(ref string, ms []*Measure) (*Measure, bool) {
	return parseMeasureRef(ref, ms, nil)
}

// parseMeasureRef is ParseMeasureRef with the measures also by lower-cased
// id (nil: ms is scanned), so a base of 10,000 measures finds an id in one
// lookup instead of lower-casing every id for every question.
func parseMeasureRef(ref string, ms []*Measure, byID map[string]*Measure) (*Measure, bool) {
	if utf8.RuneCountInString(ref) > maxRefRunes {
		return nil, false
	}
	r := strings.ToLower(strings.Join(strings.Fields(simplifiedHalfWidth(ref)), ""))
	if r == "" {
		return nil, false
	}
	find := func(id string) (*Measure, bool) {
		if byID != nil {
			m, ok := byID[id]
			return m, ok
		}
		for _, m := range ms {
			if strings.ToLower(m.ID) == id {
				return m, true
			}
		}
		return nil, false
	}
	if m, ok := find(r); ok {
		return m, true
	}
	if mm := reRefID.FindStringSubmatch(r); mm != nil {
		num, _ := strconv.Atoi(mm[2])
		return find(fmt.Sprintf("%s-%02d", mm[1], num))
	}
	mm := reRefCite.FindStringSubmatch(r)
	if mm == nil || !strings.Contains(r, "条") {
		return nil, false
	}
	pkg := strings.TrimSuffix(mm[1], "措施")
	if _, err := strconv.Atoi(mm[3]); mm[2] == "" && (err != nil || !strings.HasSuffix(pkg, "条")) {
		return nil, false // 二十条 alone names a package, not a measure
	}
	num, ok := zhtext.ParseInt(mm[3])
	if !ok {
		return nil, false
	}
	var hit *Measure
	for _, m := range ms {
		if m.Number != num {
			continue
		}
		if pkg != "" && !packageNamed(pkg, m.Package) {
			continue
		}
		if hit != nil {
			return nil, false // 第3条 of more than one package
		}
		hit = m
	}
	return hit, hit != nil
}

// packageNamed reports whether a citation's package part (工业二十条,
// 二十条措施) names the package (二十条); 二十条 does not name 十条.
func packageNamed(cited, name string) bool {
	name = strings.TrimSuffix(name, "措施")
	if name == "" || !strings.HasSuffix(cited, name) {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSuffix(cited, name))
	return !strings.ContainsRune(cnNumeralChars, r) && !unicode.IsDigit(r)
}

// placedUnit is a unit within its place.
type placedUnit struct{ place, name string }

// Unit finds a responsible unit by partial name, variant or pinyin initials.
// Units are canonical within their place: a name several loaded notices'
// places use (区发改局 of 阳泉市城区 and of 昆明市官渡区) is the unit of the
// place the query names (官渡区发改局), else of the notice loaded last; the
// other places' are candidates, written 区发改局(阳泉市城区).
func (b *Base) Unit(name string) UnitResult {
	q, place := b.placeInQuery(name)
	var names []string
	for _, u := range b.units {
		if (place == "" || u.place == place) && !slices.Contains(names, u.name) {
			names = append(names, u.name)
		}
	}
	best, cands := FindUnits(q, names)
	r := UnitResult{Unit: best, Measures: []string{}, Candidates: cands}
	if r.Candidates == nil {
		r.Candidates = []string{}
	}
	if best == "" {
		return r
	}
	// The places that have this unit, the last loaded notice's first.
	var places []string
	for i := len(b.notices) - 1; i >= 0; i-- {
		n := b.notices[i]
		np := n.Place
		if np == "" {
			np = HomePlace()
		}
		if place != "" && np != place || slices.Contains(places, np) {
			continue
		}
		if slices.Contains(b.units, placedUnit{np, best}) {
			places = append(places, np)
		}
	}
	if len(places) == 0 {
		return r
	}
	r.Place = places[0]
	if isHomePlace(r.Place) {
		r.Aliases = UnitAliases(best)
	}
	for _, m := range b.measures {
		n := b.noticeOf[m.ID]
		np := n.Place
		if np == "" {
			np = HomePlace()
		}
		if np == r.Place && slices.Contains(m.Units, best) {
			r.Measures = append(r.Measures, m.ID)
		}
	}
	for _, p := range places[1:] {
		r.Candidates = append([]string{best + "(" + p + ")"}, r.Candidates...)
	}
	return r
}

// placeInQuery splits a place the query opens with off it: 官渡区发改局 →
// 区发改局 of 昆明市官渡区, 南昌市商务局 → 市商务局 of 南昌市; the places are
// those of the loaded notices.
func (b *Base) placeInQuery(q string) (string, string) {
	q = strings.TrimSpace(simplifiedHalfWidth(q))
	best, bestPlace := "", ""
	for _, n := range b.notices {
		place := n.Place
		if place == "" {
			place = HomePlace()
		}
		for _, form := range []string{place, localPlace(place)} {
			r, size := utf8.DecodeLastRuneInString(form)
			if utf8.RuneCountInString(form) < 2 || !strings.ContainsRune(placeEnds, r) {
				continue
			}
			if rest, ok := strings.CutPrefix(q, form); ok && rest != "" && len(form) > len(best) {
				best, bestPlace = form[len(form)-size:]+rest, place
			}
		}
	}
	if best == "" {
		return q, ""
	}
	return best, bestPlace
}
