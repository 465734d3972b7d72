package knowledge

// Places. A question may name the place it is about: the district the
// notice is for (阳泉市城区, 城区, 区里), a level above it (阳泉市, 山西省), or
// another place (盂县, 晋城市城区, 苏州). The gazetteer (gazetteer.json) is
// the data: every province, every city and county of Shanxi, 阳泉's five
// 区县 with their aliases and common typos, and the names that collide (城区
// is also 晋城's and 汕尾's). Ambiguous short forms (郊区, 小店, 平定) count
// as places only in context, and names inside idioms (大同小异) never do.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed gazetteer.json
var gazetteerJSON []byte

// Place is one administrative division (or development zone) of the
// gazetteer.
type Place struct {
	Name      string   `json:"name"`  // 阳泉市郊区
	Level     string   `json:"level"` // province, prefecture, district, county_city, county, zone, former
	Parent    string   `json:"parent"`
	Province  string   `json:"province"`
	Aliases   []string `json:"aliases"`           // safe as substrings
	Ambiguous []string `json:"ambiguous_aliases"` // only in context
	Typos     []string `json:"typo_forms"`
	En        string   `json:"en"`
	// Short is how the place's own people write it (城区).
	Short string `json:"short_name"`
	// Successor names the divisions an abolished place became.
	Successor []string `json:"successor,omitempty"`
}

type gazetteerData struct {
	Home struct {
		Name    string   `json:"name"`
		Deictic []string `json:"deictic"`
		Subs    []string `json:"subdivisions_from_notice"`
	} `json:"home"`
	Provinces []Place `json:"provinces"`
	Places    []Place `json:"places"`
	Former    []struct {
		Name      string   `json:"name"`
		Successor []string `json:"successor"`
		Province  string   `json:"province"`
	} `json:"former"`
	// NotPlaces are phrases in which a place's name is an ordinary word
	// (大同小异, 长治久安).
	NotPlaces []string `json:"not_places"`
	// Context are the words after an ambiguous short form that make it a
	// place (小店那边, 平定的企业).
	Context []string `json:"ambiguous_context"`
	// Generic are the words before 城区/郊区/矿区 that make them generic
	// (主城区, 老城区).
	Generic []string `json:"generic_before"`
}

// Gazetteer finds the places a question names. It is immutable.
type Gazetteer struct {
	places  []*Place
	byName  map[string]*Place
	home    *Place
	forms   map[string][]placeForm // by first rune
	not     []string
	context []string
	generic []string
}

type formKind uint8

const (
	formAlias formKind = iota
	formAmbiguous
	formTypo
	formDeictic
)

type placeForm struct {
	text  string
	place *Place
	kind  formKind
}

// PlaceMention is a place named in a question.
type PlaceMention struct {
	Place *Place
	Text  string // as written (normalised)
	Start int    // byte offsets in the normalised question
	End   int
	// Typo is set when the place was written as one of its known typos.
	Typo bool
	// Weak is set for a short form or a deictic word (城区, 区里, 郊区):
	// another place named in the same question is what they refer to.
	Weak bool
}

// ParseGazetteer reads a gazetteer in the format of gazetteer.json.
func ParseGazetteer(data []byte) (*Gazetteer, error) {
	d, err := parseGazetteerData(data)
	if err != nil {
		return nil, err
	}
	return newGazetteer(d)
}

// parseGazetteerData reads gazetteer.json's format.
func parseGazetteerData(data []byte) (*gazetteerData, error) {
	d := &gazetteerData{}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	return d, nil
}

