package knowledge

// How a notice numbers its items and sections (1. (一) 第一条 一、), and the
// scan that finds them in sequence: the markers of each style, which one a
// package uses, and the check that the numbering does not jump.

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// cnNumeralChars are the characters of the numbers that number a notice's
// items and sections (一、 (十二) 第二十条); no notice numbers a thousand.
const cnNumeralChars = "零〇一二三四五六七八九十百两"

// numbering styles of items and sections.
type numStyle int

const (
	styleNone    numStyle = iota
	styleArabic           // 1.  1、
	styleParen            // (一)
	styleTiao             // 第一条
	styleCN               // 一、
	styleChapter          // 第一章 (sections of 第一条 items)
)

func (s numStyle) markers(n int) []string {
	cn, ar := zhtext.Numeral(n), strconv.Itoa(n)
	switch s {
	case styleArabic:
		return []string{ar + ".", ar + "、"}
	case styleParen:
		return []string{"(" + cn + ")", "(" + ar + ")"}
	case styleTiao:
		return []string{"第" + cn + "条", "第" + ar + "条"}
	case styleCN:
		return []string{cn + "、"}
	case styleChapter:
		return []string{"第" + cn + "章", "第" + ar + "章"}
	}
	return nil
}

// lineStartMarker recognises a marker of the style at the start of a line,
// to catch numbering that jumps.
func (s numStyle) lineStartMarker() *lazyRegexp {
	switch s {
	case styleArabic:
		return reLineArabic
	case styleParen:
		return reLineParen
	case styleTiao:
		return reLineTiao
	case styleCN:
		return reLineCN
	case styleChapter:
		return reLineChapter
	}
	return nil
}

var (
	reLineArabic  = lazyRE(`^(\d{1,3})[.、]\D`)
	reLineParen   = lazyRE(`^\(([` + cnNumeralChars + `]{1,4})\)`)
	reLineTiao    = lazyRE(`^第([` + cnNumeralChars + `\d]{1,5})条`)
	reLineCN      = lazyRE(`^([` + cnNumeralChars + `]{1,4})、`)
	reLineChapter = lazyRE(`^第([` + cnNumeralChars + `\d]{1,4})章`)
)

// isStrongBoundary reports whether a marker after rune r starts a new block
// for sure (a line, a sentence, a bracket closed).
func isStrongBoundary(r rune) bool {
	switch r {
	case utf8.RuneError, '\n', ' ', '\t', '。', ')', ';', ':', '”', '"', '》', '!', '?', '〕', ']':
		return true
	}
	return false
}

// find returns the first marker of style s for number n in t[from:to] that
// sits at a plausible boundary and that accept (when given) takes.
func (p *noticeParser) find(s numStyle, n, from, to int, accept func(start, end int, strong bool) bool) (int, int, bool) {
	bestS, bestE := -1, -1
	for _, m := range s.markers(n) {
		at := from
		for at < to {
			i := strings.Index(p.t[at:to], m)
			if i < 0 {
				break
			}
			st, en := at+i, at+i+len(m)
			at = en
			if bestS >= 0 && st >= bestS {
				break
			}
			prev := p.prevRune(st)
			strong := isStrongBoundary(prev) || st == from && from == 0
			ok := true
			switch s {
			case styleArabic:
				next, _ := utf8.DecodeRuneInString(p.t[en:])
				if prev < utf8.RuneSelf && (unicode.IsDigit(prev) || unicode.IsLetter(prev) || prev == '.' || prev == '-' || prev == '%') ||
					next >= '0' && next <= '9' || next == '%' {
					ok = false
				}
			case styleTiao:
				// 第三条 glued to text is a marker unless it cites a rule.
				before := p.t[max(0, st-12):st]
				ok = strong && prev != '》' || !strings.HasSuffix(before, "本办法") && !strings.HasSuffix(before, "本措施") &&
					!strings.HasSuffix(before, "本规定") && !strings.HasSuffix(before, "本细则") && !strings.HasSuffix(before, "条例") &&
					!strings.HasSuffix(before, "法") && prev != '》'
				if st == from || prev == '\n' {
					ok = true // right after the title or heading, or on its own line
				}
			case styleCN:
				if strings.ContainsRune(cnNumeralChars+"第之", prev) {
					ok = false
				}
			}
			if ok && accept != nil {
				ok = accept(st, en, strong)
			}
			if ok {
				bestS, bestE = st, en
				break
			}
		}
	}
	return bestS, bestE, bestS >= 0
}

type mark struct {
	section    bool
	start, end int // the marker itself
	num        int
}

