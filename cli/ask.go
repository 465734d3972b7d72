package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"huiqi/knowledge"
)

// runAsk answers one question: huiqi ask [--json] [--top N] [--db PATH] QUESTION...
// It only reads: the database is opened read-only, and only if it exists.
func runAsk(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ask")
	asJSON := fs.Bool("json", false, "print the ask object as JSON")
	top := fs.Int("top", 3, "how many measures to list")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices and added questions")
	words, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(words, " "))
	if q == "" {
		return usagef("请输入要问的问题 / a question is required: huiqi ask [--json] [--top N] QUESTION...")
	}
	if *top < 1 || *top > 50 {
		return usagef("--top 须在1到50之间 / --top must be between 1 and 50, got %d", *top)
	}
	// A one-shot command allocates a few megabytes and exits: collecting
	// garbage would only cost start-up time.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	base, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	a := base.Ask(q, *top, e.now())
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(a)
	}
	return printAnswer(e.stdout, a)
}

func printAnswer(w io.Writer, a knowledge.Answer) error {
	var sb strings.Builder
	sb.WriteString(a.Text)
	sb.WriteString("\n")
	if a.Answered && !a.Ambiguous && len(a.Results) > 1 {
		sb.WriteString("\n其他可能相关的措施：\n")
		for _, r := range a.Results[1:] {
			fmt.Fprintf(&sb, "  %s %s（%s）\n", r.Ref, r.Title, r.ID)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