// newGazetteer indexes the places of d by name and by the forms a question
// may write them in. d's places become the gazetteer's.
func newGazetteer(d *gazetteerData) (*Gazetteer, error) {
	g := &Gazetteer{byName: map[string]*Place{}, forms: map[string][]placeForm{},
		not: d.NotPlaces, context: d.Context, generic: d.Generic}
	add := func(p *Place) {
		if _, dup := g.byName[p.Name]; dup {
			return // 吉林省 and 吉林市 share no name; a repeated entry is skipped
		}
		g.byName[p.Name] = p
		g.places = append(g.places, p)
	}
	for i := range d.Provinces {
		add(&d.Provinces[i])
	}
	for i := range d.Places {
		add(&d.Places[i])
	}
	for _, f := range d.Former {
		parent := f.Province
		add(&Place{Name: f.Name, Level: "former", Parent: parent, Province: f.Province,
			Aliases: []string{f.Name}, Successor: f.Successor})
	}
	g.home = g.byName[d.Home.Name]
	if g.home == nil {
		return nil, fmt.Errorf("gazetteer: home %q is not among the places", d.Home.Name)
	}
	addForm := func(text string, p *Place, k formKind) {
		text = basicNormalize(text)
		if utf8.RuneCountInString(text) < 2 && k != formDeictic {
			return // one character is a 简称 (晋, 冀), never a mention by itself
		}
		if text == "" {
			return
		}
		key := firstRune(text)
		for _, f := range g.forms[key] {
			if f.text == text && f.place == p {
				return
			}
		}
		g.forms[key] = append(g.forms[key], placeForm{text, p, k})
	}
	for _, p := range g.places {
		addForm(p.Name, p, formAlias)
		for _, a := range p.Aliases {
			addForm(a, p, formAlias)
		}
		for _, a := range p.Ambiguous {
			addForm(a, p, formAmbiguous)
		}
		for _, a := range p.Typos {
			addForm(a, p, formTypo)
		}
		if p.En != "" {
			addForm(strings.ToLower(strings.ReplaceAll(p.En, " ", "")), p, formAlias)
		}
	}
	for _, a := range d.Home.Deictic {
		addForm(a, g.home, formDeictic)
	}
	for _, s := range d.Home.Subs {
		addForm(s, g.home, formDeictic) // 义井镇 is inside the district
	}
	for k, fs := range g.forms {
		sort.SliceStable(fs, func(i, j int) bool { return len(fs[i].text) > len(fs[j].text) })
		g.forms[k] = fs
	}
	return g, nil
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// builtinGazetteer is the embedded gazetteer, parsed once.
var builtinGazetteer = sync.OnceValues(func() (*Gazetteer, error) { return ParseGazetteer(gazetteerJSON) })

// Home is the place the built-in notice is for (阳泉市城区).
func (g *Gazetteer) Home() *Place { return g.home }

// Lookup finds a place by its name or an unambiguous alias (盂县, 阳泉郊区).
func (g *Gazetteer) Lookup(name string) (*Place, bool) {
	name = basicNormalize(strings.TrimSpace(name))
	if p, ok := g.byName[name]; ok {
		return p, true
	}
	for _, f := range g.forms[firstRune(name)] {
		if f.text == name && f.kind == formAlias {
			return f.place, true
		}
	}
	return nil, false
}

// Contains reports whether place p is inner or equal to outer (阳泉市城区 is
// in 阳泉市 and in 山西省).
func (g *Gazetteer) Contains(outer, p *Place) bool {
	for i := 0; p != nil && i < 5; i++ {
		if p == outer {
			return true
		}
		p = g.byName[p.Parent]
	}
	return false
}

// Find returns the places a normalised question names, in order, each
// stretch of text read once, longest name first.
func (g *Gazetteer) Find(nq string) []PlaceMention {
	var out []PlaceMention
	for i := 0; i < len(nq); {
		if n := g.notPlaceAt(nq, i); n > 0 {
			i += n
			continue
		}
		// 太原小店, 晋城的城区: a short form right after its city is that
		// city's district, one mention with it.
		if n := len(out); n > 0 {
			prev := out[n-1]
			if gap := nq[prev.End:i]; gap == "" || gap == "的" {
				if child, text := g.childAt(prev.Place, nq[i:]); child != nil {
					out[n-1] = PlaceMention{Place: child, Text: nq[prev.Start : i+len(text)], Start: prev.Start, End: i + len(text)}
					i += len(text)
					continue
				}
			}
		}
		_, size := utf8.DecodeRuneInString(nq[i:])
		var found *placeForm
		for k, f := range g.forms[nq[i:i+size]] {
			if strings.HasPrefix(nq[i:], f.text) && g.accept(nq, i, f) {
				found = &g.forms[nq[i:i+size]][k]
				break
			}
		}
		if found == nil {
			i += size
			continue
		}
		out = append(out, PlaceMention{Place: found.place, Text: found.text, Start: i, End: i + len(found.text),
			Typo: found.kind == formTypo, Weak: found.kind == formAmbiguous || found.kind == formDeictic})
		i += len(found.text)
	}
	return out
}

// childAt is the division of parent whose short form or ambiguous alias
// starts s (晋城 + 城区 → 晋城市城区, 太原 + 小店 → 小店区), with the text.
func (g *Gazetteer) childAt(parent *Place, s string) (*Place, string) {
	var best *Place
	bestText := ""
	for _, p := range g.places {
		if p.Parent != parent.Name {
			continue
		}
		for _, a := range append(append([]string{}, p.Ambiguous...), p.Aliases...) {
			if a = basicNormalize(a); len(a) > len(bestText) && strings.HasPrefix(s, a) {
				best, bestText = p, a
			}
		}
	}
	return best, bestText
}

// notPlaceAt is the length of an idiom starting at i whose characters
// name no place (大同小异), else 0.
func (g *Gazetteer) notPlaceAt(nq string, i int) int {
	for _, s := range g.not {
		if s = basicNormalize(s); s != "" && strings.HasPrefix(nq[i:], s) {
			return len(s)
		}
	}
	return 0
}

// accept decides whether form f at i is a mention. Aliases and typos
// always are, and deictic words (本区, 区里) unless generic. An ambiguous
// short form never is after a word that makes it generic (主城区); alone,
// it is the district's own or its city's (城区 is home, 郊区 阳泉's) and
// another place's only before a context word (小店那边) when no place of
// the home city shares it.
func (g *Gazetteer) accept(nq string, i int, f placeForm) bool {
	switch f.kind {
	case formAlias, formTypo:
		return true
	case formDeictic:
		return !g.genericBefore(nq, i)
	}
	if g.genericBefore(nq, i) {
		return false
	}
	if g.local(f.place) {
		return true
	}
	for _, other := range g.forms[firstRune(f.text)] {
		if other.text == f.text && other.kind == formAmbiguous && g.local(other.place) {
			return false // 城区 alone is ours, not 晋城's
		}
	}
	rest := nq[i+len(f.text):]
	for _, c := range g.context {
		if strings.HasPrefix(rest, c) {
			return true
		}
	}
	return false
}

// local reports home or a division of home's city (阳泉's five 区县).
func (g *Gazetteer) local(p *Place) bool {
	return p == g.home || p.Parent != "" && p.Parent == g.home.Parent
}

// genericBefore reports a word before position i that makes 城区 generic
// (主城区, 老城区, 新城区).
func (g *Gazetteer) genericBefore(nq string, i int) bool {
	for _, w := range g.generic {
		if strings.HasSuffix(nq[:i], w) {
			return true
		}
	}
	return false
}