// styles decides how items and sections are numbered in t[from:to].
func (p *noticeParser) styles(from, to int) (item, sec numStyle) {
	has := func(s numStyle) bool {
		_, _, ok := p.find(s, 1, from, to, func(st, en int, strong bool) bool {
			if strong || s == styleArabic || s == styleParen || s == styleTiao {
				return true
			}
			// 一、 glued to the text before: a short heading, then an item.
			rest := p.t[en:min(to, en+180)]
			if i := strings.Index(rest, "。"); i >= 0 {
				rest = rest[:i]
			}
			return reHeadingItem.MatchString(rest)
		})
		return ok
	}
	// The items are the style with the longest run 1, 2, 3…; on a tie the
	// finer numbering wins (1. under (一) under 一、).
	run := func(s numStyle) int {
		if !has(s) {
			return 0
		}
		k, pos := 0, from
		for k < 500 {
			_, en, ok := p.find(s, k+1, pos, to, nil)
			if !ok {
				break
			}
			k, pos = k+1, en
		}
		return max(k, 1)
	}
	best := 0
	for _, s := range []numStyle{styleArabic, styleParen, styleTiao} {
		if r := run(s); r > best {
			item, best = s, r
		}
	}
	hasCN := has(styleCN)
	switch {
	case item == styleNone && hasCN:
		item = styleCN
	case item == styleTiao && has(styleChapter):
		sec = styleChapter
	case hasCN:
		sec = styleCN
	case item == styleArabic && has(styleParen):
		sec = styleParen
	}
	// 1、 numbering inside (一) items (sub-points, or a page's chunks) can
	// run longer than the items: the items are the level that carries the
	// responsible units.
	if item == styleArabic && has(styleParen) {
		altSec := styleNone
		if hasCN {
			altSec = styleCN
		}
		ak, an := p.unitItems(styleParen, altSec, from, to)
		ok, on := p.unitItems(item, sec, from, to)
		// More of the items name units, and no fewer in all; or, when the
		// units do not tell, 1、 restarts inside (一) items (each item's
		// sub-points), which come first.
		switch {
		case ak >= ok && ak*on > ok*an:
			item, sec = styleParen, altSec
		case ak == ok && p.restarts(styleArabic, from, to) >= 2 && p.firstMarker(styleParen, from, to) < p.firstMarker(styleArabic, from, to):
			item, sec = styleParen, altSec
		}
	}
	return item, sec
}

// restarts counts the markers numbered 1 of a style in t[from:to].
func (p *noticeParser) restarts(s numStyle, from, to int) int {
	k := 0
	for pos := from; pos < to; {
		_, en, ok := p.find(s, 1, pos, to, func(st, en int, strong bool) bool { return strong })
		if !ok {
			break
		}
		k, pos = k+1, en
	}
	return k
}

// firstMarker is where the first marker of a style in t[from:to] is (to
// when there is none).
func (p *noticeParser) firstMarker(s numStyle, from, to int) int {
	if st, _, ok := p.find(s, 1, from, to, nil); ok {
		return st
	}
	return to
}

// unitItems counts the items of a segmentation whose text names units, and
// all its items.
func (p *noticeParser) unitItems(item, sec numStyle, from, to int) (withUnits, items int) {
	marks := p.scanQuiet(item, sec, from, to)
	k := 0
	for i, m := range marks {
		if m.section {
			continue
		}
		items++
		end := to
		if i+1 < len(marks) {
			end = marks[i+1].start
		}
		body := joinLines(p.t[m.end:end])
		if _, _, _, ok := unitLine(body); ok {
			k++
			continue
		}
		for _, g := range bracketGroups(body) {
			if roleGroup(body[g[0]:g[1]]) {
				k++
				break
			}
		}
	}
	return k, items
}

// scanQuiet is scan without recording warnings (to compare segmentations).
func (p *noticeParser) scanQuiet(item, sec numStyle, from, to int) []mark {
	saved := len(p.warn)
	marks := p.scan(item, sec, from, to)
	p.warn = p.warn[:saved]
	return marks
}

