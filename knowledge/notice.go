package knowledge

// The notice parser reads one Chinese government notice (通知) that issues
// packages of numbered measures: the header (issuing office, 文号, title,
// addressees, dates), each package named in 《…》 by the notice body, its
// sections and items, the responsible units and the dates in the text.
//
// It works on one normalised string (traditional → simplified, full-width →
// half-width) and finds items by their numbering in sequence, not by line
// breaks, so a notice printed on one line parses like one with paragraphs.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// ParseError is a notice that cannot be parsed; Line is 1-based.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// InvalidInput marks the error as bad input (exit status 2).
func (e *ParseError) InvalidInput() bool { return true }

//go:embed source/notices.json
var noticeDataJSON []byte

// noticeData is the reviewable data the parser uses: id prefixes of known
// notices, how people name their packages and what they are about, and the
// misprints to repair.
type noticeData struct {
	Known []struct {
		DocNo       string   `json:"doc_no"`
		Keys        []string `json:"keys"`
		ShortTitles []string `json:"short_titles"`
		Topics      []string `json:"topics"`
	} `json:"known"`
	Repairs []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"repairs"`
}

var loadNoticeData = sync.OnceValues(func() (*noticeData, error) {
	var d noticeData
	if err := json.Unmarshal(noticeDataJSON, &d); err != nil {
		return nil, fmt.Errorf("knowledge: source/notices.json: %w", err)
	}
	return &d, nil
})

// simplifiedHalfWidth converts traditional characters to simplified (only
// when there are any) and full-width ASCII forms to half-width.
func simplifiedHalfWidth(s string) string {
	if zhtext.HasTraditional(s) {
		// Line by line, so that line numbers survive the conversion.
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = zhtext.Simplify(l)
		}
		s = strings.Join(lines, "\n")
	}
	return strings.Map(halfWidth, s)
}

func halfWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000 || r == 0xA0 || r == 0x2002 || r == 0x2003:
		return ' '
	case r == '\r' || r == 0xFEFF:
		return -1
	}
	return r
}

func civilDate(y, m, d int) (time.Time, bool) {
	if y < 1949 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, zhtext.China())
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func endOfMonth(y, m int) (time.Time, bool) {
	t, ok := civilDate(y, m, 1)
	if !ok {
		return t, false
	}
	return t.AddDate(0, 1, -1), true
}

// cnNumeralChars are the characters of the numbers that number a notice's
// items and sections (一、 (十二) 第二十条); no notice numbers a thousand.
const cnNumeralChars = "零〇一二三四五六七八九十百两"

// numbering styles of items and sections.
type numStyle int

const (
	styleNone   numStyle = iota
	styleArabic          // 1.  1、
	styleParen           // (一)
	styleTiao            // 第一条
	styleCN              // 一、
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
	}
	return nil
}

// lineStartMarker recognises a marker of the style at the start of a line,
// to catch numbering that jumps.
func (s numStyle) lineStartMarker() *regexp.Regexp {
	switch s {
	case styleArabic:
		return reLineArabic
	case styleParen:
		return reLineParen
	case styleTiao:
		return reLineTiao
	case styleCN:
		return reLineCN
	}
	return nil
}

var (
	reLineArabic = regexp.MustCompile(`^(\d{1,3})[.、]\D`)
	reLineParen  = regexp.MustCompile(`^\(([` + cnNumeralChars + `]{1,4})\)`)
	reLineTiao   = regexp.MustCompile(`^第([` + cnNumeralChars + `\d]{1,5})条`)
	reLineCN     = regexp.MustCompile(`^([` + cnNumeralChars + `]{1,4})、`)
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

type noticeParser struct {
	t   string // normalised text
	nl  []int  // byte offsets of '\n' in t
	end int    // where the measures end (相关链接 etc.)
}

func (p *noticeParser) line(off int) int { return sort.SearchInts(p.nl, off) + 1 }

func (p *noticeParser) errAt(off int, format string, a ...any) *ParseError {
	return &ParseError{Line: p.line(off), Msg: fmt.Sprintf(format, a...)}
}

func (p *noticeParser) prevRune(off int) rune {
	if off <= 0 {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeLastRuneInString(p.t[:off])
	return r
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

// ParseNotice parses a notice of the district's genre. A text in which no
// numbered item can be found, or whose numbering jumps, is a *ParseError.
func ParseNotice(src []byte) (n *Notice, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("knowledge: parse notice: internal error: %v", r)
		}
	}()
	data, err := loadNoticeData()
	if err != nil {
		return nil, err
	}
	t := simplifiedHalfWidth(strings.ToValidUTF8(string(src), "\uFFFD"))
	p := &noticeParser{t: t}
	for i := 0; i < len(t); i++ {
		if t[i] == '\n' {
			p.nl = append(p.nl, i)
		}
	}
	if strings.TrimSpace(t) == "" {
		return nil, &ParseError{Line: 1, Msg: "文件是空的"}
	}
	p.end = p.tailStart()
	n = &Notice{}
	bodyFrom, bodyTo, afterHeader := p.header(n)
	type seg struct {
		title      string
		start, end int // package title .. next package
		from       int // after the title
	}
	var segs []seg
	for _, titles := range [][]string{p.bookTitles(bodyFrom, bodyTo), p.titleLines(afterHeader)} {
		at := afterHeader
		for _, title := range titles {
			st, en, ok := p.findTitle(title, at)
			if !ok {
				continue
			}
			segs = append(segs, seg{title: title, start: st, from: en})
			at = en
		}
		if len(segs) > 0 {
			break
		}
	}
	if len(segs) == 0 {
		// No package named or found: the notice itself carries the items.
		title := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(n.Title, "关于印发"), "关于"), "的通知")
		segs = append(segs, seg{title: title, start: afterHeader, from: afterHeader})
	}
	for i := range segs {
		if i+1 < len(segs) {
			segs[i].end = segs[i+1].start
		} else {
			segs[i].end = p.end
		}
	}
	var titles []string
	for _, sg := range segs {
		titles = append(titles, sg.title)
	}
	keys := packageKeys(data, n, titles, p.t[:min(len(p.t), 4000)])
	for i, s := range segs {
		pk, err := p.parsePackage(data, n, s.title, keys[i], s.start, s.from, s.end)
		if err != nil {
			return nil, err
		}
		n.Packages = append(n.Packages, *pk)
	}
	return n, nil
}

// tailStart is where the page's trailer (相关链接, image links) begins.
func (p *noticeParser) tailStart() int {
	end := len(p.t)
	if i := strings.LastIndex(p.t, "相关链接"); i >= 0 {
		end = i
	}
	for {
		body := strings.TrimRight(p.t[:end], " \t\n")
		ls := strings.LastIndexByte(body, '\n') + 1
		last := strings.ToLower(body[ls:])
		if ls > 0 && (strings.HasSuffix(last, ".jpg") || strings.HasSuffix(last, ".png") || strings.HasSuffix(last, ".pdf")) {
			end = ls
			continue
		}
		return end
	}
}

var (
	reTitle     = regexp.MustCompile(`关于[^\n。《》]{0,200}?的通知`)
	reDocNo     = regexp.MustCompile(`(\p{Han}{1,12})\s*(?:[〔\[(【]\s*((?:19|20)\d{2})\s*[〕\])】]?|((?:19|20)\d{2})\s*[〕\])】])\s*(\d{1,4})\s*号?`)
	rePublished = regexp.MustCompile(`(?:发布日期|发布时间)\s*:?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	reWritten   = regexp.MustCompile(`成文日期\s*:?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	reSignature = regexp.MustCompile(`([^\s。,:;()《》“”\d]{2,30}?(?:人民政府办公室|人民政府|办公室|委员会|局|厅))\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reTitleEnd  = regexp.MustCompile(`(?:措施|办法|细则|方案|规定|附件)`)
	reOfficeEnd = regexp.MustCompile(`(?:人民政府办公室|人民政府|办公室|委员会|局|厅)$`)
	reBookTitle = regexp.MustCompile(`《([^《》\n]{2,100})》`)
)

