package knowledge

// The dates of a notice: civil dates in China time, the time limits a clause
// sets (至2023年6月30日, 2023年1月至3月) and the term a closing clause gives
// its package (有效期1年).

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

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

func ymd(y, m, d string) time.Time {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t, _ := civilDate(yi, mi, di)
	return t
}

var (
	reDateDay     = lazyRE(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reMonthRange  = lazyRE(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:至|到|-|—|~)\s*(\d{1,2})\s*月`)
	reUntilMonth  = lazyRE(`(?:至|到|截至|截止到?)\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)?`)
	reMonthEnd    = lazyRE(`(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)`)
	reUntilYear   = lazyRE(`(?:至|到|截至|截止到?)\s*(\d{4})\s*年(?:底|末)?`)
	reYearEnd     = lazyRE(`(\d{4})\s*年(?:底|末)`)
	reValidYears  = lazyRE(`有效期\s*(?:为)?\s*(\d+|[` + cnNumeralChars + `]+)\s*(年|个月)`)
	reValidUntil  = lazyRE(`有效期(?:至|到)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reValidFrom   = lazyRE(`自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日起`)
	reSentenceEnd = lazyRE(`[。;!?]`)
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
		for _, re := range []*lazyRegexp{reUntilMonth, reMonthEnd} {
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
		for _, re := range []*lazyRegexp{reUntilYear, reYearEnd} {
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

var (
	reTrialYears  = lazyRE(`(?:暂行|试行)\s*(\d+|[` + cnNumeralChars + `]+)\s*(年|个月)`)
	reFromIssued  = lazyRE(`自\s*(?:印发|发布|公布)之日起|(?:印发|发布|公布)之日起`)
	reUntilDay    = lazyRE(`(?:有效期|执行期|实施期)?\s*(?:至|到|截至|截止到?)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reStartYear   = lazyRE(`(?:从|自)\s*(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?\s*(?:起|开始)|(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?\s*起`)
	reTermSubject = lazyRE(`本(?:措施|政策|办法|意见|通知|规定|细则|方案|若干政策|若干措施|实施意见|条例|决定)`)
	reTermVerb    = lazyRE(`施行|执行|实施|有效期|暂行|试行|废止|解释`)
)

// termOf reads a clause that sets a term (本措施自印发之日起施行,有效期2年;
// 暂行3年; 有效期至2025年12月31日; 自2024年4月1日起施行): the first day, the
// last, the years. issued is the day 印发之日 means.
func termOf(clause string, issued time.Time) (Term, bool) {
	var tm Term
	found := false
	if f := reValidFrom.FindStringSubmatch(clause); f != nil {
		tm.From, found = ymd(f[1], f[2], f[3]), true
	} else if reFromIssued.MatchString(clause) {
		tm.From, found = issued, true
	}
	if m := reValidUntil.FindStringSubmatch(clause); m != nil {
		tm.Until, found = ymd(m[1], m[2], m[3]), true
	} else if m := reUntilDay.FindStringSubmatch(clause); m != nil && (strings.Contains(clause, "有效期") || strings.Contains(clause, "执行") || strings.Contains(clause, "施行")) {
		tm.Until, found = ymd(m[1], m[2], m[3]), true
	}
	years := func(num, unit string) {
		k, ok := zhtext.ParseInt(num)
		if !ok || k < 1 || k > 100 {
			return
		}
		found = true
		if unit == "年" {
			tm.Years = k
		}
		if tm.Until.IsZero() && !tm.From.IsZero() {
			if unit == "年" {
				tm.Until = tm.From.AddDate(k, 0, -1)
			} else {
				tm.Until = tm.From.AddDate(0, k, -1)
			}
		}
	}
	if m := reTrialYears.FindStringSubmatch(clause); m != nil {
		tm.Trial = true
		years(m[1], m[2])
	} else if strings.Contains(clause, "暂行") || strings.Contains(clause, "试行") {
		tm.Trial, found = true, true
	}
	if m := reValidYears.FindStringSubmatch(clause); m != nil {
		years(m[1], m[2])
	}
	if !found {
		return Term{}, false
	}
	tm.Text = clause
	return tm, true
}

// isTermClause reports whether a paragraph is a closing clause about the
// text's own term (本措施自印发之日起执行…), not a measure.
func isTermClause(s string) bool {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 160 {
		return false
	}
	loc := reTermSubject.FindStringIndex(s)
	return loc != nil && loc[0] <= 12 && reTermVerb.MatchString(s[loc[1]:])
}

// starts finds the dates from which a clause applies (从2024年起,
// 自2024年1月1日起, 2023年起): not limits, but data.
func starts(text string) []Start {
	var out []Start
	if !strings.Contains(text, "起") && !strings.Contains(text, "开始") {
		return nil
	}
	for _, sent := range reSentenceEnd.Split(text, -1) {
		sent = strings.TrimSpace(sent)
		for _, m := range reStartYear.FindAllStringSubmatch(sent, -1) {
			y, mo, d := m[1], m[2], m[3]
			if y == "" {
				y, mo, d = m[4], m[5], m[6]
			}
			if mo == "" {
				mo = "1"
			}
			if d == "" {
				d = "1"
			}
			if t := ymd(y, mo, d); !t.IsZero() {
				out = append(out, Start{From: t, Text: sent})
			}
		}
	}
	return out
}

// closingDates sets the notice's own dates from its packages' terms: the
// first day any applies, and the last day when every package states one.
func (p *noticeParser) closingDates(n *Notice) {
	issued := n.Issued
	if issued.IsZero() {
		issued = n.Published
	}
	var until time.Time
	all := len(n.Packages) > 0
	for i := range n.Packages {
		pk := &n.Packages[i]
		if pk.Dates.IsZero() && pk.ValidityText != "" {
			if tm, ok := termOf(pk.ValidityText, issued); ok {
				pk.Dates = tm
			}
		}
		if pk.Dates.Until.IsZero() {
			pk.Dates.Until = pk.ValidUntil
		}
		if pk.ValidUntil.IsZero() && !pk.Dates.Until.IsZero() {
			pk.ValidUntil = pk.Dates.Until
			for j := range pk.Measures {
				pk.Measures[j].ValidUntil = pk.ValidUntil
			}
		}
		if !pk.Dates.From.IsZero() && (n.Dates.From.IsZero() || pk.Dates.From.Before(n.Dates.From)) {
			n.Dates.From = pk.Dates.From
		}
		if pk.Dates.Until.IsZero() {
			all = false
		} else if pk.Dates.Until.After(until) {
			until = pk.Dates.Until
		}
		if n.Dates.Text == "" && pk.Dates.Text != "" {
			n.Dates.Text, n.Dates.Line, n.Dates.Years, n.Dates.Trial = pk.Dates.Text, pk.Dates.Line, pk.Dates.Years, pk.Dates.Trial
		}
	}
	if all {
		n.Dates.Until = until
	}
	if strings.Contains(n.Title, "试行") || strings.Contains(n.Title, "暂行") {
		n.Dates.Trial = true
	}
}

var reAbolish = lazyRE(`同时废止|同时停止执行|予以废止|不再执行|同时失效|停止执行`)

// supersededBy finds the notices a text says it replaces: the 文号, else
// the 《title》, in a sentence that abolishes them (同时废止).
func supersededBy(text string) []string {
	var out []string
	if !containsAny(text, []string{"废止", "停止执行", "不再执行", "失效"}) {
		return nil
	}
	for _, sent := range reSentenceEnd.Split(text, -1) {
		loc := reAbolish.FindStringIndex(sent)
		if loc == nil {
			continue
		}
		s := simplifiedHalfWidth(sent)
		var nos []string
		for _, m := range reDocNo.FindAllStringSubmatch(s, -1) {
			prefix := m[1]
			if i := strings.LastIndex(prefix, "》"); i >= 0 {
				prefix = prefix[i+len("》"):]
			}
			if rs := []rune(prefix); len(rs) > 8 {
				prefix = string(rs[len(rs)-8:])
			}
			if strings.ContainsAny(prefix, "发函字办令府规政") {
				nos = append(nos, prefix+"〔"+m[2]+m[3]+"〕"+strings.TrimLeft(m[4], "0")+"号")
			}
		}
		if len(nos) == 0 {
			for _, m := range reBookTitle.FindAllStringSubmatch(s, -1) {
				nos = append(nos, m[1])
			}
		}
		for _, no := range nos {
			if !slices.Contains(out, no) {
				out = append(out, no)
			}
		}
	}
	return out
}
