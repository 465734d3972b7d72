package intake

import (
	"sort"
	"strings"

	"huiqi/internal/lazyre"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// Searcher is what routing needs from the knowledge base
// (*knowledge.Base satisfies it).
type Searcher interface {
	Search(q string, top int) []knowledge.Result
	Measure(ref string) (*knowledge.Measure, bool)
}

// Modes of handling (ind-20: 分级、分类、综合).
const (
	ModeByKind  = "分类" // one competent unit handles it
	ModeJoint   = "综合" // several units, the lead coordinates
	ModeByLevel = "分级" // escalated above the unit level
)

// Flags a route may carry.
const (
	FlagDeskTriage    = "desk_triage"    // no measure fits: the platform desk triages by hand
	FlagGenericUnit   = "generic_unit"   // a generic unit (各街道办事处…) could not be resolved: the desk decides
	FlagLowConfidence = "low_confidence" // matched, but only just
	FlagEscalated     = "escalated"      // overdue, escalated to the task-force office
)

// Route is where an issue goes (the `route` object of cli.md).
type Route struct {
	Matched  bool     `json:"matched"`
	Measures []string `json:"measures"`
	LeadUnit string   `json:"lead_unit"`
	CoUnits  []string `json:"co_units"`
	Mode     string   `json:"mode"`
	Flags    []string `json:"flags,omitempty"`
	// Unresolved are the generic entries of the measure (各街道办事处,
	// 区直有关部门, 义井镇人民政府) the text did not let us pin down; the
	// desk assigns them.
	Unresolved []string `json:"unresolved,omitempty"`
	Confidence float64  `json:"confidence"`
	// Titles are the measures' titles, for people (same order as Measures).
	Titles []string `json:"titles,omitempty"`
}

// HasFlag reports whether the route carries flag f.
func (r Route) HasFlag(f string) bool {
	for _, x := range r.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// Router routes problem descriptions. It is safe for concurrent use.
type Router struct {
	s     Searcher
	rules *Rules
}

// NewRouter routes with the builtin rules (routing.json) over s. The file is
// embedded and checked by the package's tests, so it panics only on a
// broken build, never on anything a user sends (the command line turns
// even that into an internal-error exit).
func NewRouter(s Searcher) *Router {
	rules, err := BuiltinRules()
	if err != nil {
		panic(err)
	}
	return &Router{s: s, rules: rules}
}

// NewRouterWithRules routes with the given rules (tests, staff trials).
func NewRouterWithRules(s Searcher, rules *Rules) *Router { return &Router{s: s, rules: rules} }

// Rules returns the router's rules (read only).
func (r *Router) Rules() *Rules { return r.rules }

// Desk is the platform desk that triages what nobody else takes.
func (r *Router) Desk() string { return r.rules.Desk }

// maxRouteRunes bounds the text routed; issue descriptions are short and
// the cost of search grows with the text.
const maxRouteRunes = 2000

type candidate struct {
	id    string
	score float64
	order int
	m     *knowledge.Measure
	title string
}

// Route matches an issue's text to measures and their units. location is
// the enterprise's address or locality if known ("" otherwise); it only
// helps to resolve generic units.
func (r *Router) Route(text, location string) Route {
	// Cues and units are written in simplified characters: 社區 is 社区.
	text = zhtext.Simplify(foldWidth(clip(strings.TrimSpace(text), maxRouteRunes)))
	location = foldWidth(clip(strings.TrimSpace(location), 200))
	if text == "" {
		return r.desk(nil)
	}
	var results []knowledge.Result
	if r.s != nil {
		results = r.s.Search(text, 8)
	}
	cands := map[string]*candidate{}
	for i, res := range results {
		if res.ID == "" {
			continue
		}
		if c, ok := cands[res.ID]; ok {
			c.score = max(c.score, res.Score)
			continue
		}
		cands[res.ID] = &candidate{id: res.ID, score: res.Score, order: i, m: res.Measure, title: res.Title}
	}
	cued := false
	for _, cue := range r.rules.Cues {
		if containsAny(text, cue.Unless) {
			continue
		}
		w := cue.Weight
		if w == 0 {
			w = r.rules.CueWeight
		}
		if c, ok := cands[cue.Measure]; ok && containsAny(text, cue.Demote) {
			c.score -= w
		}
		n := countAny(text, cue.Phrases)
		for _, re := range cue.patterns {
			if re.MatchString(text) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		cued = true
		boost := w + float64(n-1)*r.rules.ExtraPhraseWeight
		c, ok := cands[cue.Measure]
		if !ok {
			c = &candidate{id: cue.Measure, order: 100 + len(cands)}
			cands[cue.Measure] = c
		}
		c.score += boost
	}
	if !cued && containsAny(text, r.rules.OffTopic) {
		// A personal matter (公积金, 个税…): search finds look-alikes, but no
		// unit of the notice handles it; the desk answers the person.
		return r.desk(nil)
	}
	list := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		if c.m == nil && r.s != nil {
			if m, ok := r.s.Measure(c.id); ok {
				c.m = m
			}
		}
		if c.m == nil {
			continue // a cue for a measure the base does not have
		}
		if c.title == "" {
			c.title = c.m.Title
		}
		list = append(list, c)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score > list[j].score
		}
		return list[i].order < list[j].order
	})
	if len(list) == 0 || list[0].score < r.rules.MinScore {
		return r.desk(list)
	}
	top := list[0]
	rt := Route{Matched: true, Confidence: round2(min(top.score, 1))}
	for _, c := range list {
		if len(rt.Measures) >= r.rules.MaxMeasures {
			break
		}
		if c != top && (c.score < r.rules.MinScore || c.score < top.score*r.rules.CloseRatio) {
			break
		}
		rt.Measures = append(rt.Measures, c.id)
		rt.Titles = append(rt.Titles, c.title)
	}
	if top.score < r.rules.MinScore+0.1 {
		rt.Flags = append(rt.Flags, FlagLowConfidence)
	}
	r.assignUnits(&rt, top.m, text, location)
	return rt
}

