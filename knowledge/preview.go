package knowledge

// The preview of an ingested notice: everything staff check before they
// publish it — the header as read, each item with its units, money and
// dates, and what the parser skipped (warnings, with lines). The command
// line and the console show the same.

import (
	"strings"

	"huiqi/internal/zhtext"
)

// Preview is a notice as staff check it.
type Preview struct {
	ID         int64         `json:"id,omitempty"`
	State      NoticeState   `json:"state,omitempty"`
	DocNo      string        `json:"doc_no"`
	Title      string        `json:"title"`
	Issuer     string        `json:"issuer"`
	Place      string        `json:"place"`
	Level      string        `json:"level,omitempty"`
	Format     Format        `json:"format,omitempty"`
	Issued     string        `json:"issued,omitempty"`
	Published  string        `json:"published,omitempty"`
	Dates      PreviewDates  `json:"dates"`
	Supersedes []string      `json:"supersedes,omitempty"`
	Packages   []PreviewPkg  `json:"packages"`
	Items      []PreviewItem `json:"items"`
	Measures   int           `json:"measures"`
	Warnings   []Warning     `json:"warnings"`
	Events     []NoticeEvent `json:"events,omitempty"`
	Addressees []string      `json:"addressees,omitempty"`
	Awards     int           `json:"awards"` // how many figures the items state
	Unitless   []string      `json:"unitless,omitempty"`
}

// PreviewDates are a notice's dates as YYYY-MM-DD.
type PreviewDates struct {
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
	Years int    `json:"years,omitempty"`
	Trial bool   `json:"trial,omitempty"`
	Basis string `json:"basis,omitempty"`
}

// PreviewPkg is one package of a preview.
type PreviewPkg struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Until    string   `json:"until,omitempty"`
	Basis    string   `json:"basis,omitempty"`
	Measures []string `json:"measures"`
}

// PreviewItem is one item of a preview.
type PreviewItem struct {
	ID          string   `json:"id"`
	Ref         string   `json:"ref"`
	Section     string   `json:"section,omitempty"`
	Title       string   `json:"title"`
	Units       []string `json:"units"`
	CoUnitsFrom int      `json:"co_units_from,omitempty"`
	Awards      []Amount `json:"awards"`
	Windows     []Window `json:"windows,omitempty"`
	Starts      []Start  `json:"starts,omitempty"`
	Line        int      `json:"line,omitempty"`
}

// PreviewOf previews a parsed notice.
func PreviewOf(n *Notice) Preview {
	pv := Preview{
		DocNo: n.DocNo, Title: n.Title, Issuer: n.Office, Place: n.Place, Level: n.Level, Format: n.Format,
		Issued: dateOrEmpty(n.Issued), Published: dateOrEmpty(n.Published),
		Dates: PreviewDates{From: dateOrEmpty(n.Dates.From), Until: dateOrEmpty(n.Dates.Until),
			Years: n.Dates.Years, Trial: n.Dates.Trial, Basis: n.Dates.Text},
		Supersedes: n.Supersedes, Packages: []PreviewPkg{}, Items: []PreviewItem{},
		Warnings: n.Warnings, Addressees: n.Addressees,
	}
	if pv.Warnings == nil {
		pv.Warnings = []Warning{}
	}
	for _, p := range n.Packages {
		pp := PreviewPkg{Key: p.Key, Name: p.Name, Title: p.Title, Until: dateOrEmpty(p.ValidUntil), Basis: p.ValidityText, Measures: []string{}}
		for _, m := range p.Measures {
			pp.Measures = append(pp.Measures, m.ID)
			it := PreviewItem{ID: m.ID, Ref: m.Ref(), Section: m.Section, Title: m.Title, Units: m.Units,
				CoUnitsFrom: m.CoUnitsFrom, Awards: m.Awards, Windows: m.Windows, Starts: m.Starts, Line: m.Source}
			if it.Units == nil {
				it.Units = []string{}
			}
			if it.Awards == nil {
				it.Awards = []Amount{}
			}
			if len(m.Units) == 0 {
				pv.Unitless = append(pv.Unitless, m.ID)
			}
			pv.Awards += len(m.Awards)
			pv.Items = append(pv.Items, it)
		}
		pv.Measures += len(p.Measures)
		pv.Packages = append(pv.Packages, pp)
	}
	return pv
}

// PreviewStored previews a stored notice with its state and history.
func PreviewStored(s StoredNotice) Preview {
	pv := PreviewOf(s.Notice)
	pv.ID, pv.State, pv.Events = s.ID, s.State, s.Events
	if s.Supersedes != "" {
		pv.Supersedes = append([]string{s.Supersedes}, pv.Supersedes...)
	}
	return pv
}

// Describe says an amount for staff: 100万元(奖补,一次性,市级)——当年评为….
func (a Amount) Describe() string {
	kind := map[AmountKind]string{KindAward: "奖补", KindRange: "区间", KindRate: "比例", KindThreshold: "门槛", KindFund: "资金规模"}[a.Kind]
	var tags []string
	if kind != "" {
		tags = append(tags, kind)
	}
	if a.Cap {
		tags = append(tags, "上限")
	}
	switch a.Per {
	case "once":
		tags = append(tags, "一次性")
	case "year":
		tags = append(tags, "每年")
	}
	if l := zhtext.LevelName(a.Level); l != "" {
		tags = append(tags, l)
	}
	if a.CapYuan > 0 {
		tags = append(tags, "最高"+zhtext.FormatYuan(a.CapYuan))
	}
	s := a.Text
	if len(tags) > 0 {
		s += "(" + strings.Join(tags, ",") + ")"
	}
	if a.Condition != "" {
		s += "——" + a.Condition
	}
	return s
}