// header fills the notice's metadata and returns the span of the notice's
// own body (where the packages are named) and where the packages may start.
func (p *noticeParser) header(n *Notice) (bodyFrom, bodyTo, after int) {
	t := p.t[:p.end]
	titles := reTitle.FindAllStringIndex(t, -1)
	if len(titles) > 0 {
		n.Title = strings.Join(strings.Fields(t[titles[0][0]:titles[0][1]]), "")
	}
	if m := rePublished.FindStringSubmatch(t); m != nil {
		n.Published = ymd(m[1], m[2], m[3])
	}
	// Addressees: after a title, the names before a colon (the 发布日期:
	// and 文号 that may come between are skipped).
	after = 0
	bodyFrom = -1
addressees:
	for _, ti := range titles {
		prev := ti[1]
		for prev < len(t) && prev-ti[1] < 600 {
			c := strings.IndexByte(t[prev:], ':')
			if c < 0 {
				break
			}
			cand := t[prev : prev+c]
			next := prev + c + 1
			// The addressees are the last line before the colon, after any
			// 文号 or date.
			cand = cand[strings.LastIndexByte(cand, '\n')+1:]
			if i := strings.LastIndex(cand, "的通知"); i >= 0 {
				cand = cand[i+len("的通知"):]
			}
			if loc := reDocNo.FindStringIndex(cand); loc != nil {
				cand = cand[loc[1]:]
			}
			if i := strings.LastIndexAny(cand, "0123456789号〕]"); i >= 0 {
				_, size := utf8.DecodeRuneInString(cand[i:])
				cand = cand[i+size:]
			}
			cand = strings.TrimSpace(cand)
			prev = next
			if cand == "" || strings.Contains(cand, "日期") || strings.Contains(cand, "时间") || strings.ContainsAny(cand, "。《") {
				continue
			}
			for _, a := range strings.FieldsFunc(cand, func(r rune) bool { return strings.ContainsRune("、,;\n ", r) }) {
				if a = strings.TrimSpace(a); a != "" {
					n.Addressees = append(n.Addressees, a)
				}
			}
			bodyFrom = next
			break addressees
		}
	}
	if bodyFrom < 0 && len(titles) > 0 {
		bodyFrom = titles[len(titles)-1][1]
	}
	if bodyFrom < 0 {
		bodyFrom = 0
	}
	bodyTo = bodyFrom
	// Signature: the office and the date that close the notice's body.
	if loc := reSignature.FindStringSubmatchIndex(t[bodyFrom:]); loc != nil && bodyFrom > 0 {
		m := func(i int) string { return t[bodyFrom+loc[2*i] : bodyFrom+loc[2*i+1]] }
		office := m(1)
		// On one line the office follows the attachment's title: keep what
		// comes after it.
		if loc := reTitleEnd.FindAllStringIndex(office, -1); loc != nil {
			office = office[loc[len(loc)-1][1]:]
		}
		n.Office = strings.TrimLeft(office, "-—·|>")
		n.Issued = ymd(m(2), m(3), m(4))
		bodyTo = bodyFrom + loc[0]
		after = bodyFrom + loc[1]
	} else {
		// No signature: the body is the paragraph after the addressees.
		after = bodyFrom
		if len(titles) > 0 {
			bodyTo = bodyFrom + min(len(t)-bodyFrom, 600)
			if i := strings.Index(t[bodyFrom:bodyTo], "。"); i >= 0 {
				bodyTo = bodyFrom + i
			}
		}
	}
	// 文号: the first before the first package (the page's links repeat it).
	docArea := t[:min(len(t), 3000)]
	if after > 0 {
		docArea = t[:after] // the header, up to the signature
	}
	if m := reDocNo.FindStringSubmatch(docArea); m != nil {
		prefix := m[1]
		// A 文号 prefix (城政办发) holds no date or title words.
		if i := strings.LastIndexAny(prefix, "知日月年期"); i >= 0 {
			_, size := utf8.DecodeRuneInString(prefix[i:])
			prefix = prefix[i+size:]
		}
		if rs := []rune(prefix); len(rs) > 8 {
			prefix = string(rs[len(rs)-8:])
		}
		year := m[2] + m[3]
		if prefix != "" && strings.ContainsAny(prefix, "发函字办令") {
			n.DocNo = prefix + "〔" + year + "〕" + strings.TrimLeft(m[4], "0") + "号"
		}
	}
	if m := reWritten.FindStringSubmatch(t); m != nil {
		n.Issued = ymd(m[1], m[2], m[3])
	}
	if n.Office == "" && len(titles) > 0 {
		// The office is printed just before the title, on its line or the one before.
		before := strings.TrimRight(t[:titles[len(titles)-1][0]], " \t\n")
		ls := strings.LastIndexByte(before, '\n') + 1
		if cand := strings.TrimSpace(before[ls:]); reOfficeEnd.MatchString(cand) && utf8.RuneCountInString(cand) <= 30 {
			n.Office = cand
		}
	}
	// (此件公开发布): between the signature and the packages.
	if i := strings.Index(t[after:], "此件公开发布"); i >= 0 && i < 40 {
		n.Public = true
		after += i + len("此件公开发布")
		if strings.HasPrefix(t[after:], ")") {
			after++
		}
	}
	return bodyFrom, bodyTo, after
}

