package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"huiqi/knowledge"
)

// unitOut is the `unit` object of cli.md.
type unitOut struct {
	Unit       string   `json:"unit"`
	Place      string   `json:"place,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	Measures   []string `json:"measures"`
	Candidates []string `json:"candidates"`
}

// measureTitler gives a measure's title for the human listing.
type measureTitler interface {
	Measure(ref string) (*knowledge.Measure, bool)
}

func writeUnitText(w io.Writer, query string, out unitOut, ms measureTitler) error {
	var sb strings.Builder
	line := func(id string) {
		if m, ok := ms.Measure(id); ok {
			fmt.Fprintf(&sb, "  %s %s %s\n", id, m.Ref(), m.Title)
		} else {
			fmt.Fprintf(&sb, "  %s\n", id)
		}
	}
	if out.Unit == "" {
		fmt.Fprintf(&sb, "“%s”可能是以下单位之一,请写得更完整些:\n", query)
		for _, c := range out.Candidates {
			sb.WriteString("  " + c + "\n")
		}
		_, err := io.WriteString(w, sb.String())
		return err
	}
	sb.WriteString(out.Unit)
	if out.Place != "" {
		sb.WriteString("(" + out.Place + ")")
	}
	if len(out.Aliases) > 0 {
		fmt.Fprintf(&sb, "(也写作:%s)", strings.Join(out.Aliases, "、"))
	}
	if len(out.Measures) == 0 {
		sb.WriteString("\n现有措施中没有列出这个单位的职责。\n")
	} else {
		fmt.Fprintf(&sb, "\n负责(含牵头、配合)以下 %d 条措施:\n", len(out.Measures))
		for _, id := range out.Measures {
			line(id)
		}
	}
	if len(out.Candidates) > 0 {
		fmt.Fprintf(&sb, "相近的单位:%s\n", strings.Join(out.Candidates, "、"))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// runUnit lists what a responsible unit handles: huiqi unit [--json] NAME.
func runUnit(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi unit [--json] [--db PATH] NAME (可写简称、别称或拼音首字母,如 人社、区审批局、rsj)"
	fs := newFlagSet("unit")
	asJSON := fs.Bool("json", false, "print the unit object of cli.md")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices (read only)")
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(pos, " "))
	if name == "" {
		return usagef("请给出单位名称 / a unit name is required: %s", usage)
	}
	b, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	r := b.Unit(name)
	out := unitOut{Unit: r.Unit, Place: r.Place, Aliases: r.Aliases, Measures: r.Measures, Candidates: r.Candidates}
	if out.Measures == nil {
		out.Measures = []string{}
	}
	if out.Candidates == nil {
		out.Candidates = []string{}
	}
	if out.Unit == "" && len(out.Candidates) == 0 {
		return notFound{fmt.Sprintf("没有找到单位 %q(可写全称、简称或拼音首字母,如 区人社局、人社、rsj)", name)}
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeUnitText(e.stdout, name, out, b)
}
