package cli

import (
	"context"
	"fmt"
	"strings"

	"huiqi/intake"
	"huiqi/knowledge"
)

func runLexicon(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("lexicon")
	asJSON := fs.Bool("json", false, "print JSON")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) < 3 || pos[0] != "add" {
		return usagef(`usage: huiqi lexicon add MEASURE "question"`)
	}
	q := strings.TrimSpace(strings.Join(pos[2:], " "))
	if q == "" {
		return usagef(`usage: huiqi lexicon add MEASURE "question"`)
	}
	a, err := openApp(ctx, e, *dbPath, intake.Config{})
	if err != nil {
		return err
	}
	defer a.Close()
	m, ok := a.base.Measure(pos[1])
	if !ok {
		return usagef("没有措施 %q(措施编号如 ind-03、inv-12,或 二十条第3条)", pos[1])
	}
	// The question is kept in the knowledge package's table, which the
	// knowledge base reads at every start, and leaves the review list.
	if err := knowledge.SaveQuestion(ctx, a.db.DB, m.ID, q); err != nil {
		return err
	}
	if err := a.tickets.ResolveUnanswered(ctx, q, m.ID); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"measure": m.ID, "question": q, "added": true})
	}
	fmt.Fprintf(e.stdout, "已将问题挂到 %s %s,下次提问即可答复。\n", m.ID, m.Title)
	return nil
}
