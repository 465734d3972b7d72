package knowledge

import (
	"strings"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// Homophones. Owners type by pinyin and pick the wrong character (专精特心,
// 担宝, 限形). A window of the question whose (loosely pronounced) syllables
// equal those of a lexicon term, and which shares at least half of its
// characters with it, is replaced by the term. Syllables are small integers
// so that a window of up to four characters is one uint64 key.
const maxHomoLen = 4

type homophones struct {
	pinyin  map[string]string // toneless pinyin of a term (zhuanjingtexin) → term
	syl     map[rune][]uint16 // readings per rune, for the terms' runes
	ids     map[string]uint16 // loose syllable → id
	terms   map[uint64][][]rune
	lengths []int // term lengths present, longest first
	keep    []string
	// keepHead are the words of keep by their first rune.
	keepHead map[rune][]string
}

// kept marks the runes of s inside a word to keep. The words are looked up
// by the runes of s (one search of s per word, hundreds of them, was a
// fifth of a search); a word's matches do not overlap, as a search for it
// from the end of its last match would find them.
func (h *homophones) kept(s string) [64]bool {
	var kept [64]bool
	var ends []keptEnd
	ri := 0 // the rune index of at
	for at, r := range s {
		for _, k := range h.keepHead[r] {
			if !strings.HasPrefix(s[at:], k) || keptBefore(ends, k, at) {
				continue
			}
			for x := ri; x < ri+utf8.RuneCountInString(k) && x < len(kept); x++ {
				kept[x] = true
			}
			ends = append(ends, keptEnd{k, at + len(k)})
		}
		ri++
	}
	return kept
}

// addKeep adds a normalised word to keep.
func (h *homophones) addKeep(k string) {
	h.keep = append(h.keep, k)
	r, _ := utf8.DecodeRuneInString(k)
	if h.keepHead == nil {
		h.keepHead = map[rune][]string{}
	}
	h.keepHead[r] = append(h.keepHead[r], k)
}

// keptEnd is where a word to keep last matched in a question.
type keptEnd struct {
	word string
	end  int
}

// keptBefore reports whether word matched before and its match reaches
// past at.
func keptBefore(ends []keptEnd, word string, at int) bool {
	for j := len(ends) - 1; j >= 0; j-- {
		if ends[j].word == word {
			return at < ends[j].end
		}
	}
	return false
}

func newHomophones(terms []string) *homophones {
	h := &homophones{syl: map[rune][]uint16{}, ids: map[string]uint16{}, terms: map[uint64][][]rune{}, pinyin: map[string]string{}}
	seen := map[string]bool{}
	has := [maxHomoLen + 1]bool{}
	first := firstReadings()
	for _, t := range terms {
		t = basicNormalize(t)
		rs := []rune(t)
		if len(rs) < 2 || len(rs) > maxHomoLen || seen[t] {
			continue
		}
		seen[t] = true
		if py := termPinyin(rs, first); py != "" {
			if _, dup := h.pinyin[py]; !dup {
				h.pinyin[py] = t
			}
		}
		keys := []uint64{0}
		ok := true
		for _, r := range rs {
			rd := h.readings(r, true)
			if len(rd) == 0 {
				ok = false
				break
			}
			var next []uint64
			for _, k := range keys {
				for _, id := range rd {
					if len(next) < 8 {
						next = append(next, k<<16|uint64(id))
					}
				}
			}
			keys = next
		}
		if !ok {
			continue
		}
		for _, k := range keys {
			h.terms[k] = append(h.terms[k], rs)
		}
		has[len(rs)] = true
	}
	for l := maxHomoLen; l >= 2; l-- {
		if has[l] {
			h.lengths = append(h.lengths, l)
		}
	}
	return h
}

// readings returns the loose syllable ids of r (all readings when all, else
// the first). Runes outside the terms get ids computed on the fly without
// being stored, so the structure stays read-only after construction.
func (h *homophones) readings(r rune, build bool) []uint16 {
	if ids, ok := h.syl[r]; ok {
		if build {
			return ids
		}
		return ids[:1]
	}
	raw, ok := zhtext.Readings(r)
	if !ok {
		return nil
	}
	var out []uint16
	for len(raw) > 0 {
		p := raw
		if c := strings.IndexByte(raw, ','); c >= 0 {
			p, raw = raw[:c], raw[c+1:]
		} else {
			raw = ""
		}
		k := looseSyllable(p)
		id, ok := h.ids[k]
		if !ok {
			if !build {
				continue
			}
			id = uint16(len(h.ids) + 1)
			h.ids[k] = id
		}
		out = append(out, id)
		if !build {
			break
		}
	}
	if build && len(out) > 0 {
		h.syl[r] = out
	}
	return out
}

func toneless(p string) string {
	var b [16]byte
	n := 0
	for _, r := range p {
		switch r {
		case 'ā', 'á', 'ǎ', 'à':
			r = 'a'
		case 'ē', 'é', 'ě', 'è', 'ê':
			r = 'e'
		case 'ī', 'í', 'ǐ', 'ì':
			r = 'i'
		case 'ō', 'ó', 'ǒ', 'ò':
			r = 'o'
		case 'ū', 'ú', 'ǔ', 'ù':
			r = 'u'
		case 'ǖ', 'ǘ', 'ǚ', 'ǜ', 'ü':
			r = 'v'
		case 'ń', 'ň', 'ǹ':
			r = 'n'
		case 'ḿ':
			r = 'm'
		}
		if r >= 0x80 || n == len(b) {
			continue
		}
		b[n] = byte(r)
		n++
	}
	return string(b[:n])
}

// looseSyllable drops the tone and the distinctions many speakers blur
// (zh/z, ch/c, sh/s, n/l, -ng/-n).
func looseSyllable(p string) string {
	s := toneless(p)
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case strings.HasPrefix(s, "n") && len(s) > 1:
		s = "l" + s[1:]
	}
	if strings.HasSuffix(s, "ng") && len(s) > 2 {
		s = s[:len(s)-1]
	}
	return s
}

