package knowledge

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// Status is whether a measure is in force on a day, as far as the notice's
// own dates tell. Nothing else decides it: a notice that states no term is
// not taken to have ended because it is old, and a start such as 从2023年起
// is no end.
type Status string

const (
	// InForce: the package's stated term has not ended, or the clause's own
	// time limits have not passed (and none has).
	InForce Status = "in_force"
	// Passed: the package's term has ended, or every time limit the clause
	// sets has passed.
	Passed Status = "passed"
	// PartlyPassed: some of the clause's time limits have passed, others
	// not, and the package's term (if any) has not ended.
	PartlyPassed Status = "partly_passed"
	// NoTerm: neither the package nor the clause states a term or a limit
	// (the 二十条 states no validity; 从2023年起 is open-ended).
	NoTerm Status = "no_term"
	// Superseded: a newer notice replaces the measure's notice (whatever
	// its own dates say).
	Superseded Status = "superseded"
)

// Validity is what a notice's dates say about one measure on one day: the
// one answer every channel gives to "is this measure in force".
type Validity struct {
	Status Status `json:"status"`
	// Expired is Status == Passed: the `expired` of `huiqi measure --json`
	// and of the `ask` results.
	Expired bool `json:"expired"`
	// Until is the last day of the package's term; zero when the notice
	// states none.
	Until time.Time `json:"until,omitzero"`
	// Basis is the clause that sets the package's term (七、本措施印发之日起执行,
	// 有效期1年); empty when none does.
	Basis string `json:"basis,omitempty"`
	// Windows are the clause's own time limits, each marked passed or not.
	Windows []WindowState `json:"windows,omitempty"`
	// Since is an open-ended start the clause states (从2023年起): a start,
	// never an end.
	Since string `json:"since,omitempty"`
	// SupersededBy is the notice that replaces the measure's notice.
	SupersededBy *NoticeRef `json:"superseded_by,omitempty"`
	// Text says it in Chinese for the enterprise, naming whom to ask: the
	// 时效提示 of an answer. It is "" only for a measure in force without
	// any stated date.
	Text string `json:"text"`
}

// WindowState is a clause's time limit on the day asked about.
type WindowState struct {
	Window
	Passed bool `json:"passed"`
}

// Validity says whether m is in force on the day of now (in China): from its
// package's stated term and the clause's own time limits.
func (b *Base) Validity(m *Measure, now time.Time) Validity {
	if m == nil {
		return Validity{}
	}
	var p *Package
	if b != nil {
		p = b.pkgOf[m.ID]
	}
	var n *Notice
	if b != nil {
		n = b.noticeOf[m.ID]
	}
	v := measureValidity(m, p, n, now)
	if b != nil && n != nil && b.supersededBy[n] != nil {
		// The old notice's answers point to the new one.
		r := b.refOf(b.supersededBy[n])
		v.SupersededBy = &r
		v.Status, v.Expired = Superseded, true
		v.Text = fmt.Sprintf("时效提示：本条出自%s，该文件已被%s替代，请以新文件为准；具体请向%s确认。",
			b.refOf(n).Cite(), r.Cite(), leadUnit(m))
	}
	return v
}

// leadUnit is the unit to ask about a measure.
func leadUnit(m *Measure) string {
	if len(m.Units) > 0 {
		return m.Units[0]
	}
	return "责任单位"
}

// measureValidity is Validity for a measure of package p of notice n (either
// may be nil: the measure's own copy of the term is used).
func measureValidity(m *Measure, p *Package, n *Notice, now time.Time) Validity {
	today := zhtext.Day(now)
	passed := func(t time.Time) bool { return today.After(civilDay(t)) }
	v := Validity{Until: m.ValidUntil}
	if p != nil {
		v.Basis = p.ValidityText
		if v.Until.IsZero() {
			v.Until = p.ValidUntil
		}
	}
	var gone []Window
	for _, w := range m.Windows {
		if w.Until.IsZero() {
			continue
		}
		ws := WindowState{Window: w, Passed: passed(w.Until)}
		v.Windows = append(v.Windows, ws)
		if ws.Passed {
			gone = append(gone, w)
		}
	}
	if mm := reSince.FindString(m.Text); mm != "" {
		v.Since = strings.Join(strings.Fields(mm), "")
	}
	termEnded := !v.Until.IsZero() && passed(v.Until)
	switch {
	case termEnded || len(v.Windows) > 0 && len(gone) == len(v.Windows):
		v.Status = Passed
	case len(gone) > 0:
		v.Status = PartlyPassed
	case v.Until.IsZero() && len(v.Windows) == 0:
		v.Status = NoTerm
	default:
		v.Status = InForce
	}
	v.Expired = v.Status == Passed
	v.Text = validityText(m, v, gone, termEnded, n)
	return v
}