func ymd(y, m, d string) time.Time {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t, _ := civilDate(yi, mi, di)
	return t
}

var rePackageTitleLine = regexp.MustCompile(`(?:措施|办法|细则|方案|规定|政策)$`)

// bookTitles are the 《…》 the notice body issues.
func (p *noticeParser) bookTitles(bodyFrom, bodyTo int) []string {
	var out []string
	if bodyFrom < bodyTo && bodyTo <= len(p.t) {
		for _, m := range reBookTitle.FindAllStringSubmatch(p.t[bodyFrom:bodyTo], -1) {
			title := strings.Join(strings.Fields(m[1]), "")
			if !slices.Contains(out, title) {
				out = append(out, title)
			}
		}
	}
	return out
}

// titleLines are the standalone title lines after the header (one may be
// split over two lines, like …扩大有效投资 / 十八条措施).
func (p *noticeParser) titleLines(from int) []string {
	var out []string
	lines := strings.Split(p.t[min(from, p.end):p.end], "\n")
	var prev string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		short := utf8.RuneCountInString(l) <= 40 && !strings.ContainsAny(l, "。,:;") &&
			!reLineCN.MatchString(l) && !reLineArabic.MatchString(l+"x") && !reLineParen.MatchString(l)
		if short && rePackageTitleLine.MatchString(l) {
			title := l
			if prev != "" && utf8.RuneCountInString(l) <= 8 {
				title = prev + l
			}
			if !slices.Contains(out, title) {
				out = append(out, title)
			}
			prev = ""
			continue
		}
		if short {
			prev = l
		} else {
			prev = ""
		}
	}
	return out
}