// termPinyin is the toneless pinyin of a term's first readings, joined;
// first is the toneless first reading of a rune (false for none).
func termPinyin(rs []rune, first func(rune) (string, bool)) string {
	var b strings.Builder
	for _, r := range rs {
		p, ok := first(r)
		if !ok {
			return ""
		}
		b.WriteString(p)
	}
	return b.String()
}

// firstReadings returns the toneless first reading of a rune, each rune
// looked up in zhtext's table once (the terms share their characters).
func firstReadings() func(rune) (string, bool) {
	type reading struct {
		p  string
		ok bool
	}
	seen := map[rune]reading{}
	return func(r rune) (string, bool) {
		if rd, ok := seen[r]; ok {
			return rd.p, rd.ok
		}
		raw, ok := zhtext.Readings(r)
		if c := strings.IndexByte(raw, ','); c >= 0 {
			raw = raw[:c]
		}
		rd := reading{toneless(raw), ok}
		seen[r] = rd
		return rd.p, rd.ok
	}
}

// fixPinyin replaces words typed in pinyin (zhuanjingtexin, or zhuan jing
// te xin) by the lexicon term they spell.
func (h *homophones) fixPinyin(s string) string {
	words := strings.Fields(s)
	changed := false
	var out []string
	for i := 0; i < len(words); {
		done := false
		for n := min(6, len(words)-i); n >= 1 && !done; n-- {
			joined := strings.Join(words[i:i+n], "")
			if !isPinyinWord(joined) {
				continue
			}
			if t, ok := h.pinyin[joined]; ok {
				out = append(out, t)
				i += n
				changed, done = true, true
			}
		}
		if !done {
			out = append(out, words[i])
			i++
		}
	}
	if !changed {
		return s
	}
	return strings.Join(out, " ")
}

func isPinyinWord(w string) bool {
	if len(w) < 4 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func (h *homophones) fix(s string) string {
	if len(h.terms) == 0 {
		return s
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			s = h.fixPinyin(s)
			break
		}
	}
	rs := []rune(s)
	var ids [64]uint16
	if len(rs) > len(ids) {
		return s // long texts are not typed questions
	}
	// A window can only match a term when it shares a character with it,
	// so syllables are looked up only near characters of the terms.
	var inTerm [64]bool
	any := false
	for i, r := range rs {
		ids[i] = 0
		_, inTerm[i] = h.syl[r]
		any = any || inTerm[i]
	}
	if !any {
		return s
	}
	for i, r := range rs {
		if r < 0x3400 {
			continue
		}
		near := false
		for k := max(0, i-maxHomoLen+1); k < min(len(rs), i+maxHomoLen) && !near; k++ {
			near = inTerm[k]
		}
		if !near {
			continue
		}
		if rd := h.readings(r, false); len(rd) > 0 {
			ids[i] = rd[0]
		}
	}
	// Runes inside a word to keep are never rewritten.
	kept := h.kept(s)
	changed := false
	for i := 0; i < len(rs); {
		adv := 1
	lengths:
		for _, l := range h.lengths {
			if i+l > len(rs) {
				continue
			}
			var key uint64
			for k := i; k < i+l; k++ {
				if ids[k] == 0 {
					continue lengths
				}
				key = key<<16 | uint64(ids[k])
			}
			cands := h.terms[key]
			best, bestSame := -1, 0
			for c, t := range cands {
				same := 0
				for k := 0; k < l; k++ {
					if rs[i+k] == t[k] {
						same++
					}
				}
				if same > bestSame {
					best, bestSame = c, same
				}
			}
			if best >= 0 && 2*bestSame >= l {
				for k := i; k < i+l; k++ {
					if kept[k] && rs[k] != cands[best][k-i] {
						continue lengths
					}
				}
				if bestSame < l {
					copy(rs[i:i+l], cands[best])
					changed = true
				}
				adv = l
				break lengths
			}
		}
		i += adv
	}
	if !changed {
		return s
	}
	return string(rs)
}
