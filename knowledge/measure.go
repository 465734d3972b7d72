package knowledge

import (
	"strconv"
	"time"
)

// Notice is one parsed government notice (通知) with the packages it issues.
type Notice struct {
	Office string `json:"office"` // 阳泉市城区人民政府办公室
	// Place is where the notice applies, the place of its issuing office
	// (阳泉市城区): reviewed in source/notices.json for known notices, read
	// from the office's name for others.
	Place      string    `json:"place,omitempty"`
	DocNo      string    `json:"doc_no"`     // 城政办发〔2023〕5号 (repaired)
	Title      string    `json:"title"`      // 关于印发…的通知
	Addressees []string  `json:"addressees"` // 义井镇人民政府, 各街道办事处, 区直各单位
	Issued     time.Time `json:"issued"`     // 2023-02-13 (成文日期)
	Published  time.Time `json:"published"`  // 2023-04-24 (发布日期); zero when absent
	// Public is set when the notice says 此件公开发布.
	Public   bool      `json:"public,omitempty"`
	Packages []Package `json:"packages"`
	// Level is the notice's own level of government, from its place:
	// district (区, 县), city (市), province (省); the level of the awards
	// it pays unless a clause names another.
	Level string `json:"level,omitempty"`
	// Dates are what the notice says of its own term: when it takes effect
	// and until when (自印发之日起执行, 有效期2年, 暂行3年, 有效期至…).
	Dates Term `json:"dates,omitzero"`
	// Supersedes are the notices it says it replaces (同时废止《…》(文号)),
	// by 文号 or, without one, by title.
	Supersedes []string `json:"supersedes,omitempty"`
	// Format is the kind of file the text came from: txt, html, docx.
	Format Format `json:"format,omitempty"`
	// Warnings are what the parser skipped or was unsure of, with the line
	// of the text; a notice ingests when its items parse.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is one thing the parser skipped or guessed, for the person who
// reviews the draft.
type Warning struct {
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// Term is when a notice, a package or a clause applies, as its text says.
type Term struct {
	// From is the first day in force (自印发之日起 is the day it was issued,
	// 自2024年4月1日起 that day); zero when the text says nothing.
	From time.Time `json:"from,omitzero"`
	// Until is the last day in force (有效期N年 counted from From, 有效期至,
	// 暂行N年); zero when open-ended.
	Until time.Time `json:"until,omitzero"`
	// Years is the N of 有效期N年 or 暂行N年 (0 when not stated so).
	Years int `json:"years,omitempty"`
	// Trial is set for 暂行/试行.
	Trial bool `json:"trial,omitempty"`
	// Text is the sentence that says it.
	Text string `json:"text,omitempty"`
	// Line is the line of the text it is on.
	Line int `json:"line,omitempty"`
}

// IsZero reports whether the text said nothing of the term.
func (t Term) IsZero() bool { return t.From.IsZero() && t.Until.IsZero() && t.Text == "" }

// Package is one set of measures issued by a notice (e.g. 二十条).
type Package struct {
	Key      string `json:"key"`      // id prefix: "ind", "inv"; derived for new notices
	Name     string `json:"name"`     // short name: 二十条, 十八条
	Title    string `json:"title"`    // 阳泉市城区加快工业企业复产达产二十条措施
	Preamble string `json:"preamble"` // the paragraph before the first section
	// ValidUntil is the last day the package is in force, from a clause such as
	// 七、本措施印发之日起执行,有效期1年 (zero when the text sets no term).
	ValidUntil   time.Time `json:"valid_until,omitempty"`
	ValidityText string    `json:"validity_text,omitempty"`
	// Dates is the package's term as data (From, Until, Years, Trial);
	// Until is ValidUntil.
	Dates    Term      `json:"dates,omitzero"`
	Measures []Measure `json:"measures"`
}

// Measure is one numbered item of a package.
type Measure struct {
	ID      string `json:"id"`      // ind-03, inv-12
	Package string `json:"package"` // 二十条
	Number  int    `json:"number"`  // 3
	Section string `json:"section"` // 一、全面恢复正常工业生产秩序
	Title   string `json:"title"`   // the item's first sentence, without its final 。
	Text    string `json:"text"`    // the whole item, unit line removed, defects repaired
	// OriginalText is the item as printed when Text repairs a known misprint
	// (empty when nothing was repaired).
	OriginalText string `json:"original_text,omitempty"`
	// Units are canonical unit names, lead unit first (牵头 before 配合).
	Units []string `json:"units"`
	// CoUnitsFrom is the index in Units where co-handling units start when the
	// text says so explicitly (牵头/配合); 0 means "the first unit leads".
	CoUnitsFrom int `json:"co_units_from,omitempty"`
	// Windows are the clause's own time limits (e.g. loan deferral to 2023-06-30).
	Windows []Window `json:"windows,omitempty"`
	// ValidUntil is the package's term (copied from Package.ValidUntil).
	ValidUntil time.Time `json:"valid_until,omitempty"`
	// Source is the 1-based line of the notice where the item starts.
	Source int `json:"source_line,omitempty"`
	// Starts are the dates from which the clause applies (从2024年起,
	// 自2024年1月1日起): a start is not a limit.
	Starts []Start `json:"starts,omitempty"`
	// Awards are the sums and rates the item states, as data (ingested
	// notices; the built-in notice's are in its reviewed lexicon).
	Awards []Amount `json:"awards,omitempty"`
}

// Ref is how people cite the measure: 二十条第3条 (its id when it has no
// package name). Every channel cites measures this way.
func (m *Measure) Ref() string {
	if m.Package == "" {
		return m.ID
	}
	return m.Package + "第" + strconv.Itoa(m.Number) + "条"
}

// Start is a date from which a clause applies.
type Start struct {
	From time.Time `json:"from"`
	Text string    `json:"text"` // the sentence that sets it
}

// Window is a time limit stated inside a clause.
type Window struct {
	Until time.Time `json:"until"`
	Text  string    `json:"text"` // the sentence that sets it
}
