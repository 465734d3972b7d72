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
	"errors"
	"fmt"
	"hash/fnv"
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

// Chinese is the error as staff read it: 第2行：….
func (e *ParseError) Chinese() string { return fmt.Sprintf("第%d行：%s", e.Line, e.Msg) }

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
	// DocPlaces are the places 文号 prefixes stand for (苏政 → 江苏省), for
	// a notice that names no issuing office.
	DocPlaces []struct {
		Prefix string `json:"prefix"`
		Place  string `json:"place"`
	} `json:"doc_places"`
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
	r = zhtext.HalfWidth(r)
	switch {
	case r == 0xA0 || r == 0x2002 || r == 0x2003:
		return ' '
	case r == '\r' || r == 0xFEFF:
		return -1
	}
	return r
}

type noticeParser struct {
	t    string // normalised text
	nl   []int  // byte offsets of '\n' in t
	end  int    // where the measures end (相关链接 etc.)
	warn []Warning
	// kind is what the title says the document is.
	kind titleKind
	// place is the notice's place, within which units are canonical.
	place string
	// lineTitle is set when the title is a policy's title line (no 通知
	// or 意见), which starts at titleSt.
	lineTitle bool
	titleSt   int
}

func (p *noticeParser) line(off int) int { return sort.SearchInts(p.nl, off) + 1 }

func (p *noticeParser) errAt(off int, format string, a ...any) *ParseError {
	return &ParseError{Line: p.line(off), Msg: fmt.Sprintf(format, a...)}
}

// warnAt records something skipped or guessed at offset off.
func (p *noticeParser) warnAt(off int, format string, a ...any) {
	p.warn = append(p.warn, Warning{Line: p.line(off), Msg: fmt.Sprintf(format, a...)})
}

func (p *noticeParser) prevRune(off int) rune {
	if off <= 0 {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeLastRuneInString(p.t[:off])
	return r
}

// ParseOptions are what the person ingesting a notice knows better than
// its text: where it applies and who issued it.
type ParseOptions struct {
	// Place overrides the place read from the notice (--place).
	Place string
	// Issuer overrides the issuing office read from the notice (--issuer).
	Issuer string
}

// ParseNoticeFile parses a notice file of any format NoticeText reads
// (.txt, .html, .docx). Like ParseNotice, it fails only when no numbered
// item can be found; what it skipped is in the notice's Warnings.
func ParseNoticeFile(name string, src []byte, opt ParseOptions) (*Notice, error) {
	text, f, err := NoticeText(name, src)
	if err != nil {
		return nil, err
	}
	n, err := parseNotice(text, opt)
	if err != nil {
		return nil, err
	}
	n.Format = f
	return n, nil
}

// ParseNotice parses the text of a notice of the district's genre. A text
// in which no numbered item can be found is a *ParseError; numbering that
// jumps, packages without items and the like are Warnings.
func ParseNotice(src []byte) (*Notice, error) {
	return parseNotice(strings.ToValidUTF8(string(src), "\uFFFD"), ParseOptions{})
}

func parseNotice(text string, opt ParseOptions) (n *Notice, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("knowledge: parse notice: internal error: %v", r)
		}
	}()
	data, err := loadNoticeData()
	if err != nil {
		return nil, err
	}
	t := stripChrome(simplifiedHalfWidth(text))
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
	if opt.Issuer != "" {
		n.Office = strings.TrimSpace(opt.Issuer)
	}
	n.Place = noticePlace(n, opt.Place)
	n.Level = placeLevel(n.Place)
	p.place = n.Place
	type seg struct {
		title      string
		start, end int // package title .. next package
		from       int // after the title
	}
	var segs []seg
	var candidates [][]string
	searchFrom := afterHeader
	switch {
	case p.kind != titleSelf:
		candidates = [][]string{p.bookTitles(bodyFrom, bodyTo), p.titleBooks(n.Title), p.titleLines(afterHeader)}
	case p.lineTitle:
		// A text that opens with a package's title line may hold several
		// (…二十条措施, then …十八条措施), or issue them in a sentence
		// before it (《A》《B》已经…现印发给你们).
		if bt := p.issuedBooks(0, p.titleSt); len(bt) > 0 {
			candidates, searchFrom = [][]string{bt}, p.titleSt
		} else if tl := p.titleLines(p.titleSt); len(tl) >= 2 {
			candidates, searchFrom = [][]string{tl}, p.titleSt
		}
	}
	for _, titles := range candidates {
		at := searchFrom
		for _, title := range titles {
			st, en, ok := p.findTitle(title, at)
			if !ok {
				continue
			}
			// The title as printed on its own line (《》 where the body
			// cited it with 〈〉).
			segs = append(segs, seg{title: strings.Join(strings.Fields(p.t[st:en]), ""), start: st, from: en})
			at = en
		}
		if len(segs) > 0 {
			break
		}
	}
	if len(segs) == 0 {
		// No package named or found: the notice itself carries the items.
		segs = append(segs, seg{title: p.ownPackageTitle(n), start: afterHeader, from: afterHeader})
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
	var firstErr error
	for i, s := range segs {
		pk, err := p.parsePackage(data, n, s.title, keys[i], s.start, s.from, s.end)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			var pe *ParseError
			if errors.As(err, &pe) {
				p.warn = append(p.warn, Warning{Line: pe.Line, Msg: pe.Msg + ",该部分未导入"})
			}
			continue
		}
		n.Packages = append(n.Packages, *pk)
	}
	if len(n.Packages) == 0 {
		return nil, firstErr
	}
	if n.Place == "" {
		// A notice without a header: its place from its package's title,
		// and its units canonical within it.
		if n.Place = noticePlace(n, ""); n.Place != "" {
			n.Level, p.place = placeLevel(n.Place), n.Place
			for i := range n.Packages {
				for j := range n.Packages[i].Measures {
					m := &n.Packages[i].Measures[j]
					for k, u := range m.Units {
						m.Units[k] = p.canon(u)
					}
				}
			}
		}
	}
	p.closingDates(n)
	// The money of a notice the lexicon reviews is the lexicon's (one home
	// for every figure); any other notice's is read from its text.
	if !knownNotice(data, n) {
		for i := range n.Packages {
			for j := range n.Packages[i].Measures {
				m := &n.Packages[i].Measures[j]
				m.Awards = extractAmounts(m.Text, n.Level)
			}
		}
	}
	n.Supersedes = supersededBy(p.t[:p.end])
	sort.SliceStable(p.warn, func(i, j int) bool { return p.warn[i].Line < p.warn[j].Line })
	n.Warnings = p.warn
	return n, nil
}

