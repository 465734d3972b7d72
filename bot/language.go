package bot

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// The words people use for the menu's actions (intents.json) and for
// following up on what they asked (followups.json) are data: a person can
// read and extend them without reading the engine.
var (
	//go:embed intents.json
	intentsJSON []byte
	//go:embed followups.json
	followupsJSON []byte
)

// intentDef is one action of the menu and the words that ask for it.
type intentDef struct {
	Action string `json:"action"`
	// Arg: the phrase may be followed by an argument after a space.
	Arg   bool         `json:"arg,omitempty"`
	Alone []string     `json:"alone,omitempty"`
	Say   []string     `json:"say,omitempty"`
	All   [][][]string `json:"all,omitempty"`
}

type intentsDoc struct {
	Readme    string      `json:"_readme"`
	Particles []string    `json:"particles"`
	Pronouns  [][2]string `json:"pronouns"`
	MaxRunes  int         `json:"max_runes"`
	Intents   []intentDef `json:"intents"`
}

type followupsDoc struct {
	Readme   string              `json:"_readme"`
	Aspects  map[string][]string `json:"aspects"`
	Ordinals struct {
		Words      []string `json:"words"`
		Pattern    string   `json:"pattern"`
		Last       []string `json:"last"`
		FirstAlias []string `json:"first_alias"`
	} `json:"ordinals"`
	Back      map[string][]string `json:"back"`
	Refer     []string            `json:"refer"`
	Compare   []string            `json:"compare"`
	NewTopic  []string            `json:"new_topic"`
	Fillers   []string            `json:"fillers"`
	Levels    map[string][]string `json:"levels"`
	Extremes  map[string][]string `json:"extremes"`
	ListHeads []string            `json:"list_heads"`
	// NoticeSubject names the notice itself in a question asked again.
	NoticeSubject string `json:"notice_subject"`
	// TopicFillers are the words around a topic asked within a package
	// (二十条里关于用工的有哪些), taken out before it is looked for.
	TopicFillers []string `json:"topic_fillers"`
}

// Aspects of a measure a follow-up may ask about, in the order replies
// present them.
const (
	aspUnit      = "unit"
	aspAmount    = "amount"
	aspValid     = "valid"
	aspStart     = "start"
	aspUntil     = "until"
	aspCondition = "condition"
	aspHow       = "how"
	aspContent   = "content"
	aspList      = "list"
)

var aspectOrder = []string{aspUnit, aspAmount, aspValid, aspStart, aspUntil, aspCondition, aspHow, aspContent, aspList}

// cue is one phrase of followups.json with what it says.
type cue struct {
	phrase string
	kind   string // aspect, ordinal, last, back, refer, compare, new, filler, level, extreme
	value  string // the aspect, back kind, level or extreme; the ordinal as text
}

// language is the parsed phrase data, built once.
type language struct {
	intents   intentsDoc
	pronouns  *strings.Replacer // the dialect's first person as 我
	cues      []cue             // longest phrase first
	stops     map[rune]bool
	ordinalRe *regexp.Regexp
	levels    map[string][]string
	extremes  map[string][]string
	listHeads []string
	// noticeSubject names the notice in a follow-up asked again about it;
	// aspectAsk is each aspect's first phrase, the plainest way to ask it.
	noticeSubject string
	aspectAsk     map[string]string
	topicFillers  []string // longest first
}