// desk is the route of an issue no measure fits.
func (r *Router) desk(list []*candidate) Route {
	rt := Route{Matched: false, Measures: []string{}, LeadUnit: r.rules.Desk, CoUnits: []string{},
		Mode: ModeByKind, Flags: []string{FlagDeskTriage}}
	if len(list) > 0 {
		rt.Confidence = round2(min(list[0].score, 1))
	}
	return rt
}

var streetRe = lazyre.New(`([\p{Han}]{2,6}?)街道(办事处|办)?`)

// assignUnits sets lead and co-units from the measure, resolving generic
// entries from the text and location.
func (r *Router) assignUnits(rt *Route, m *knowledge.Measure, text, location string) {
	where := text + " " + location
	var units []string
	seen := map[string]bool{}
	add := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			units = append(units, u)
		}
	}
	var unresolved []string
	for _, u := range m.Units {
		switch {
		case r.isGeneric(u, r.rules.Generic.Town):
			if town := r.townIn(where); town != "" {
				add(u)
			} else if streetIn(where) == "" {
				unresolved = append(unresolved, u)
			} // a street named: the town is not the place
		case r.isGeneric(u, r.rules.Generic.Streets):
			if s := streetIn(where); s != "" {
				add(s + "办事处")
			} else if r.townIn(where) == "" {
				unresolved = append(unresolved, u)
			}
		case r.isGeneric(u, r.rules.Generic.District):
			found := r.unitsNamed(text)
			if len(found) == 0 {
				unresolved = append(unresolved, u)
			}
			for _, f := range found {
				add(f)
			}
		default:
			add(u)
		}
	}
	if len(units) == 0 {
		units = []string{r.rules.Desk}
	}
	// A measure that names no concrete unit at all (区直有关部门, 义井镇人民
	// 政府, 各街道办事处 of inv-01…inv-06) is the town's and the street
	// offices' work: they stay co-units when the text does not say which
	// one, and the desk picks it (Unresolved). A measure with a unit of its
	// own (ind-07's 区人社局) leaves them to the desk alone.
	if r.allGeneric(m) {
		for _, u := range unresolved {
			if r.isGeneric(u, r.rules.Generic.Town) || r.isGeneric(u, r.rules.Generic.Streets) {
				add(u)
			}
		}
	}
	rt.LeadUnit = units[0]
	rt.CoUnits = append([]string{}, units[1:]...)
	if len(unresolved) > 0 {
		rt.Unresolved = unresolved
		rt.Flags = append(rt.Flags, FlagGenericUnit)
	}
	if len(rt.CoUnits) > 0 {
		rt.Mode = ModeJoint
	} else {
		rt.Mode = ModeByKind
	}
}

// allGeneric reports a measure whose units are all generic entries.
func (r *Router) allGeneric(m *knowledge.Measure) bool {
	for _, u := range m.Units {
		if !r.isGeneric(u, r.rules.Generic.Town) && !r.isGeneric(u, r.rules.Generic.Streets) && !r.isGeneric(u, r.rules.Generic.District) {
			return false
		}
	}
	return len(m.Units) > 0
}

func (r *Router) isGeneric(u string, names []string) bool {
	for _, n := range names {
		if u == n {
			return true
		}
	}
	return false
}

func (r *Router) townIn(s string) string {
	for _, t := range r.rules.TownNames {
		if strings.Contains(s, t) {
			return t
		}
	}
	return ""
}

// streetIn returns "XX街道" when the text names a street office.
func streetIn(s string) string {
	m := streetRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	name := m[1]
	// Drop words that commonly precede a street name in a sentence.
	for _, p := range []string{"位于", "我们在", "我们是", "我在", "在", "是", "属于", "地处", "所在"} {
		if i := strings.LastIndex(name, p); i >= 0 {
			name = name[i+len(p):]
		}
	}
	if len([]rune(name)) < 2 || name == "各" || strings.HasPrefix(name, "各") {
		return ""
	}
	return name + "街道"
}

// unitsNamed resolves 区直有关部门: units the text names outright first,
// then units its topic points at.
func (r *Router) unitsNamed(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]UnitCue{r.rules.UnitMentions, r.rules.TopicUnits} {
		for _, uc := range list {
			if !seen[uc.Unit] && containsAny(text, uc.Phrases) {
				seen[uc.Unit] = true
				out = append(out, uc.Unit)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}

func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if p != "" && strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// countAny counts the phrases present in s, not counting a phrase that is
// only present inside a longer phrase already counted.
func countAny(s string, phrases []string) int {
	n := 0
	var hit []string
	for _, p := range phrases {
		if p == "" || !strings.Contains(s, p) {
			continue
		}
		inside := false
		for _, h := range hit {
			if strings.Contains(h, p) || strings.Contains(p, h) {
				inside = true
				break
			}
		}
		hit = append(hit, p)
		if !inside {
			n++
		}
	}
	return n
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// foldWidth turns full-width ASCII forms (（，：？ and ＡＢ１２) into their
// half-width forms, as the notice and routing.json are written.
func foldWidth(s string) string {
	return strings.Map(zhtext.HalfWidth, s)
}
