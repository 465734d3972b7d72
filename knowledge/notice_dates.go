package knowledge

// The dates of a notice: civil dates in China time, the time limits a clause
// sets (至2023年6月30日, 2023年1月至3月) and the term a closing clause gives
// its package (有效期1年).

import (
	"regexp"
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
