package knowledge

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// Normalize rewrites a question into the form the index is built from:
// full-width characters to half width, traditional characters to simplified,
// Chinese numerals and money to digits (三千万 → 3000万, 1.2个亿 → 1.2亿,
// 百分之三十 → 30%), ASCII lower case, and the typos and homophones the
// lexicon knows (专精特心 → 专精特新). It never fails: text it does not
// understand is kept.
func Normalize(q string) string {
	n, err := defaultNormalizer()
	if err != nil {
		// The embedded lexicon is checked by tests; without it the
		// generic steps still run.
		return newNormalizer(nil, nil, nil).normalize(q)
	}
	return n.normalize(q)
}

// defaultNormalizer is built once from the embedded lexicon; it is immutable.
var defaultNormalizer = sync.OnceValues(func() (*normalizer, error) {
	lx, err := embeddedLexicon()
	if err != nil {
		return nil, err
	}
	n := newNormalizer(lx.Common.Typos, lx.terms(), lx.keepWords())
	n.setEnglish(lx.Common.English)
	return n, nil
})

// normalizer holds the data-driven parts of normalisation. It is immutable
// after construction and safe for concurrent use.
type normalizer struct {
	typos    []typo          // longest first
	typoHead map[rune][]typo // typos by first rune, longest first
	homo     *homophones
	english  []typo // English words and phrases → Chinese, longest first
}

// setEnglish sets the English words normalisation writes in Chinese.
func (n *normalizer) setEnglish(words map[string]string) {
	for from, to := range words {
		if from = strings.ToLower(strings.TrimSpace(from)); from != "" && to != "" {
			n.english = append(n.english, typo{from, to})
		}
	}
	sortTypos(n.english)
}

// fixEnglish writes the English words of s it knows in Chinese: whole
// words only (a loan, not the loan in sloan), phrases before words.
func (n *normalizer) fixEnglish(s string) string {
	var b strings.Builder
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' || c == '&' || c == '-' }
	for i := 0; i < len(s); {
		if !letter(s[i]) || i > 0 && letter(s[i-1]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		hit := false
		for _, e := range n.english {
			if strings.HasPrefix(s[i:], e.from) && (i+len(e.from) == len(s) || !letter(s[i+len(e.from)])) {
				b.WriteString(e.to)
				i += len(e.from)
				hit = true
				break
			}
		}
		if !hit {
			j := i
			for j < len(s) && letter(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		}
	}
	return b.String()
}

type typo struct{ from, to string }

// keep are real words that look like misspelt terms (火车 sounds like 货车):
// the homophone step never rewrites them.
func newNormalizer(typos map[string]string, terms, keep []string) *normalizer {
	n := &normalizer{typoHead: map[rune][]typo{}}
	for from, to := range typos {
		if hasTradOnly(from) {
			// 營收 → 营收: the script conversion already does it, and
			// normalising the key would load OpenCC at every start.
			continue
		}
		from, to = basicNormalize(from), basicNormalize(to)
		if from == "" || from == to {
			continue
		}
		n.typos = append(n.typos, typo{from, to})
	}
	sortTypos(n.typos)
	for _, t := range n.typos {
		r, _ := utf8.DecodeRuneInString(t.from)
		n.typoHead[r] = append(n.typoHead[r], t)
	}
	n.homo = newHomophones(terms)
	for _, k := range keep {
		if k = basicNormalize(k); utf8.RuneCountInString(k) >= 2 {
			n.homo.addKeep(k)
		}
	}
	return n
}

func sortTypos(ts []typo) {
	// insertion sort: the list is short and built once
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && less(ts[j], ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func less(a, b typo) bool {
	if len(a.from) != len(b.from) {
		return len(a.from) > len(b.from)
	}
	return a.from < b.from
}

func (n *normalizer) normalize(q string) string {
	s := basicNormalize(q)
	if len(n.english) > 0 && hasLatin(s) {
		s = n.fixEnglish(s)
	}
	if len(n.typos) > 0 {
		s = n.fixTypos(s)
	}
	if n.homo != nil {
		s = n.homo.fix(s)
	}
	return s
}

// basicNormalize is the data-free part: width, script, case, numbers.
func basicNormalize(q string) string {
	if isPlain(q) {
		return q
	}
	q = zhtext.Simplify(q)
	var b strings.Builder
	b.Grow(len(q))
	space := false
	for _, r := range q {
		r = zhtext.HalfWidth(r)
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case r == utf8.RuneError || unicode.IsControl(r):
			continue
		}
		if r == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return normalizeNumbers(strings.TrimRight(b.String(), " "))
}

// isPlain reports text that basicNormalize would return unchanged: no
// upper case, wide forms, odd spaces, traditional characters or numbers.
func isPlain(q string) bool {
	for i, r := range q {
		switch {
		case r < 0x80:
			if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r < ' ' || r == 0x7f || r == ' ' && (i == 0 || i == len(q)-1 || q[i-1] == ' ') {
				return false
			}
		case r >= 0xFF01 && r <= 0xFF5E, r == 0x3000, r == utf8.RuneError, unicode.IsSpace(r), unicode.IsControl(r):
			return false
		case isCNNum(r), zhtext.IsTraditional(r):
			return false
		}
	}
	return true
}

func (n *normalizer) fixTypos(s string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if ts := n.typoHead[r]; len(ts) > 0 {
			hit := false
			for _, t := range ts {
				if strings.HasPrefix(s[i:], t.from) {
					if !changed {
						b.Grow(len(s) + 8)
						b.WriteString(s[:i])
						changed = true
					}
					b.WriteString(t.to)
					i += len(t.from)
					hit = true
					break
				}
			}
			if hit {
				continue
			}
		}
		if changed {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if !changed {
		return s
	}
	return b.String()
}

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

// hasTradOnly reports text holding a character of traditional script.
func hasTradOnly(s string) bool { return zhtext.HasTraditional(s) }