// findTitle finds a package title standing on its own (not cited in 《》)
// at or after from, ignoring whitespace inside it; it returns the offsets of
// its first byte and just after its last.
func (p *noticeParser) findTitle(title string, from int) (int, int, bool) {
	want := []rune(strings.Join(strings.Fields(title), ""))
	if len(want) == 0 {
		return 0, 0, false
	}
	t := p.t[:p.end]
	for at := from; at < len(t); {
		i := strings.Index(t[at:], string(want[0]))
		if i < 0 {
			return 0, 0, false
		}
		st := at + i
		at = st + utf8.RuneLen(want[0])
		if p.prevRune(st) == '《' {
			continue
		}
		// Match rune by rune, skipping whitespace in the text.
		j, k := st, 0
		for k < len(want) && j < len(t) {
			r, size := utf8.DecodeRuneInString(t[j:])
			if unicode.IsSpace(r) {
				j += size
				continue
			}
			if r != want[k] {
				break
			}
			j += size
			k++
		}
		if k == len(want) && !strings.HasPrefix(t[j:], "》") {
			return st, j, true
		}
	}
	return 0, 0, false
}

var reDocNoParts = regexp.MustCompile(`〔(\d{4})〕(\d+)号`)

// packageKeys are the id prefixes: the data's for a known notice, else
// derived from the 文号 (n2024-3-p1), the date, or a hash of the text.
func packageKeys(data *noticeData, n *Notice, titles []string, text string) []string {
	count := len(titles)
	for _, k := range data.Known {
		if k.DocNo == n.DocNo && len(k.Keys) == count {
			return k.Keys
		}
	}
	base := ""
	if m := reDocNoParts.FindStringSubmatch(n.DocNo); m != nil {
		base = "n" + m[1] + "-" + m[2]
	} else if !n.Issued.IsZero() {
		base = "n" + n.Issued.Format("20060102")
	} else {
		h := fnv.New32a()
		h.Write([]byte(n.Title))
		for _, t := range titles {
			h.Write([]byte(t))
		}
		h.Write([]byte(text)) // no title: the text itself tells notices apart
		base = fmt.Sprintf("x%08x", h.Sum32())
	}
	keys := make([]string, count)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s-p%d", base, i+1)
	}
	return keys
}