// scan finds the markers in sequence: the next section heading or the next
// item, whichever comes first; after a heading items may restart at 1. A
// number that is skipped (2. then 4.) is taken at a line start, with a
// warning.
func (p *noticeParser) scan(item, sec numStyle, from, to int) []mark {
	var marks []mark
	pos, expSec, expItem := from, 1, 1
	sawSection := false
	// Searches are remembered: a marker not found (or found further on)
	// stays so while pos advances, which keeps the scan linear.
	type key struct {
		sec          bool
		num, expItem int
	}
	type found struct {
		st, en int
		ok     bool
	}
	memo := make(map[key]found)
	cached := func(k key, near, search func(from int) (int, int, bool)) (int, int, bool) {
		// A marker right at pos may be accepted now (it follows the previous one).
		if st, en, ok := near(pos); ok {
			return st, en, ok
		}
		if f, hit := memo[k]; hit && (!f.ok || f.st >= pos) {
			return f.st, f.en, f.ok
		}
		st, en, ok := search(pos)
		memo[k] = found{st, en, ok}
		return st, en, ok
	}
	for pos < to {
		best := mark{start: -1}
		try := func(m mark, ok bool) {
			if ok && (best.start < 0 || m.start < best.start) {
				best = m
			}
		}
		if sec != styleNone {
			st, en, ok := cached(key{true, expSec, expItem}, func(from int) (int, int, bool) {
				return p.find(sec, expSec, from, min(to, from+24), p.headingAccept(item, expItem, to))
			}, func(from int) (int, int, bool) {
				return p.find(sec, expSec, from, to, p.headingAccept(item, expItem, to))
			})
			try(mark{section: true, start: st, end: en, num: expSec}, ok)
		}
		st, en, ok := cached(key{false, expItem, 0}, func(from int) (int, int, bool) {
			return p.find(item, expItem, from, min(to, from+24), nil)
		}, func(from int) (int, int, bool) {
			return p.find(item, expItem, from, to, nil)
		})
		try(mark{start: st, end: en, num: expItem}, ok)
		if sawSection && expItem > 1 {
			st, en, ok := cached(key{false, 1, 0}, func(from int) (int, int, bool) {
				return p.find(item, 1, from, min(to, from+24), nil)
			}, func(from int) (int, int, bool) {
				return p.find(item, 1, from, to, nil)
			})
			try(mark{start: st, end: en, num: 1}, ok)
		}
		// A jump: the next marker of the style at a line start with a
		// higher number, when nothing expected comes before it.
		for _, j := range []struct {
			style numStyle
			sec   bool
			exp   int
		}{{item, false, expItem}, {sec, true, expSec}} {
			if j.style == styleNone {
				continue
			}
			limit := to
			if best.start >= 0 {
				limit = best.start
			}
			if st, en, k, ok := p.findJump(j.style, j.exp, pos, limit); ok {
				p.warnAt(st, "编号不连续:应为第%d%s,这里是第%d%s", j.exp, map[bool]string{false: "条", true: "部分"}[j.sec], k, map[bool]string{false: "条", true: "部分"}[j.sec])
				best = mark{section: j.sec, start: st, end: en, num: k}
				if j.sec {
					expSec = k
				}
			}
		}
		if best.start < 0 {
			break
		}
		marks = append(marks, best)
		pos = best.end
		if best.section {
			expSec++
			sawSection = true
		} else {
			expItem = best.num + 1
			sawSection = false
		}
	}
	return marks
}

// findJump finds, at a line start in t[from:to], a marker of the style
// numbered above exp (at most 20 above); it returns its span and number.
func (p *noticeParser) findJump(s numStyle, exp, from, to int) (int, int, int, bool) {
	re := s.lineStartMarker()
	if re == nil || from >= to {
		return 0, 0, 0, false
	}
	if s == styleTiao || s == styleChapter {
		// 第六条 is a marker wherever it stands (one without lines, or
		// after a chapter's heading): the nearest of the next few.
		bs, be, bk := -1, -1, 0
		for k := exp + 1; k <= exp+3; k++ {
			if st, en, ok := p.find(s, k, from, to, nil); ok && (bs < 0 || st < bs) {
				bs, be, bk = st, en, k
			}
		}
		return bs, be, bk, bs >= 0
	}
	for off := from; off < to; {
		le := p.lineEnd(off)
		if off > from || off == 0 || p.t[off-1] == '\n' {
			l := p.t[off:min(le, to)]
			trimmed := strings.TrimLeft(l, " \t")
			if mm := re.FindStringSubmatchIndex(trimmed); mm != nil {
				k, ok := zhtext.ParseInt(trimmed[mm[2]:mm[3]])
				if ok && k > exp && k <= exp+20 {
					st := off + len(l) - len(trimmed)
					en := st + mm[1]
					if s == styleArabic {
						_, size := utf8.DecodeLastRuneInString(trimmed[:mm[1]])
						en -= size // the regexp takes the rune after the marker
					}
					return st, en, k, true
				}
			}
		}
		off = le + 1
	}
	return 0, 0, 0, false
}

// headingAccept takes a section marker at a strong boundary, or one glued
// to the text before it when a short title and then an item follow.
func (p *noticeParser) headingAccept(item numStyle, expItem, to int) func(st, en int, strong bool) bool {
	return func(st, en int, strong bool) bool {
		if strong {
			return true
		}
		lim := min(to, en+240)
		ist, _, iok := p.find(item, expItem, en, lim, nil)
		if !iok {
			ist, _, iok = p.find(item, 1, en, lim, nil)
		}
		return iok && !strings.Contains(p.t[en:ist], "。")
	}
}

// checkNumbering warns of an item whose text holds, at a line start, another
// marker of the same style: the numbering repeated or went back.
func (p *noticeParser) checkNumbering(item, sec numStyle, m mark, body string) {
	off := m.end
	for {
		i := strings.IndexByte(body, '\n')
		if i < 0 {
			return
		}
		off += i + 1
		body = body[i+1:]
		l := strings.TrimLeft(body, " \t")
		for _, s := range []numStyle{item, sec} {
			re := s.lineStartMarker()
			if re == nil {
				continue
			}
			if mm := re.FindStringSubmatch(l); mm != nil {
				what := "条目"
				if s == sec {
					what = "标题"
				}
				found := strings.TrimSpace(mm[0])
				if s == styleArabic {
					_, size := utf8.DecodeLastRuneInString(found)
					found = found[:len(found)-size]
				}
				p.warnAt(off, "编号不连续:第%d条之后出现了%s编号“%s”,该处并入上一条", m.num, what, found)
				return
			}
		}
	}
}
