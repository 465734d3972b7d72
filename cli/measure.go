package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"huiqi/internal/zhtext"
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
	Status       string             `json:"status"`             // in_force, passed, partly_passed, no_term
	Validity     string             `json:"validity,omitempty"` // the 时效提示 of knowledge.Validity
	Dates        []string           `json:"dates,omitempty"`    // human lines about the dates, as of now
}

// newMeasureOut describes m with v, its validity as of now (knowledge
// decides it, for every channel alike).
func newMeasureOut(m *knowledge.Measure, p *knowledge.Package, lex *knowledge.LexEntry, v knowledge.Validity) measureOut {
	out := measureOut{
		ID: m.ID, Package: m.Package, Number: m.Number, Title: m.Title, Text: m.Text,
		Units: m.Units, Awards: []knowledge.Amount{}, Ref: m.Ref(),
		Section: m.Section, CoUnitsFrom: m.CoUnitsFrom, Windows: m.Windows,
		Expired: v.Expired, Status: string(v.Status), Validity: v.Text,
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
	for _, w := range v.Windows {
		state := "仍在期限内"
		if w.Passed {
			state = "已过期"
		}
		out.Dates = append(out.Dates, fmt.Sprintf("时限:%s(%s)——%s", zhtext.Date(w.Until), state, w.Text))
	}
	if !v.Until.IsZero() {
		out.ValidUntil = v.Until.Format(time.DateOnly)
		if v.Expired {
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s(已期满)", zhtext.Date(v.Until)))
		} else {
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s", zhtext.Date(v.Until)))
		}
	}
	if v.Status != knowledge.InForce && v.Text != "" {
		out.Dates = append(out.Dates, v.Text)
	}
	return out
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
	out := newMeasureOut(m, p, b.Lexicon(m.ID), b.Validity(m, e.now()))
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeMeasureText(e.stdout, out)
}