// civilDay is the calendar date a notice wrote, at midnight China time
// (dates read back from JSON may carry another location).
func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zhtext.China())
}

// validityText is the 时效提示: what has passed, what the notice does not
// say, and whom to ask about a successor policy.
func validityText(m *Measure, v Validity, gone []Window, termEnded bool, n *Notice) string {
	pkg := m.Package
	if pkg == "" {
		pkg = "本文件" // a notice without a title
	}
	lead := "责任单位"
	if len(m.Units) > 0 {
		lead = m.Units[0]
	}
	var parts []string
	for _, w := range gone {
		parts = append(parts, fmt.Sprintf("该条款中“%s”的期限已过", windowQuote(w)))
	}
	switch v.Status {
	case Passed:
		if termEnded {
			parts = append(parts, fmt.Sprintf("《%s》有效期至%s，已到期", pkg, zhtext.Date(v.Until)))
		}
		return fmt.Sprintf("时效提示：%s。请向%s确认现在是否有接续政策。", strings.Join(parts, "；"), lead)
	case PartlyPassed:
		return fmt.Sprintf("时效提示：%s，条款中的其他期限尚未到。请向%s确认现在是否有接续政策。", strings.Join(parts, "；"), lead)
	case NoTerm:
		issued := ""
		if n != nil && !n.Issued.IsZero() {
			issued = "（" + zhtext.Date(n.Issued) + "印发）"
		}
		if v.Since != "" {
			return fmt.Sprintf("时效提示：本条写明“%s”执行，没有截止日期；《%s》%s也没有写明有效期。是否仍在执行，请向%s确认。", v.Since, pkg, issued, lead)
		}
		return fmt.Sprintf("时效提示：《%s》%s没有写明有效期，本条也没有截止日期；是否仍在执行，请向%s确认。", pkg, issued, lead)
	}
	if !v.Until.IsZero() {
		return fmt.Sprintf("《%s》有效期至%s。", pkg, zhtext.Date(v.Until))
	}
	var limits []string
	for _, w := range v.Windows {
		limits = append(limits, "“"+windowQuote(w.Window)+"”")
	}
	return fmt.Sprintf("该条款中%s的期限尚未到。", strings.Join(limits, "、"))
}

// windowQuote is the part of a window's sentence that sets the date, short:
// the clause around the written date (最长可延至2023年6月30日), or around its
// year when the date is a month or a range (2023年1月至3月期间).
func windowQuote(w Window) string {
	t := strings.TrimRight(w.Text, "。;\uff1b,\uff0c")
	at, end := -1, -1
	if d := zhtext.Date(w.Until); strings.Contains(t, d) {
		at = strings.Index(t, d)
		end = at + len(d)
	} else if y := fmt.Sprintf("%d年", w.Until.Year()); strings.Contains(t, y) {
		at = strings.Index(t, y)
		end = len(t)
		if i := strings.IndexAny(t[at:], ",\uff0c;\uff1b。"); i >= 0 {
			end = at + i
		}
		if rs := []rune(t[at:end]); len(rs) > 16 {
			end = at + len(string(rs[:16]))
		}
	}
	if at < 0 {
		if utf8.RuneCountInString(t) > 30 {
			return string([]rune(t)[:30]) + "…"
		}
		return t
	}
	start := at
	for n := 0; n < 12 && start > 0; n++ {
		r, size := utf8.DecodeLastRuneInString(t[:start])
		if r == ',' || r == '\uff0c' || r == '。' || r == ';' || r == '\uff1b' {
			break
		}
		start -= size
	}
	return t[start:end]
}
