package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/lazyre"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// followUp is a message read for what it asks about the conversation's
// topic: the aspects asked, which item of a list, a return to an earlier
// topic, and the content words left once all of that is taken out.
type followUp struct {
	text     string // the message as typed (trimmed)
	folded   string // fold(text)
	aspects  map[string]bool
	ordinal  int // 1-based item; -1 the last; 0 none
	back     string
	refer    bool
	compare  bool
	newTopic bool
	levels   map[string]bool
	extreme  string
	listHead bool // asks for a list of 档/类: answered from the amounts
	// ref is a measure named in the message (二十条第8条, ind-15).
	ref *knowledge.Measure
	// pkg is a package named without a measure number (十八条有效期…).
	pkg string
	// rest is what is left, cue phrases replaced by spaces; tokens are its
	// content words (Chinese bigrams and numbers with units).
	rest   string
	tokens []string
	// soft are the content words inside the asking phrases (申报 of 怎么申报):
	// they may pick among candidate measures and clauses but never make a
	// message a new question.
	soft []string
}

// has reports whether aspect a was asked.
func (f *followUp) has(a string) bool { return f.aspects[a] }

// empty reports whether the message says nothing of its own: only words
// that ask (谁, 多少), point (这个) or fill.
func (f *followUp) empty() bool { return len(f.tokens) == 0 }

// numbersOnly reports whether the only content is figures (120%, 3000万).
func (f *followUp) numbersOnly() bool {
	if len(f.tokens) == 0 {
		return false
	}
	for _, t := range f.tokens {
		if !startsWithDigit(t) {
			return false
		}
	}
	return true
}

// anyCue reports whether the message reads as a follow-up at all.
func (f *followUp) anyCue() bool {
	return len(f.aspects) > 0 || f.ordinal != 0 || f.back != "" || f.refer || f.compare || f.extreme != "" || len(f.levels) > 0
}

var (
	reMeasureID = lazyre.New(`(?i)[a-z]{2,8}-?\d{1,3}`)
	reCite      = lazyre.New(`(?:([零一二两三四五六七八九十百\d]+条)(?:措施)?)?(?:的|里|里面|中)?第([零一二两三四五六七八九十百\d]{1,6})条`)
)

// parseFollowUp reads text against the phrase data and the measures.
func (lg *language) parseFollowUp(text string, measures []*knowledge.Measure, pkgs []string) *followUp {
	f := &followUp{text: strings.TrimSpace(text), aspects: map[string]bool{}, levels: map[string]bool{}}
	s := fold(f.text)
	f.folded = s
	// A measure named in the message overrides the conversation's topic.
	if loc, m := findMeasure(s, measures); m != nil {
		f.ref = m
		s = s[:loc[0]] + " " + s[loc[1]:]
	} else {
		for _, p := range pkgs {
			if p != "" && strings.Contains(s, p) {
				f.pkg = p
				s = strings.Replace(s, p, " ", 1)
				s = strings.Replace(s, "措施", " ", 1)
				break
			}
		}
	}
	if m := lg.ordinalRe.FindStringSubmatchIndex(s); m != nil {
		if n, ok := zhtext.ParseInt(s[m[2]:m[3]]); ok && n > 0 && n < 100 {
			f.ordinal = n
			unit := s[m[4]:m[5]]
			f.listHead = f.listHead || unit == "档" || unit == "类" || unit == "种"
			s = s[:m[0]] + " " + s[m[1]:]
		}
	}
	var rest strings.Builder
	for i := 0; i < len(s); {
		c, ok := lg.cueAt(s[i:])
		if !ok {
			r, size := utf8.DecodeRuneInString(s[i:])
			if lg.stops[r] {
				rest.WriteByte(' ')
			} else {
				rest.WriteRune(r)
			}
			i += size
			continue
		}
		switch c.kind {
		case "aspect":
			f.aspects[c.value] = true
			if c.value == aspHow {
				// 怎么申报: the procedure named, not the asking word.
				for _, tk := range contentTokens(c.phrase) {
					if !strings.ContainsAny(tk, "怎么咋如何什哪啥谁多少样算法做弄操作") {
						f.soft = append(f.soft, tk)
					}
				}
			}
		case "ordinal":
			if f.ordinal == 0 {
				f.ordinal, _ = strconv.Atoi(c.value)
			}
		case "back":
			// "first" wins over a plain "回到": 回到最开始那个.
			if f.back == "" || c.value == "first" || f.back == "go" {
				f.back = c.value
			}
		case "refer":
			f.refer = true
		case "compare":
			f.compare = true
		case "new":
			f.newTopic = true
		case "level":
			f.levels[c.value] = true
		case "extreme":
			f.extreme = c.value
		}
		rest.WriteByte(' ')
		i += len(c.phrase)
	}
	for _, h := range lg.listHeads {
		if f.has(aspList) && strings.Contains(f.folded, "几"+h) {
			f.listHead = true
		}
	}
	f.rest = strings.TrimSpace(rest.String())
	f.tokens = contentTokens(f.rest)
	return f
}

// cueAt returns the longest cue phrase at the start of s.
func (lg *language) cueAt(s string) (cue, bool) {
	for _, c := range lg.cues {
		if strings.HasPrefix(s, c.phrase) {
			return c, true
		}
	}
	return cue{}, false
}

// findMeasure finds a measure named in folded text: an id (ind-15) or a
// citation (二十条第8条, 十八条第三条, 第十二条 when only one package has it).
func findMeasure(s string, measures []*knowledge.Measure) ([2]int, *knowledge.Measure) {
	for _, loc := range reMeasureID.FindAllStringIndex(s, -1) {
		if loc[0] > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:loc[0]]); r < utf8.RuneSelf && unicode.IsLetter(r) {
				continue // inside a longer word
			}
		}
		if m, ok := knowledge.ParseMeasureRef(s[loc[0]:loc[1]], measures); ok {
			return [2]int{loc[0], loc[1]}, m
		}
	}
	for _, loc := range reCite.FindAllStringSubmatchIndex(s, -1) {
		ref := s[loc[0]:loc[1]]
		ref = strings.NewReplacer("的第", "第", "里面第", "第", "里第", "第", "中第", "第").Replace(ref)
		if m, ok := knowledge.ParseMeasureRef(ref, measures); ok {
			return [2]int{loc[0], loc[1]}, m
		}
	}
	return [2]int{}, nil
}

// contentTokens are the words a text says of its own: bigrams of Chinese
// characters within runs (spaces break runs), numbers with their unit
// (3000万, 120%, 1亿) and Latin words.
func contentTokens(rest string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	rs := []rune(rest)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			if j < len(rs) && strings.ContainsRune("%万亿元千百个年月日倍", rs[j]) {
				j++
			}
			add(string(rs[i:j]))
			i = j
		case isHan(r):
			j := i
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			for k := i; k+1 < j; k++ {
				add(string(rs[k : k+2]))
			}
			i = j
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			j := i
			for j < len(rs) && rs[j] < utf8.RuneSelf && unicode.IsLetter(rs[j]) {
				j++
			}
			if j-i >= 2 {
				add(strings.ToLower(string(rs[i:j])))
			}
			i = j
		default:
			i++
		}
	}
	return out
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// subject is the content of the message as a phrase, for echoing it
// (“平定县”): the longest run left once the follow-up words are out.
func (f *followUp) subject() string {
	best := ""
	for _, w := range strings.Fields(f.rest) {
		if utf8.RuneCountInString(w) > utf8.RuneCountInString(best) {
			best = w
		}
	}
	return best
}
