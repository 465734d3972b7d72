package cli

import (
	"context"
	"fmt"
	"os"

	"huiqi/intake"
)

func runUnanswered(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("unanswered")
	asJSON := fs.Bool("json", false, "print JSON")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("usage: huiqi unanswered [--json]")
	}
	list := []intake.Unanswered{}
	if _, err := os.Stat(*dbPath); err == nil {
		a, err := openDB(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.openTickets(ctx, intake.Config{}); err != nil {
			return err
		}
		if list, err = a.tickets.Unanswered(ctx); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"questions": list, "count": len(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "没有待复核的未答问题。")
		return nil
	}
	for _, u := range list {
		fmt.Fprintf(e.stdout, "%3d次  %s\n", u.Count, u.Question)
	}
	fmt.Fprintln(e.stdout, "用 huiqi lexicon add 措施编号 \"问题\" 把问题挂到措施上。")
	return nil
}
