package knowledge

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

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
	return newNormalizer(lx.Common.Typos, lx.terms(), lx.keepWords()), nil
})

// normalizer holds the data-driven parts of normalisation. It is immutable
// after construction and safe for concurrent use.
type normalizer struct {
	typos    []typo          // longest first
	typoHead map[rune][]typo // typos by first rune, longest first
	homo     *homophones
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
			n.homo.keep = append(n.homo.keep, k)
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
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000 || unicode.IsSpace(r):
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

// hasTradOnly reports text holding a character of traditional script.
func hasTradOnly(s string) bool { return zhtext.HasTraditional(s) }

// Numbers. Chinese numerals become digits only where they are a number
// (two or more numeral characters, or one followed by a unit such as 万),
// so that 一企一策 keeps its 一.
func cnDigitValue(r rune) (int, bool) { return zhtext.Digit(r) }

func isCNNum(r rune) bool { return zhtext.IsNumeral(r) }

// parseCN parses a run of Chinese numerals (and digits) such as 三千五百万,
// 十八, 1千万, 一百二十. ok is false when the run is not a well-formed number.
func parseCN(rs []rune) (float64, bool) {
	v, _, ok := zhtext.ParseNumber(string(rs))
	if !ok {
		return 0, false
	}
	f, _ := v.Float64()
	return f, true
}

// formatAmount writes a value the way the notice does: 3000万, 1.2亿, 300.
func formatAmount(v float64) string {
	switch {
	case v >= 1e8 && isRound(v/1e8):
		return trimFloat(v/1e8) + "亿"
	case v >= 1e4 && isRound(v/1e4):
		return trimFloat(v/1e4) + "万"
	}
	return trimFloat(v)
}

func isRound(x float64) bool { return math.Abs(x*10000-math.Round(x*10000)) < 1e-6 }

func trimFloat(x float64) string { return strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64) }

// normalizeNumbers rewrites numerals and amounts in s (already half-width).
func normalizeNumbers(s string) string {
	rs := []rune(s)
	has := false
	for _, r := range rs {
		if r >= '0' && r <= '9' || isCNNum(r) {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	var out []rune
	for i := 0; i < len(rs); {
		// 百分之三十 / 百分之30
		if hasRunes(rs[i:], "百分之") {
			j := i + 3
			k := j
			for k < len(rs) && (isCNNum(rs[k]) || rs[k] >= '0' && rs[k] <= '9' || rs[k] == '.' || rs[k] == '点') {
				k++
			}
			if v, ok := parseNum(rs[j:k]); ok && k > j {
				out = append(out, []rune(trimFloat(v)+"%")...)
				i = k
				continue
			}
		}
		r := rs[i]
		startsNum := r >= '0' && r <= '9' || r == '十'
		if _, d := cnDigitValue(r); d {
			startsNum = true
		}
		if !startsNum {
			out = append(out, r)
			i++
			continue
		}
		j := i
		for j < len(rs) && (isCNNum(rs[j]) || rs[j] >= '0' && rs[j] <= '9' || rs[j] == ',' && j+1 < len(rs) && rs[j+1] >= '0' && rs[j+1] <= '9' && j > i && rs[j-1] >= '0' && rs[j-1] <= '9' ||
			(rs[j] == '.' || rs[j] == '点') && j+1 < len(rs) && (rs[j+1] >= '0' && rs[j+1] <= '9' || isCNDigit(rs[j+1])) && j > i) {
			j++
		}
		run := rs[i:j]
		// 1.2个亿, 一个亿
		k := j
		if k+1 < len(rs) && rs[k] == '个' && (rs[k+1] == '亿' || rs[k+1] == '万') {
			run = append(append([]rune{}, run...), rs[k+1])
			k += 2
		}
		if len(run) == 1 && !isDigitRune(run[0]) && !(i > 0 && rs[i-1] == '第') && !(j < len(rs) && strings.ContainsRune(measureWords, rs[j])) {
			// a lone 一 or 三 is a word part (一企一策), not a number
			out = append(out, run...)
			i = j
			continue
		}
		v, ok := parseNum(run)
		if !ok {
			out = append(out, rs[i:j]...)
			i = j
			continue
		}
		// 2w, 5W: typed 万
		if k < len(rs) && rs[k] == 'w' && (k+1 == len(rs) || !isASCIILetter(rs[k+1])) {
			v *= 1e4
			k++
		}
		out = append(out, []rune(formatAmount(v))...)
		// 2万块钱, 5万块 → 元
		if k < len(rs) && rs[k] == '块' {
			out = append(out, '元')
			k++
			if k < len(rs) && rs[k] == '钱' {
				k++
			}
		}
		i = k
	}
	return string(out)
}

// measureWords make a lone numeral a number: 三个月, 五家, 一年.
const measureWords = "个条月年家次天倍项名户成"

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

func isCNDigit(r rune) bool { _, ok := cnDigitValue(r); return ok }

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// parseNum parses digits with Chinese units, commas and 点 decimals.
func parseNum(rs []rune) (float64, bool) {
	clean := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch {
		case r == ',':
			continue
		case r == '点':
			// 一点二亿: integer part, digits read one by one, then units
			whole, ok := parseCN(clean)
			if !ok || len(clean) == 0 {
				return 0, false
			}
			rest := rs[i+1:]
			frac, scale, n := 0.0, 0.1, 0
			for n < len(rest) {
				d, ok := cnDigitValue(rest[n])
				if !ok && isDigitRune(rest[n]) {
					d, ok = int(rest[n]-'0'), true
				}
				if !ok {
					break
				}
				frac += float64(d) * scale
				scale /= 10
				n++
			}
			if n == 0 {
				return 0, false
			}
			v := whole + frac
			for _, u := range rest[n:] {
				switch u {
				case '万':
					v *= 1e4
				case '亿':
					v *= 1e8
				default:
					return 0, false
				}
			}
			return v, true
		}
		clean = append(clean, r)
	}
	return parseCN(clean)
}

func hasRunes(rs []rune, p string) bool {
	i := 0
	for _, r := range p {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

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
}

func newHomophones(terms []string) *homophones {
	h := &homophones{syl: map[rune][]uint16{}, ids: map[string]uint16{}, terms: map[uint64][][]rune{}, pinyin: map[string]string{}}
	seen := map[string]bool{}
	has := [maxHomoLen + 1]bool{}
	for _, t := range terms {
		t = basicNormalize(t)
		rs := []rune(t)
		if len(rs) < 2 || len(rs) > maxHomoLen || seen[t] {
			continue
		}
		seen[t] = true
		if py := termPinyin(rs); py != "" {
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
	raw, ok := pinyin.PinyinDict[int(r)]
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

// termPinyin is the toneless pinyin of a term's first readings, joined.
func termPinyin(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		raw, ok := pinyin.PinyinDict[int(r)]
		if !ok {
			return ""
		}
		if c := strings.IndexByte(raw, ','); c >= 0 {
			raw = raw[:c]
		}
		b.WriteString(toneless(raw))
	}
	return b.String()
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
	var kept [64]bool
	for _, k := range h.keep {
		for off := 0; off < len(s); {
			j := strings.Index(s[off:], k)
			if j < 0 {
				break
			}
			start := utf8.RuneCountInString(s[:off+j])
			for x := start; x < start+utf8.RuneCountInString(k) && x < len(kept); x++ {
				kept[x] = true
			}
			off += j + len(k)
		}
	}
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