var (
	reShortName     = regexp.MustCompile(`([` + cnNumeralChars + `\d]+条)`)
	rePreambleTitle = regexp.MustCompile(`^\s*([^。,:;()\s]{2,40}?(?:措施|办法|细则|方案|规定))`)
	reHeadingItem   = regexp.MustCompile(`\d{1,3}[.、]|\([` + cnNumeralChars + `]{1,4}\)|第[` + cnNumeralChars + `\d]{1,5}条`)
)

func (p *noticeParser) parsePackage(data *noticeData, n *Notice, title, key string, start, from, to int) (*Package, error) {
	pk := &Package{Key: key, Title: title, Name: title}
	if m := reShortName.FindStringSubmatch(title); m != nil {
		pk.Name = m[1]
	}
	if from > to {
		from = to
	}
	item, sec := p.styles(from, to)
	if item == styleNone {
		return nil, p.errAt(max(start, 0), "《%s》中没有找到编号的条目(1. / (一) / 第一条)", title)
	}
	marks := p.scan(item, sec, from, to)
	if len(marks) == 0 || !slices.ContainsFunc(marks, func(m mark) bool { return !m.section }) {
		return nil, p.errAt(from, "《%s》中没有找到编号的条目", title)
	}
	pk.Preamble = joinLines(p.t[from:marks[0].start])
	if pk.Title == "" {
		// No header: a title glued to the text before the first item.
		if m := rePreambleTitle.FindStringSubmatch(pk.Preamble); m != nil {
			pk.Title, pk.Name = m[1], m[1]
			if sn := reShortName.FindStringSubmatch(m[1]); sn != nil {
				pk.Name = sn[1]
			}
			pk.Preamble = strings.TrimSpace(pk.Preamble[len(m[0]):])
		}
	}
	section := ""
	num := 0
	for i, m := range marks {
		end := to
		if i+1 < len(marks) {
			end = marks[i+1].start
		}
		body := p.t[m.end:end]
		if m.section {
			nextIsItem := i+1 < len(marks) && !marks[i+1].section
			if !nextIsItem {
				// A section without items is a closing clause (validity).
				clause := joinLines(body)
				if v, ok := packageTerm(clause, n.Issued); ok || pk.ValidityText == "" && strings.Contains(clause, "有效期") {
					pk.ValidUntil = v
					pk.ValidityText = clause
				}
				continue
			}
			section = joinLines(p.t[m.start:end])
			continue
		}
		if err := p.checkNumbering(item, sec, m, body); err != nil {
			return nil, err
		}
		num++
		ms := p.measure(data, body)
		ms.ID = fmt.Sprintf("%s-%02d", key, num)
		ms.Package = pk.Name
		ms.Number = num
		ms.Section = section
		ms.Source = p.line(m.start)
		pk.Measures = append(pk.Measures, ms)
	}
	if !pk.ValidUntil.IsZero() {
		for i := range pk.Measures {
			pk.Measures[i].ValidUntil = pk.ValidUntil
		}
	}
	return pk, nil
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
	case hasCN:
		sec = styleCN
	case item == styleArabic && has(styleParen):
		sec = styleParen
	}
	return item, sec
}

// scan finds the markers in sequence: the next section heading or the next
// item, whichever comes first; after a heading items may restart at 1.
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

// checkNumbering refuses an item whose text holds, at a line start, another
// marker of the same style: the numbering skipped or repeated a number.
func (p *noticeParser) checkNumbering(item, sec numStyle, m mark, body string) error {
	off := m.end
	for {
		i := strings.IndexByte(body, '\n')
		if i < 0 {
			return nil
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
				return p.errAt(off, "编号不连续:第%d条之后出现了%s编号“%s”", m.num, what, found)
			}
		}
	}
}

// joinLines removes line breaks (and the spaces around them) inside a block.
func joinLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.TrimSpace(strings.Join(lines, ""))
}

// reLeadCo is (X牵头,Y配合): a bracket whose content ends with a role.
var reLeadCo = regexp.MustCompile(`\(([^()]{1,240}?(?:牵头|配合|协助|参与))\s*\)`)