var loadLanguage = sync.OnceValues(func() (*language, error) {
	var lg language
	dec := json.NewDecoder(strings.NewReader(string(intentsJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lg.intents); err != nil {
		return nil, fmt.Errorf("bot: intents.json: %w", err)
	}
	var pairs []string
	for _, p := range lg.intents.Pronouns {
		pairs = append(pairs, p[0], p[1])
	}
	lg.pronouns = strings.NewReplacer(pairs...)
	known := map[string]bool{"ticket": true, "report": true, "award": true, "help": true, "cancel": true,
		"back": true, "restart": true, "skip": true, "ask": true, "notify-on": true, "notify-off": true}
	for _, it := range lg.intents.Intents {
		if !known[it.Action] {
			return nil, fmt.Errorf("bot: intents.json: unknown action %q", it.Action)
		}
	}
	var fd followupsDoc
	dec = json.NewDecoder(strings.NewReader(string(followupsJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fd); err != nil {
		return nil, fmt.Errorf("bot: followups.json: %w", err)
	}
	for _, a := range aspectOrder {
		for _, p := range fd.Aspects[a] {
			lg.cues = append(lg.cues, cue{p, "aspect", a})
		}
	}
	if len(fd.Aspects) != len(aspectOrder) {
		return nil, fmt.Errorf("bot: followups.json: aspects must be exactly %v", aspectOrder)
	}
	for i, w := range fd.Ordinals.Words {
		lg.cues = append(lg.cues, cue{w, "ordinal", fmt.Sprint(i + 1)})
	}
	for _, w := range fd.Ordinals.FirstAlias {
		lg.cues = append(lg.cues, cue{w, "ordinal", "1"})
	}
	for _, w := range fd.Ordinals.Last {
		lg.cues = append(lg.cues, cue{w, "ordinal", "-1"})
	}
	re, err := regexp.Compile(fd.Ordinals.Pattern)
	if err != nil {
		return nil, fmt.Errorf("bot: followups.json: ordinal pattern: %w", err)
	}
	lg.ordinalRe = re
	for kind, ws := range fd.Back {
		for _, w := range ws {
			lg.cues = append(lg.cues, cue{w, "back", kind})
		}
	}
	for _, w := range fd.Refer {
		lg.cues = append(lg.cues, cue{w, "refer", ""})
	}
	for _, w := range fd.Compare {
		lg.cues = append(lg.cues, cue{w, "compare", ""})
	}
	for _, w := range fd.NewTopic {
		lg.cues = append(lg.cues, cue{w, "new", ""})
	}
	lg.levels, lg.extremes, lg.listHeads = fd.Levels, fd.Extremes, fd.ListHeads
	if fd.NoticeSubject == "" {
		return nil, errors.New("bot: followups.json: notice_subject is missing")
	}
	lg.noticeSubject, lg.aspectAsk = fd.NoticeSubject, map[string]string{}
	lg.topicFillers = slices.Clone(fd.TopicFillers)
	slices.SortStableFunc(lg.topicFillers, func(a, b string) int { return len(b) - len(a) })
	for a, ps := range fd.Aspects {
		if len(ps) > 0 {
			lg.aspectAsk[a] = ps[0]
		}
	}
	for level, ws := range fd.Levels {
		for _, w := range ws {
			lg.cues = append(lg.cues, cue{w, "level", level})
		}
	}
	for ex, ws := range fd.Extremes {
		for _, w := range ws {
			lg.cues = append(lg.cues, cue{w, "extreme", ex})
		}
	}
	lg.stops = map[rune]bool{}
	for _, w := range fd.Fillers {
		if utf8.RuneCountInString(w) == 1 {
			r, _ := utf8.DecodeRuneInString(w)
			lg.stops[r] = true
			continue
		}
		lg.cues = append(lg.cues, cue{w, "filler", ""})
	}
	// Longest first, so 什么时候开始 is a start and not an until; on equal
	// length the data order decides (stable).
	// Messages are read folded (fold: simplified, half-width, lower-case,
	// no spaces or punctuation), so the phrases are too: "who is
	// responsible" is matched as whoisresponsible.
	kept := lg.cues[:0]
	for _, c := range lg.cues {
		if c.phrase = fold(c.phrase); c.phrase != "" {
			kept = append(kept, c)
		}
	}
	lg.cues = kept
	sort.SliceStable(lg.cues, func(i, j int) bool {
		return utf8.RuneCountInString(lg.cues[i].phrase) > utf8.RuneCountInString(lg.cues[j].phrase)
	})
	return &lg, nil
})

// fold is how the engine reads typed text for its own words: simplified
// characters, half-width forms, lower case, no spaces or punctuation except
// the hyphen and the percent sign (ind-06, 35%).
func fold(s string) string {
	s = zhtext.Simplify(s)
	var b strings.Builder
	for _, r := range s {
		r = zhtext.HalfWidth(r)
		if r == '－' || r == '—' || r == '–' {
			r = '-'
		}
		if r == '-' || r == '%' || r == '.' {
			b.WriteRune(r)
			continue
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// intent is a menu action recognised in text, with what followed its
// phrase (an argument or the words around it).
type intent struct {
	action string
	arg    string // after the phrase and a space: 查进度 CQ-…
	rest   string // the message without the phrase, for a report's description
}

// matchIntent recognises a menu action said in plain words. Inside a
// dialog (aloneOnly) only whole-message phrases count: an answer or a
// description that merely holds 投诉 is not a command.
func (lg *language) matchIntent(text string, aloneOnly bool) (intent, bool) {
	raw := strings.TrimSpace(text)
	// An argument is what follows a phrase after a space.
	head, arg, hasArg := strings.Cut(raw, " ")
	if !hasArg {
		head, arg, hasArg = strings.Cut(raw, "\u3000")
	}
	f0 := fold(raw)
	f := lg.trimParticles(f0)
	if f == "" {
		return intent{}, false
	}
	alone := func(x, w string) bool { w = fold(w); return x == w || lg.trimParticles(x) == lg.trimParticles(w) }
	for _, it := range lg.intents.Intents {
		if it.Arg && hasArg {
			for _, w := range it.Alone {
				if alone(fold(head), w) {
					return intent{action: it.Action, arg: strings.TrimSpace(arg)}, true
				}
			}
		}
		for _, w := range it.Alone {
			if alone(f0, w) {
				return intent{action: it.Action}, true
			}
		}
	}
	if aloneOnly || utf8.RuneCountInString(f) > lg.intents.MaxRunes {
		return intent{}, false
	}
	fp := lg.pronouns.Replace(f)
	for _, it := range lg.intents.Intents {
		for _, w := range it.Say {
			if w = fold(w); strings.Contains(fp, w) {
				return intent{action: it.Action, rest: strings.TrimSpace(strings.Replace(fp, w, " ", 1))}, true
			}
		}
		for _, groups := range it.All {
			if allGroups(fp, groups) {
				return intent{action: it.Action}, true
			}
		}
	}
	return intent{}, false
}

func allGroups(f string, groups [][]string) bool {
	for _, g := range groups {
		found := false
		for _, w := range g {
			if strings.Contains(f, fold(w)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(groups) > 0
}

// trimParticles drops the particles a short command ends with (取消吧, 上一步呀).
func (lg *language) trimParticles(f string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range lg.intents.Particles {
			if t, ok := strings.CutSuffix(f, p); ok && t != "" {
				f, changed = t, true
			}
		}
	}
	return f
}
