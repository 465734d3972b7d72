package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"huiqi/knowledge"
)

// notFound is a reference or name that matches nothing (exit status 2).
type notFound struct{ msg string }

func (e notFound) Error() string      { return e.msg }
func (e notFound) InvalidInput() bool { return true }

// measureOut is the `measure` object of cli.md, with a few more fields.
type measureOut struct {
	ID           string             `json:"id"`
	Package      string             `json:"package"`
	Number       int                `json:"number"`
	Title        string             `json:"title"`
	Text         string             `json:"text"`
	Units        []string           `json:"units"`
	Awards       []knowledge.Amount `json:"awards"`
	Ref          string             `json:"ref"`
	PackageTitle string             `json:"package_title,omitempty"`
	Section      string             `json:"section,omitempty"`
	CoUnitsFrom  int                `json:"co_units_from,omitempty"`
	Conditions   []string           `json:"conditions,omitempty"`
	Windows      []knowledge.Window `json:"windows,omitempty"`
	ValidUntil   string             `json:"valid_until,omitempty"`
	Expired      bool               `json:"expired"`
	Dates        []string           `json:"dates,omitempty"` // human lines about the dates, as of now
}

// newMeasureOut describes m as of now: which of its dates have passed.
func newMeasureOut(m *knowledge.Measure, p *knowledge.Package, lex *knowledge.LexEntry, now time.Time) measureOut {
	out := measureOut{
		ID: m.ID, Package: m.Package, Number: m.Number, Title: m.Title, Text: m.Text,
		Units: m.Units, Awards: []knowledge.Amount{}, Ref: fmt.Sprintf("%s第%d条", m.Package, m.Number),
		Section: m.Section, CoUnitsFrom: m.CoUnitsFrom, Windows: m.Windows,
	}
	if out.Units == nil {
		out.Units = []string{}
	}
	if p != nil {
		out.PackageTitle = p.Title
	}
	if lex != nil {
		out.Awards = append(out.Awards, lex.Amounts...)
		out.Conditions = lex.Conditions
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	passed := func(t time.Time) bool {
		return today.After(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, now.Location()))
	}
	allPassed := len(m.Windows) > 0
	for _, w := range m.Windows {
		state := "仍在期限内"
		if passed(w.Until) {
			state = "已过期"
		} else {
			allPassed = false
		}
		out.Dates = append(out.Dates, fmt.Sprintf("时限:%s(%s)——%s", chineseDate(w.Until), state, w.Text))
	}
	if !m.ValidUntil.IsZero() {
		out.ValidUntil = m.ValidUntil.Format(time.DateOnly)
		if passed(m.ValidUntil) {
			out.Expired = true
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s(已期满)", chineseDate(m.ValidUntil)))
		} else {
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s", chineseDate(m.ValidUntil)))
		}
	}
	if allPassed {
		out.Expired = true
	}
	if out.Expired {
		out.Dates = append(out.Dates, "本条所列日期已过,请向责任单位确认是否有接续政策。")
	}
	return out
}

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func writeMeasureText(w io.Writer, out measureOut) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s(%s) %s\n", out.Ref, out.ID, out.Title)
	if out.PackageTitle != "" {
		fmt.Fprintf(&sb, "《%s》", out.PackageTitle)
		if out.Section != "" {
			sb.WriteString(" " + out.Section)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("\n" + out.Text + "\n\n")
	switch {
	case len(out.Units) == 0:
		sb.WriteString("责任单位:原文未列明\n")
	case out.CoUnitsFrom > 0 && out.CoUnitsFrom < len(out.Units):
		fmt.Fprintf(&sb, "牵头单位:%s\n配合单位:%s\n", strings.Join(out.Units[:out.CoUnitsFrom], "、"), strings.Join(out.Units[out.CoUnitsFrom:], "、"))
	default:
		fmt.Fprintf(&sb, "责任单位:%s\n", strings.Join(out.Units, "、"))
	}
	if len(out.Awards) > 0 {
		sb.WriteString("奖补标准:\n")
		for _, a := range out.Awards {
			line := "  · " + a.Text
			if a.Condition != "" {
				line += "(" + a.Condition + ")"
			}
			sb.WriteString(line + "\n")
		}
	}
	for _, d := range out.Dates {
		sb.WriteString(d + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// runMeasure shows one measure: huiqi measure [--json] [--db PATH] ID.
func runMeasure(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi measure [--json] [--db PATH] ID (如 ind-03、inv-12、二十条第3条)"
	fs := newFlagSet("measure")
	asJSON := fs.Bool("json", false, "print the measure object of cli.md")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices (read only)")
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	ref := strings.TrimSpace(strings.Join(pos, ""))
	if ref == "" {
		return usagef("请给出措施编号 / a measure id is required: %s", usage)
	}
	b, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	m, ok := b.Measure(ref)
	if !ok {
		return notFound{fmt.Sprintf("没有找到措施 %q(可用编号如 ind-03、inv-12,或写作 二十条第3条、十八条第12条)", ref)}
	}
	p, _ := b.Package(m.ID)
	out := newMeasureOut(m, p, b.Lexicon(m.ID), e.now())
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeMeasureText(e.stdout, out)
}