// measure builds one item from its text (after the number).
func (p *noticeParser) measure(data *noticeData, body string) Measure {
	text := joinLines(body)
	var ms Measure
	// A (牵头) inside a unit line would close its bracket: mark it first.
	marked := leadMarks.Replace(text)
	if st, en, list, ok := unitLine(marked); ok {
		ms.Units, ms.CoUnitsFrom = parseUnitList(list)
		text = leadUnmarks.Replace(strings.TrimSpace(marked[:st] + marked[en:]))
	} else if locs := reLeadCo.FindAllStringSubmatchIndex(marked, -1); locs != nil {
		l := locs[len(locs)-1]
		ms.Units, ms.CoUnitsFrom = parseUnitList(marked[l[2]:l[3]])
		text = leadUnmarks.Replace(strings.TrimSpace(marked[:l[0]] + marked[l[1]:]))
	} else {
		ms.Units = bodyUnits(text)
	}
	if ms.Units == nil {
		ms.Units = []string{}
	}
	repaired := text
	for _, r := range data.Repairs {
		if r.From != "" {
			repaired = strings.ReplaceAll(repaired, r.From, r.To)
		}
	}
	if repaired != text {
		ms.OriginalText = text
	}
	ms.Text = repaired
	ms.Title = repaired
	if i := strings.Index(repaired, "。"); i >= 0 {
		ms.Title = repaired[:i]
	}
	ms.Title = strings.TrimSpace(ms.Title)
	ms.Windows = windows(repaired)
	return ms
}

// unitLine finds the last (责任单位:…) of an item, with or without its
// brackets; the list runs to the closing bracket, the line end or the end.
func unitLine(text string) (start, end int, list string, ok bool) {
	kw := -1
	for _, k := range []string{"责任单位", "责任部门", "承办单位", "牵头单位"} {
		if i := strings.LastIndex(text, k); i > kw {
			// Only a label: 责任单位 followed by a colon.
			if rest := strings.TrimLeft(text[i+len(k):], " "); strings.HasPrefix(rest, ":") {
				kw = i
			}
		}
	}
	if kw < 0 {
		return 0, 0, "", false
	}
	start = kw
	if before := strings.TrimRight(text[:kw], " "); strings.HasSuffix(before, "(") {
		start = len(before) - 1
	}
	from := kw + strings.Index(text[kw:], ":") + 1
	end = len(text)
	if i := strings.IndexAny(text[from:], ")\n"); i >= 0 {
		end = from + i
		list = text[from:end]
		if text[end] == ')' {
			end++
		}
	} else {
		list = text[from:]
	}
	return start, end, list, true
}

var (
	leadMarks   = strings.NewReplacer("(牵头)", "〔牵头〕", "(配合)", "〔配合〕")
	leadUnmarks = strings.NewReplacer("〔牵头〕", "(牵头)", "〔配合〕", "(配合)")
)

