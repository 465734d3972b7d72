package discord

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ulen is the length of s as Discord counts it (UTF-16 code units). It
// counts lead bytes, which is exact for valid UTF-8 (callers make text valid
// first): one unit per rune, two for a 4-byte rune (a surrogate pair).
func ulen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 || c >= 0xC0 {
			n++
			if c >= 0xF0 {
				n++
			}
		}
	}
	return n
}

// cutUnits returns the longest prefix of s within max UTF-16 units, on a rune boundary.
func cutUnits(s string, max int) string {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// truncate shortens s to at most max units, ending with "…"; it prefers to
// cut at a paragraph, line or sentence end when that keeps most of the text.
func truncate(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if ulen(s) <= max {
		return s
	}
	if max <= 1 {
		return cutUnits("…", max)
	}
	head := cutUnits(s, max-1)
	if i := lastBoundary(head); i > 0 && ulen(head[:i]) >= max*7/10 {
		head = head[:i]
	}
	return strings.TrimRight(head, " \t\n") + "…"
}

// lastBoundary is the byte index just after the last paragraph, line or
// sentence end in s, or -1.
func lastBoundary(s string) int {
	best := -1
	for i, r := range s {
		switch r {
		case '\n', '。', '\uFF01', '\uFF1F', '\uFF1B', '!', '?', ';':
			best = i + utf8.RuneLen(r)
		}
	}
	return best
}

// splitText cuts s into messages of at most max units, on paragraph
// boundaries first, then lines, then sentences, then anywhere.
func splitText(s string, max int) []string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	if s == "" {
		return nil
	}
	if max < 1 {
		max = 1
	}
	var out []string
	for _, p := range splitLevel(s, max, 0) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func splitLevel(s string, max, level int) []string {
	if ulen(s) <= max {
		return []string{s}
	}
	if level >= len(splitSeps) {
		return splitSentences(s, max)
	}
	sep := splitSeps[level]
	sepLen := ulen(sep)
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			out = append(out, cur.String())
		}
		cur.Reset()
		curLen = 0
	}
	for _, p := range strings.Split(s, sep) {
		pl := ulen(p)
		switch {
		case pl > max:
			flush()
			out = append(out, splitLevel(p, max, level+1)...)
		case cur.Len() == 0:
			cur.WriteString(p)
			curLen = pl
		case curLen+sepLen+pl <= max:
			cur.WriteString(sep)
			cur.WriteString(p)
			curLen += sepLen + pl
		default:
			flush()
			cur.WriteString(p)
			curLen = pl
		}
	}
	flush()
	return out
}

// splitSentences packs whole sentences into pieces of at most max units and
// cuts a sentence longer than max anywhere (on a rune boundary).
func splitSentences(s string, max int) []string {
	var sentences []string
	start := 0
	for i, r := range s {
		switch r {
		case '。', '\uFF01', '\uFF1F', '\uFF1B', '!', '?', ';':
			end := i + utf8.RuneLen(r)
			sentences = append(sentences, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		sentences = append(sentences, s[start:])
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	for _, sen := range sentences {
		senLen := ulen(sen)
		for senLen > max {
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				curLen = 0
			}
			head := cutUnits(sen, max)
			if head == "" { // max smaller than one rune: cannot happen for max >= 2
				head = sen[:utf8.RuneLen([]rune(sen)[0])]
			}
			out = append(out, head)
			sen = sen[len(head):]
			senLen = ulen(sen)
		}
		if curLen+senLen > max {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
		cur.WriteString(sen)
		curLen += senLen
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
