package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"huiqi/intake"
)

func runRoute(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("route")
	asJSON := fs.Bool("json", false, "print the route object of cli.md")
	location := fs.String("location", "", "the enterprise's address or locality (镇/街道)")
	dbPath := fs.String("db", e.dbPath, "database with staff-added questions (read only)")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return usagef("usage: huiqi route [--json] [--location PLACE] TEXT...")
	}
	base, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	rt := intake.NewRouter(base).Route(text, *location)
	if *asJSON {
		return writeJSON(e.stdout, rt)
	}
	printRoute(e.stdout, rt)
	return nil
}

func printRoute(w io.Writer, rt intake.Route) {
	if !rt.Matched {
		fmt.Fprintf(w, "未匹配到具体措施,转平台坐席(%s)人工分派。\n", rt.LeadUnit)
		return
	}
	for i, id := range rt.Measures {
		title := ""
		if i < len(rt.Titles) {
			title = rt.Titles[i]
		}
		label := "相关措施"
		if i == 0 {
			label = "对应措施"
		}
		fmt.Fprintf(w, "%s:%s %s\n", label, id, title)
	}
	fmt.Fprintf(w, "牵头单位:%s\n", rt.LeadUnit)
	if len(rt.CoUnits) > 0 {
		fmt.Fprintf(w, "协办单位:%s\n", strings.Join(rt.CoUnits, "、"))
	}
	fmt.Fprintf(w, "办理模式:%s\n", rt.Mode)
	if len(rt.Unresolved) > 0 {
		fmt.Fprintf(w, "待平台坐席确定:%s(请说明企业所在镇或街道、涉及的部门)\n", strings.Join(rt.Unresolved, "、"))
	}
}