// parseUnitList reads a unit list: groups separated by , or ; of names
// separated by 、. A group ending in 牵头 (or labelled 牵头单位:) leads, one
// ending in 配合/协助/参与 (or labelled 配合单位:) assists; a name marked
// (牵头) leads. The result lists the leads first; coFrom is where the
// assisting units start, 0 when the list says nothing of roles.
func parseUnitList(list string) (units []string, coFrom int) {
	const (
		plain = iota
		lead
		co
	)
	var byRole [3][]string
	mode := plain
	for _, group := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		group = strings.TrimSpace(group)
		if i := strings.IndexByte(group, ':'); i >= 0 {
			switch label := group[:i]; {
			case strings.Contains(label, "配合") || strings.Contains(label, "协办") || strings.Contains(label, "协助"):
				mode = co
			case strings.Contains(label, "牵头") || strings.Contains(label, "主办"):
				mode = lead
			default:
				mode = plain
			}
			group = group[i+1:]
		}
		role := mode
		for _, suf := range []string{"牵头", "负责"} {
			if strings.HasSuffix(group, suf) {
				group, role = strings.TrimSuffix(group, suf), lead
			}
		}
		for _, suf := range []string{"配合", "协助", "参与"} {
			if strings.HasSuffix(group, suf) {
				group, role = strings.TrimSuffix(group, suf), co
			}
		}
		for _, name := range strings.FieldsFunc(group, func(r rune) bool { return strings.ContainsRune("、/ \t", r) }) {
			r := role
			if strings.Contains(name, "〔牵头〕") {
				name, r = strings.ReplaceAll(name, "〔牵头〕", ""), lead
			}
			if strings.Contains(name, "〔配合〕") {
				name, r = strings.ReplaceAll(name, "〔配合〕", ""), co
			}
			if u := CanonicalUnit(name); u != "" {
				byRole[r] = append(byRole[r], u)
			}
		}
	}
	add := func(us []string) {
		for _, u := range us {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	switch {
	case len(byRole[lead]) > 0:
		add(byRole[lead])
		n := len(units)
		add(byRole[plain])
		add(byRole[co])
		if len(units) > n {
			coFrom = n
		}
	case len(byRole[co]) > 0:
		add(byRole[plain])
		n := len(units)
		add(byRole[co])
		if n > 0 && len(units) > n {
			coFrom = n
		}
	default:
		add(byRole[plain])
	}
	if units == nil {
		units = []string{}
	}
	return units, coFrom
}

const unitNamePattern = `(?:区\p{Han}{1,12}?(?:局|中心|大队|办公室|部)|市\p{Han}{1,14}?(?:分局|大队)|\p{Han}{1,6}?镇人民政府|各街道办事处|\p{Han}{1,6}?街道办事处)`

var (
	reUnitSubjects = regexp.MustCompile(`^(` + unitNamePattern + `(?:、` + unitNamePattern + `)*)`)
	reUnitSetIn    = regexp.MustCompile(`(?:设在|设于|由)(` + unitNamePattern + `)`)
	reUnitOne      = regexp.MustCompile(unitNamePattern)
)

// bodyUnits finds the units an item names as its actors when it has no unit
// line: the office's seat (设在X), units that lead (X牵头), and units that
// open a clause as its subject (X、Y分别成立…, X用足…). The seat and leads
// come first.
func bodyUnits(text string) []string {
	var lead, rest []string
	add := func(list *[]string, name string) {
		if strings.ContainsAny(name, "的在级对为给") {
			return
		}
		u := CanonicalUnit(name)
		if u != "" && !slices.Contains(lead, u) && !slices.Contains(rest, u) {
			*list = append(*list, u)
		}
	}
	for _, m := range reUnitSetIn.FindAllStringSubmatch(text, -1) {
		add(&lead, m[1])
	}
	// An item that seats an office in a unit (专班办公室设在区工信局) names that
	// unit as the one responsible; units told to set up their own task forces
	// (义井镇人民政府…相应成立专班) act under it, not for the enterprise.
	seated := len(lead) > 0
	starts := []int{0}
	for i, r := range text {
		if strings.ContainsRune("。,;:", r) {
			starts = append(starts, i+utf8.RuneLen(r))
		}
	}
	for _, st := range starts {
		m := reUnitSubjects.FindStringSubmatchIndex(text[st:])
		if m == nil {
			continue
		}
		after := text[st+m[1]:]
		isLead := strings.HasPrefix(after, "牵头") || strings.HasPrefix(after, "负责")
		if strings.HasPrefix(after, "的") || strings.HasPrefix(after, "和") {
			continue
		}
		for _, name := range reUnitOne.FindAllString(text[st+m[2]:st+m[3]], -1) {
			if isLead {
				add(&lead, name)
			} else if !seated {
				add(&rest, name)
			}
		}
	}
	return append(lead, rest...)
}

var (
	reDateDay     = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reMonthRange  = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:至|到|-|—|~)\s*(\d{1,2})\s*月`)
	reUntilMonth  = regexp.MustCompile(`(?:至|到|截至|截止到?)\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)?`)
	reMonthEnd    = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)`)
	reUntilYear   = regexp.MustCompile(`(?:至|到|截至|截止到?)\s*(\d{4})\s*年(?:底|末)?`)
	reYearEnd     = regexp.MustCompile(`(\d{4})\s*年(?:底|末)`)
	reValidYears  = regexp.MustCompile(`有效期\s*(?:为)?\s*(\d+|[` + cnNumeralChars + `]+)\s*(年|个月)`)
	reValidUntil  = regexp.MustCompile(`有效期(?:至|到)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reValidFrom   = regexp.MustCompile(`自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日起`)
	reSentenceEnd = regexp.MustCompile(`[。;!?]`)
)

// windows finds the time limits a clause sets, one per sentence and date.
// A date that starts something (从2023年起, 2020年以来) is not a limit.
func windows(text string) []Window {
	var out []Window
	for _, sent := range reSentenceEnd.Split(text, -1) {
		sent = strings.TrimSpace(sent)
		if !hasYearNumber(sent) {
			continue
		}
		var found []time.Time
		covered := func(a, b int, spans [][]int) bool {
			for _, s := range spans {
				if a < s[1] && s[0] < b {
					return true
				}
			}
			return false
		}
		var spans [][]int
		addAt := func(t time.Time, ok bool, loc []int) {
			if !ok || covered(loc[0], loc[1], spans) {
				return
			}
			spans = append(spans, loc[:2])
			rest := sent[loc[1]:]
			if strings.HasPrefix(rest, "起") || strings.HasPrefix(rest, "以来") || strings.HasPrefix(rest, "以后") || strings.HasPrefix(rest, "之后") {
				return
			}
			if before := sent[:loc[0]]; strings.HasSuffix(before, "从") || strings.HasSuffix(before, "自") {
				return
			}
			if !slices.ContainsFunc(found, t.Equal) {
				found = append(found, t)
			}
		}
		for _, loc := range reMonthRange.FindAllStringSubmatchIndex(sent, -1) {
			y, _ := strconv.Atoi(sent[loc[2]:loc[3]])
			m, _ := strconv.Atoi(sent[loc[6]:loc[7]])
			t, ok := endOfMonth(y, m)
			addAt(t, ok, loc)
		}
		for _, loc := range reDateDay.FindAllStringSubmatchIndex(sent, -1) {
			t := ymd(sent[loc[2]:loc[3]], sent[loc[4]:loc[5]], sent[loc[6]:loc[7]])
			addAt(t, !t.IsZero(), loc)
		}
		for _, re := range []*regexp.Regexp{reUntilMonth, reMonthEnd} {
			for _, loc := range re.FindAllStringSubmatchIndex(sent, -1) {
				rest := strings.TrimLeft(sent[loc[1]:], " ")
				if r, _ := utf8.DecodeRuneInString(rest); r == '日' || r >= '0' && r <= '9' {
					continue
				}
				y, _ := strconv.Atoi(sent[loc[2]:loc[3]])
				m, _ := strconv.Atoi(sent[loc[4]:loc[5]])
				t, ok := endOfMonth(y, m)
				addAt(t, ok, loc)
			}
		}
		for _, re := range []*regexp.Regexp{reUntilYear, reYearEnd} {
			for _, loc := range re.FindAllStringSubmatchIndex(sent, -1) {
				rest := strings.TrimLeft(sent[loc[1]:], " ")
				if r, _ := utf8.DecodeRuneInString(rest); r >= '0' && r <= '9' {
					continue
				}
				y, _ := strconv.Atoi(sent[loc[2]:loc[3]])
				t, ok := civilDate(y, 12, 31)
				addAt(t, ok, loc)
			}
		}
		for _, t := range found {
			out = append(out, Window{Until: t, Text: sent})
		}
	}
	return out
}

// hasYearNumber reports whether s writes a year (2023年).
func hasYearNumber(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "年")
		if j < 0 {
			return false
		}
		if b := strings.TrimRight(s[:i+j], " "); b != "" && b[len(b)-1] >= '0' && b[len(b)-1] <= '9' {
			return true
		}
		i += j + len("年")
	}
}

// packageTerm reads a closing clause: 有效期1年 from the issue date (or from
// 自…起), or 有效期至 a date; the last day in force is returned.
func packageTerm(clause string, issued time.Time) (time.Time, bool) {
	if m := reValidUntil.FindStringSubmatch(clause); m != nil {
		t := ymd(m[1], m[2], m[3])
		return t, !t.IsZero()
	}
	m := reValidYears.FindStringSubmatch(clause)
	if m == nil {
		return time.Time{}, false
	}
	from := issued
	if f := reValidFrom.FindStringSubmatch(clause); f != nil {
		from = ymd(f[1], f[2], f[3])
	}
	if from.IsZero() {
		return time.Time{}, false
	}
	k, ok := zhtext.ParseInt(m[1])
	if !ok || k < 1 || k > 100 {
		return time.Time{}, false
	}
	if m[2] == "年" {
		return from.AddDate(k, 0, -1), true
	}
	return from.AddDate(0, k, -1), true
}