// ownPackageTitle is the title of the one package a notice that names none
// carries: what it issues (印发X的通知 → X), or the notice itself (…的意见,
// …若干政策).
func (p *noticeParser) ownPackageTitle(n *Notice) string {
	t := n.Title
	if p.kind == titleSelf {
		return t
	}
	if i := strings.Index(t, "印发"); i >= 0 && strings.HasSuffix(t, "的通知") {
		x := strings.TrimSuffix(t[i+len("印发"):], "的通知")
		return strings.Trim(x, "《》〈〉<>")
	}
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(t, "关于印发"), "关于"), "的通知")
}

// tailStart is where the page's trailer (相关链接, image links) begins.
func (p *noticeParser) tailStart() int {
	end := len(p.t)
	for _, mark := range []string{"相关链接", "相关附件", "附件下载"} {
		if i := strings.LastIndex(p.t, mark); i >= 0 && i > len(p.t)/2 && i < end {
			end = i
		}
	}
	for {
		body := strings.TrimRight(p.t[:end], " \t\n")
		ls := strings.LastIndexByte(body, '\n') + 1
		last := strings.ToLower(body[ls:])
		if ls > 0 && (strings.HasSuffix(last, ".jpg") || strings.HasSuffix(last, ".png") || strings.HasSuffix(last, ".pdf") ||
			strings.HasSuffix(last, ".doc") || strings.HasSuffix(last, ".docx") || strings.HasSuffix(last, ".wps")) {
			end = ls
			continue
		}
		return end
	}
}

// titleKind is what a notice's title says the document is.
type titleKind int

const (
	titleNone    titleKind = iota
	titleIssuing           // (关于)印发…的通知: it issues the packages it names
	titleNotice            // 关于…的通知
	titleSelf              // …的意见, …若干政策: the document is its own package
)

