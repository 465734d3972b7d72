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
	"strings"
	"sync"
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
		Place       string   `json:"place"`
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

// noticePlace is where a notice applies: the reviewed place of a known
// notice, else the place in its issuing office's name.
func noticePlace(data *noticeData, n *Notice) string {
	for _, k := range data.Known {
		if k.DocNo != "" && k.DocNo == n.DocNo && k.Place != "" {
			return k.Place
		}
	}
	return placeOf(n.Office)
}

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
	n.Place = noticePlace(data, n)
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

// joinLines removes line breaks (and the spaces around them) inside a block.
func joinLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.TrimSpace(strings.Join(lines, ""))
}

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