var (
	// Titles may be printed over a few short lines (关于印发《…经济 / 增长…》
	// 的通知): titleLines checks the breaks.
	reIssuingTitle = lazyRE(`(?:关于)?印发[^。;]{2,200}?的通知`)
	reNoticeTitle  = lazyRE(`关于[^。《》;]{0,200}?的通知`)
	reSelfTitle    = lazyRE(`关于[^。《》;]{2,200}?的(?:实施意见|指导意见|若干意见|意见|决定)`)
	rePublished    = lazyRE(`(?:发布日期|发布时间|发文日期|公开日期)\s*:?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	reWritten      = lazyRE(`成文日期\s*:?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	reSignature    = lazyRE(`([^\s。,:;()《》“”\d]{2,30}?(?:人民政府办公室|人民政府|办公室|委员会|局|厅))\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reTitleEnd     = lazyRE(`(?:措施|办法|细则|方案|规定|附件)`)
	reOfficeEnd    = lazyRE(`(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办|办公室|办公厅|委员会|管理委员会|管委会|局|厅)$`)
	reBookTitle    = lazyRE(`《([^《》\n]{2,100})》`)
	// reCiting opens a sentence that cites another document (根据《…》).
	reCiting = lazyRE(`根据|按照|依据|依照|贯彻|落实|参照|对照|遵照|执行`)
)

// titleMatch is a candidate title: where it is, what kind, and whether it
// stands on its own line.
type titleMatch struct {
	st, en int
	kind   titleKind
	own    bool
}

// sentenceStart is where the sentence (or line) holding off begins.
func (p *noticeParser) sentenceStart(off int) int {
	i := strings.LastIndexAny(p.t[:off], "。\n;")
	if i < 0 {
		return 0
	}
	_, size := utf8.DecodeRuneInString(p.t[i:])
	return i + size
}

// lineStart is where the line holding off begins.
func (p *noticeParser) lineStart(off int) int { return strings.LastIndexByte(p.t[:off], '\n') + 1 }

// lineEnd is where the line holding off ends.
func (p *noticeParser) lineEnd(off int) int {
	if i := strings.IndexByte(p.t[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(p.t)
}

// cited reports whether the text at st is inside 《》 or in a sentence that
// cites it (根据…关于…的通知精神): another document's title.
func (p *noticeParser) cited(st int) bool {
	ss := p.sentenceStart(st)
	before := p.t[ss:st]
	if strings.Count(before, "《") > strings.Count(before, "》") {
		// A page that prints its own title in 《》 on a line of its own
		// (京政办发〔2016〕26号《…的通知》) is not citing it.
		open := strings.LastIndex(before, "《")
		lead := strings.TrimSpace(before[:open])
		if loc := reDocNo.FindStringIndex(lead); loc != nil && loc[0] == 0 {
			lead = strings.TrimSpace(lead[loc[1]:])
		}
		if lead != "" || strings.LastIndexAny(p.t[:ss], "。;") > p.lineStart(st) {
			return true
		}
		return false
	}
	return reCiting.MatchString(before)
}

// findNoticeTitle finds the notice's own title: a 通知 (印发 or not) or a
// self-contained 意见/决定, not inside 《》 nor cited; one on its own line
// before any other. Without one, a standalone policy title line before the
// first item (…若干政策, …措施) is the title.
func (p *noticeParser) findNoticeTitle() (titleMatch, bool) {
	t := p.t[:p.end]
	var cands []titleMatch
	for _, c := range []struct {
		re   *lazyRegexp
		kind titleKind
	}{{reIssuingTitle, titleIssuing}, {reNoticeTitle, titleNotice}, {reSelfTitle, titleSelf}} {
		for _, loc := range c.re.FindAllStringIndex(t, 40) {
			st, en := loc[0], loc[1]
			if p.cited(st) || strings.Contains(t[st:en], "印发给") || strings.Contains(t[st:en], "现印发") || !titleLines(t[st:en]) {
				continue
			}
			ls, le := p.lineStart(st), min(p.lineEnd(en), len(t))
			rest := strings.TrimSpace(t[en:le])
			prefix := strings.TrimSpace(t[ls:st])
			own := rest == "" && (prefix == "" || reOfficeEnd.MatchString(prefix) && utf8.RuneCountInString(prefix) <= 40)
			cands = append(cands, titleMatch{st, en, c.kind, own})
		}
	}
	if len(cands) > 0 {
		best := cands[0]
		for _, c := range cands[1:] {
			if c.own && !best.own || c.own == best.own && (c.st < best.st || c.st == best.st && c.en > best.en) {
				best = c
			}
		}
		return best, true
	}
	// A policy's own title line (加快推进工业经济高质量发展若干政策), before the
	// first numbered heading.
	stop := len(t)
	if loc := reFirstHeading.FindStringIndex(t); loc != nil {
		stop = loc[0]
	}
	for off := 0; off < stop; {
		le := min(p.lineEnd(off), len(t))
		l := strings.TrimSpace(t[off:le])
		if n := utf8.RuneCountInString(l); n >= 4 && n <= 60 && !strings.ContainsAny(l, "。,;:") && rePolicyTitleLine.MatchString(l) {
			st := off + strings.Index(t[off:le], l)
			return titleMatch{st, st + len(l), titleSelf, true}, true
		}
		off = le + 1
	}
	return titleMatch{}, false
}

// titleLines reports whether a title found across line breaks is one title
// printed over a few short lines, not text running into another paragraph.
func titleLines(s string) bool {
	lines := strings.Split(s, "\n")
	if len(lines) > 5 {
		return false
	}
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 && l == "" {
			return false
		}
		if i < len(lines)-1 && (utf8.RuneCountInString(l) > 30 || strings.ContainsAny(l, ",:")) {
			return false
		}
	}
	return true
}

var (
	rePolicyTitleLine = lazyRE(`(?:措施|办法|细则|方案|规定|政策|意见|决定|条例|若干条|要点|计划)$`)
	reFirstHeading    = lazyRE(`(?m)^\s*(?:一、|\(一\)|1[.、]\D|第一条|第一章)`)
)

// header fills the notice's metadata and returns the span of the notice's
// own body (where the packages are named) and where the packages may start.
func (p *noticeParser) header(n *Notice) (bodyFrom, bodyTo, after int) {
	t := p.t[:p.end]
	tm, found := p.findNoticeTitle()
	p.kind, p.titleSt = tm.kind, tm.st
	p.lineTitle = found && tm.kind == titleSelf && !strings.HasPrefix(p.t[tm.st:], "关于") && !reSelfTitle.MatchString(p.t[tm.st:tm.en])
	if found {
		// A label printed on the line after the title belongs to it:
		// …的实施意见 / (试行).
		if le := p.lineEnd(tm.en); strings.TrimSpace(t[tm.en:min(le, len(t))]) == "" && le < len(t) {
			next := p.lineEnd(le + 1)
			if l := strings.TrimSpace(t[le+1 : min(next, len(t))]); reTitleLabel.MatchString(l) {
				tm.en = le + 1 + strings.Index(t[le+1:], l) + len(l)
			}
		}
		n.Title = strings.Join(strings.Fields(t[tm.st:tm.en]), "")
		// An office printed right before the title is its issuer; glued to
		// it (昆明市官渡区人民政府关于…的意见) it is part of the title too.
		ls := p.lineStart(tm.st)
		if i := strings.LastIndexAny(t[:tm.st], "。"); i >= ls {
			ls = i + len("。")
		}
		prefix := t[ls:tm.st]
		if fields := strings.Fields(prefix); len(fields) > 0 {
			last := fields[len(fields)-1]
			if reOfficeEnd.MatchString(last) && utf8.RuneCountInString(last) <= 40 && !strings.ContainsAny(last, "。,:;《》") {
				n.Office = last
				if strings.HasSuffix(prefix, last) {
					n.Title = last + n.Title
				}
			}
		}
	}
	if m := rePublished.FindStringSubmatch(t); m != nil {
		n.Published = ymd(m[1], m[2], m[3])
	}
	// Addressees: after the title, the names before a colon (the 发布日期:
	// and 文号 that may come between are skipped).
	after = 0
	bodyFrom = -1
	if found {
		for prev := tm.en; prev < len(t) && prev-tm.en < 600; {
			c := strings.IndexByte(t[prev:], ':')
			if c < 0 {
				break
			}
			cand := t[prev : prev+c]
			next := prev + c + 1
			if strings.Contains(cand, "。") {
				break // the body has begun: no addressees
			}
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
			if cand == "" || strings.ContainsAny(cand, "《") || !looksLikeAddressees(cand) {
				continue
			}
			n.Addressees = append(n.Addressees, splitAddressees(cand)...)
			bodyFrom = next
			break
		}
	}
	if bodyFrom < 0 && found {
		bodyFrom = tm.en
	}
	if bodyFrom < 0 {
		bodyFrom = 0
	}
	bodyTo = bodyFrom
	// Signature: the office and the date that close the notice's body (a
	// document that is its own package signs after its items).
	if loc := reSignature.FindStringSubmatchIndex(t[bodyFrom:]); loc != nil && bodyFrom > 0 && p.kind != titleSelf {
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
		if found && p.kind != titleSelf {
			bodyTo = bodyFrom + min(len(t)-bodyFrom, 600)
			if i := strings.Index(t[bodyFrom:bodyTo], "。"); i >= 0 {
				bodyTo = bodyFrom + i
			}
		}
	}
	limit := min(len(t), 3000)
	if after > 0 {
		limit = after // the header, up to the signature
	} else if loc := reFirstHeading.FindStringIndex(t[bodyFrom:]); loc != nil {
		limit = bodyFrom + loc[0]
	}
	n.DocNo = p.docNo(t[:limit])
	if m := reWritten.FindStringSubmatch(t); m != nil {
		n.Issued = ymd(m[1], m[2], m[3])
	}
	if n.Office == "" {
		// The office is printed before the title, on the line before or
		// as the page's first line (the site's name); without a title,
		// before the first heading.
		stop := tm.st
		if !found {
			stop = min(len(t), 2000)
			if loc := reFirstHeading.FindStringIndex(t); loc != nil {
				stop = loc[0]
			}
		}
		before := strings.TrimRight(t[:stop], " \t\n")
		ls := strings.LastIndexByte(before, '\n') + 1
		if cand := strings.TrimSpace(before[ls:]); reOfficeEnd.MatchString(cand) && utf8.RuneCountInString(cand) <= 30 {
			n.Office = cand
		} else {
			for _, l := range strings.Split(before, "\n") {
				l = strings.TrimSpace(l)
				if reOfficeEnd.MatchString(l) && utf8.RuneCountInString(l) <= 30 && !strings.ContainsAny(l, ":。,") && placeOfOffice(l) != "" {
					n.Office = l
					break
				}
			}
		}
	}
	if p.kind == titleSelf && n.Issued.IsZero() {
		// Signed after the items: the last office and date of the text.
		tail := t[max(0, len(t)-400):]
		tail = strings.ToValidUTF8(tail, "")
		if ms := reSignature.FindAllStringSubmatch(tail, -1); ms != nil {
			m := ms[len(ms)-1]
			if n.Office == "" {
				n.Office = m[1]
			}
			n.Issued = ymd(m[2], m[3], m[4])
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
	if p.kind == titleSelf && after < tm.en {
		after = tm.en
	}
	return bodyFrom, bodyTo, after
}

// reTitleLabel is a label a title may carry on a line of its own.
var reTitleLabel = lazyRE(`^\((?:试行|暂行|征求意见稿|修订稿?|送审稿|\d{4}\s*[—–-]+\s*\d{4}\s*年?)\)$`)

// addresseeEnd is how the last addressee of a notice ends (各县区人民政府,
// 市政府各部门, 区直各单位).
var addresseeEnd = lazyRE(`(?:政府|单位|部门|机构|委|办|局|管委会|委员会|处|镇|乡|街道|公司|企业|集团|学校|医院|院|所|组|站|会)$`)

// metaLabels are the labels of a page's metadata, which a colon follows
// like addressees.
var metaLabels = []string{"信息来源", "来源", "发布机构", "索引号", "文号", "发文字号", "主题分类", "成文日期", "发布日期", "发布时间", "作者", "字号", "日期", "时间", "浏览", "阅读", "分类", "关键词", "编号", "有效性", "体裁"}

func looksLikeAddressees(cand string) bool {
	for _, l := range metaLabels {
		if strings.Contains(cand, l) {
			return false
		}
	}
	names := splitAddressees(cand)
	if len(names) == 0 {
		return false
	}
	return addresseeEnd.MatchString(names[len(names)-1])
}

func splitAddressees(cand string) []string {
	var out []string
	for _, a := range splitTopLevel(cand, "、,;\n ") {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
		case utf8.RuneCountInString(a) == 1 && len(out) > 0:
			// 市政府各委、办、局: one name listing its kinds.
			out[len(out)-1] += "、" + a
		default:
			out = append(out, a)
		}
	}
	return out
}

// splitTopLevel splits s at any of seps outside brackets: 各县(区)人民政府、
// 开发区(新区)管委会 is two names.
func splitTopLevel(s, seps string) []string {
	var out []string
	depth, from := 0, 0
	for i, r := range s {
		switch {
		case strings.ContainsRune("([【〔", r):
			depth++
		case strings.ContainsRune(")]】〕", r):
			if depth > 0 {
				depth--
			}
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, s[from:i])
			from = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[from:])
}

var (
	reDocNo      = lazyRE(`(\p{Han}{1,12})\s*(?:[〔\[(【„〖]\s*((?:19|20)\d{2})\s*[〕\])】‟〗]?|((?:19|20)\d{2})\s*[〕\])】‟〗])\s*(\d{1,4})\s*号?`)
	reDocNoLabel = lazyRE(`(?:发文字号|文号|文\s+号)\s*:?\s*$`)
)

// docNo is the notice's own 文号 in its header: one labelled 文号, else
// one on its own line, else the first; never one a cited document carries
// (《…》(苏政发〔2022〕1号)) nor one in a sentence citing another.
func (p *noticeParser) docNo(area string) string {
	type cand struct {
		no             string
		labelled, line bool
	}
	var cands []cand
	for _, loc := range reDocNo.FindAllStringSubmatchIndex(area, -1) {
		st := loc[0]
		before := strings.TrimRight(area[max(0, st-12):st], " ")
		if strings.HasSuffix(before, "》(") || strings.HasSuffix(before, "》") || strings.HasSuffix(before, "》〔") || strings.HasSuffix(before, "》[") {
			continue
		}
		m := func(i int) string {
			if loc[2*i] < 0 {
				return ""
			}
			return area[loc[2*i]:loc[2*i+1]]
		}
		prefix := m(1)
		// A 文号 prefix (城政办发) holds no date or title words.
		if i := strings.LastIndexAny(prefix, "知日月年期见策施法号"); i >= 0 {
			_, size := utf8.DecodeRuneInString(prefix[i:])
			prefix = prefix[i+size:]
		}
		if rs := []rune(prefix); len(rs) > 8 {
			prefix = string(rs[len(rs)-8:])
		}
		if prefix == "" || !strings.ContainsAny(prefix, "发函字办令府规政") || utf8.RuneCountInString(prefix) < 2 {
			continue
		}
		no := prefix + "〔" + m(2) + m(3) + "〕" + strings.TrimLeft(m(4), "0") + "号"
		ls := strings.LastIndexByte(area[:st], '\n') + 1
		le := strings.IndexByte(area[loc[1]:], '\n')
		if le < 0 {
			le = len(area)
		} else {
			le += loc[1]
		}
		pre := area[ls:loc[2]]
		c := cand{no: no, labelled: reDocNoLabel.MatchString(pre)}
		c.line = strings.TrimSpace(pre) == "" && strings.TrimSpace(area[loc[1]:le]) == ""
		if !c.labelled && !c.line && p.cited(st) {
			continue
		}
		cands = append(cands, c)
	}
	for _, pass := range []func(c cand) bool{
		func(c cand) bool { return c.labelled },
		func(c cand) bool { return c.line },
		func(c cand) bool { return true },
	} {
		for _, c := range cands {
			if pass(c) {
				return c.no
			}
		}
	}
	return ""
}

var rePackageTitleLine = lazyRE(`(?:措施|办法|细则|方案|规定|政策)$`)

// bookTitles are the 《…》 the notice body issues.
func (p *noticeParser) bookTitles(bodyFrom, bodyTo int) []string {
	var out []string
	if bodyFrom < bodyTo && bodyTo <= len(p.t) {
		for _, loc := range reBookTitle.FindAllStringSubmatchIndex(p.t[bodyFrom:bodyTo], -1) {
			if p.cited(bodyFrom + loc[0]) {
				continue // 根据《…》: another document's
			}
			title := strings.Join(strings.Fields(p.t[bodyFrom+loc[2]:bodyFrom+loc[3]]), "")
			if !slices.Contains(out, title) {
				out = append(out, title)
			}
		}
	}
	return out
}

// issuedBooks are the 《…》 of t[from:to] in a sentence that issues them
// (…现印发给你们), not cited.
func (p *noticeParser) issuedBooks(from, to int) []string {
	var out []string
	for _, loc := range reBookTitle.FindAllStringSubmatchIndex(p.t[from:to], -1) {
		st := from + loc[0]
		ss := p.sentenceStart(st)
		se := strings.IndexAny(p.t[st:to], "。\n")
		if se < 0 {
			se = to - st
		}
		if p.cited(st) || !strings.Contains(p.t[ss:st+se], "印发") {
			continue
		}
		if title := strings.Join(strings.Fields(p.t[from+loc[2]:from+loc[3]]), ""); !slices.Contains(out, title) {
			out = append(out, title)
		}
	}
	return out
}

// titleBooks are the 《…》 a title issues (关于印发《X》的通知).
func (p *noticeParser) titleBooks(title string) []string {
	if p.kind != titleIssuing {
		return nil
	}
	var out []string
	for _, m := range reBookTitle.FindAllStringSubmatch(title, -1) {
		if t := strings.Join(strings.Fields(m[1]), ""); !slices.Contains(out, t) {
			out = append(out, t)
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
			if bookBracket(r) != bookBracket(want[k]) {
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

// knownNotice reports whether the notice is one source/notices.json knows
// (the built-in notice): its ids, short titles and lexicon are reviewed.
func knownNotice(data *noticeData, n *Notice) bool {
	for _, k := range data.Known {
		if k.DocNo != "" && k.DocNo == n.DocNo {
			return true
		}
	}
	return false
}

// bookBracket folds the inner title marks into the outer ones: a title
// cited as 《A〈B〉C》 is printed on its own line as A《B》C.
func bookBracket(r rune) rune {
	switch r {
	case '〈', '<':
		return '《'
	case '〉', '>':
		return '》'
	}
	return r
}

var reDocNoParts = lazyRE(`〔(\d{4})〕(\d+)号`)

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
	reShortName     = lazyRE(`([` + cnNumeralChars + `\d]+条)`)
	rePreambleTitle = lazyRE(`^\s*([^。,:;()\s]{2,40}?(?:措施|办法|细则|方案|规定))`)
	reHeadingItem   = lazyRE(`\d{1,3}[.、]|\([` + cnNumeralChars + `]{1,4}\)|第[` + cnNumeralChars + `\d]{1,5}条`)
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
	pk.Preamble = joinLines(dropMetaLines(p.t[from:marks[0].start]))
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
	issued := n.Issued
	if issued.IsZero() {
		issued = n.Published
	}
	setTerm := func(clause string, off int) {
		if tm, ok := termOf(clause, issued); ok && pk.Dates.IsZero() {
			tm.Line = p.line(off)
			pk.Dates = tm
			pk.ValidUntil = tm.Until
			pk.ValidityText = clause
		}
	}
	section := ""
	var sectionUnits, same unitList
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
				v, ok := packageTerm(clause, issued)
				tm, tok := termOf(clause, issued)
				if ok || tok || pk.ValidityText == "" && strings.Contains(clause, "有效期") {
					if !ok {
						v = tm.Until
					}
					pk.ValidUntil = v
					pk.ValidityText = clause
					if tok {
						tm.Line = p.line(m.start)
						pk.Dates = tm
					}
				} else if !isTermClause(clause) {
					p.warnAt(m.start, "标题“%s”下没有编号的条目,未导入", trimRunes(joinLines(p.t[m.start:end]), 30))
				}
				continue
			}
			heading, ul, ok := headingUnits(sectionHeading(p.t[m.start:end]), p.canon)
			section, sectionUnits = heading, unitList{}
			if ok {
				sectionUnits = ul
			}
			continue
		}
		p.checkNumbering(item, sec, m, body)
		if i == len(marks)-1 {
			// The closing paragraph after the last item (本政策自…起施行,
			// 由…负责解释) is the package's, not the item's.
			if at, ok := closingParagraph(body); ok {
				setTerm(joinLines(body[at:]), m.end+at)
				body = body[:at]
			}
		}
		num++
		ms := p.measure(data, body)
		if ms.own.same {
			same = ms.own
		}
		switch {
		case ms.hasOwn:
		case len(sectionUnits.units) > 0:
			ms.Units, ms.CoUnitsFrom = slices.Clone(sectionUnits.units), sectionUnits.coFrom
		case len(same.units) > 0:
			ms.Units, ms.CoUnitsFrom = slices.Clone(same.units), same.coFrom
		}
		if isTermClause(ms.Text) {
			setTerm(ms.Text, m.start)
		}
		ms.ID = fmt.Sprintf("%s-%02d", key, num)
		ms.Package = pk.Name
		ms.Number = num
		ms.Section = section
		ms.Source = p.line(m.start)
		pk.Measures = append(pk.Measures, ms.Measure)
	}
	if !pk.ValidUntil.IsZero() {
		for i := range pk.Measures {
			pk.Measures[i].ValidUntil = pk.ValidUntil
		}
	}
	return pk, nil
}

// sectionHeading is a section's heading: its first line, or on one line
// the text up to the first full stop or sub-heading (一、总体要求(一)指导
// 思想… is 一、总体要求).
func sectionHeading(block string) string {
	b := strings.TrimSpace(block)
	if i := strings.IndexByte(b, '\n'); i >= 0 {
		if first := strings.TrimSpace(b[:i]); first != "" {
			return first
		}
	}
	b = joinLines(b)
	if loc := reSubHeading.FindStringIndex(b); loc != nil && loc[0] > 0 {
		b = b[:loc[0]]
	}
	if i := strings.Index(b, "。"); i >= 0 {
		b = b[:i]
	}
	return b
}

var reSubHeading = lazyRE(`\([` + cnNumeralChars + `]{1,3}\)`)

// reMetaLine is a line of a page's metadata (发布时间:… 信息来源:…).
var reMetaLine = lazyRE(`^\s*(?:发布日期|发布时间|信息来源|来源|索引号|发文字号|文号|成文日期|发布机构|主题分类|字号|作者)\s*:`)

// dropMetaLines removes the page's metadata lines from a block.
func dropMetaLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !reMetaLine.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// closingParagraph finds, in the last item's text, a paragraph that is
// the package's closing clause (本政策自…起施行; 本措施由…负责解释): at the
// start of a line, or after a sentence when the text has no lines.
func closingParagraph(body string) (int, bool) {
	for _, loc := range reTermSubject.FindAllStringIndex(body, -1) {
		st := loc[0]
		before := strings.TrimRight(body[:st], " \t")
		if before == "" {
			continue
		}
		r, _ := utf8.DecodeLastRuneInString(before)
		if r != '\n' && r != '。' {
			continue
		}
		rest := joinLines(body[st:])
		if utf8.RuneCountInString(rest) <= 200 && reTermVerb.MatchString(rest) {
			return st, true
		}
	}
	return 0, false
}

// trimRunes shortens s to n runes, marking the cut.
func trimRunes(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

// canon is a unit's canonical name within the notice's place.
func (p *noticeParser) canon(name string) string {
	if p.place == "" {
		// Not yet known: never the home place's aliases.
		return canonicalUnitIn(unknownPlace, name)
	}
	return canonicalUnitIn(p.place, name)
}

// unknownPlace stands for the place of a notice that does not say it.
const unknownPlace = "?"

// joinLines removes line breaks (and the spaces around them) inside a block.
func joinLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.TrimSpace(strings.Join(lines, ""))
}

// parsedItem is a measure with the unit list it named itself.
type parsedItem struct {
	Measure
	own    unitList
	hasOwn bool
}

// measure builds one item from its text (after the number).
func (p *noticeParser) measure(data *noticeData, body string) parsedItem {
	var it parsedItem
	ms := &it.Measure
	title := itemTitleLine(body)
	text := joinLines(body)
	if ul, rest, ok := itemUnits(text, p.canon); ok {
		it.own, it.hasOwn, text = ul, true, rest
	} else if ul, rest, ok := lastLineUnits(body, p.canon); ok {
		it.own, it.hasOwn, text = ul, true, joinLines(rest)
	}
	if it.hasOwn {
		ms.Units, ms.CoUnitsFrom = it.own.units, it.own.coFrom
	} else {
		ms.Units = bodyUnits(text, p.canon)
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
	if title != "" && strings.HasPrefix(repaired, title) {
		ms.Title = title
	} else if i := strings.Index(repaired, "。"); i >= 0 {
		ms.Title = repaired[:i]
	}
	ms.Title = strings.TrimSpace(ms.Title)
	ms.Windows = windows(repaired)
	ms.Starts = starts(repaired)
	return it
}

// itemTitleLine is an item's title when it stands alone on the first line
// without a full stop (一、深入推进数字经济系统建设 / 加快以…): "" when the
// first sentence ends on the first line, or the line is a wrapped part of
// a sentence (it holds a comma, or is long).
func itemTitleLine(body string) string {
	b := strings.TrimLeft(body, " \t")
	i := strings.IndexByte(b, '\n')
	if i < 0 {
		return ""
	}
	first := strings.TrimSpace(b[:i])
	rest := strings.TrimSpace(b[i+1:])
	if first == "" || rest == "" || strings.ContainsAny(first, "。,;:、“”()") || utf8.RuneCountInString(first) > 30 {
		return ""
	}
	return strings.TrimRight(first, " ")
}
