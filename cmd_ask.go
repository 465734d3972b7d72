package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"huiqi/knowledge"
	"huiqi/sqlite"
)

// runAsk answers one question: huiqi ask [--json] [--top N] [--db PATH] QUESTION...
// It only reads: the database is opened read-only, and only if it exists.
func runAsk(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one line of our own on errors, not the flag package's usage dump
	asJSON := fs.Bool("json", false, "print the ask object as JSON")
	top := fs.Int("top", 3, "how many measures to list")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices and added questions")
	words, err := parseInterleaved(fs, args)
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
	base, err := openBase(ctx, e, *dbPath)
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

// parseInterleaved parses flags that may come before, between or after the
// positional words, and returns the words. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("usage: huiqi %s [flags] ARGS...", fs.Name())
			}
			return nil, usagef("%v (用法 usage: huiqi %s [flags] ARGS...)", err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return words, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(words, rest...), nil
		}
		words = append(words, rest[0])
		args = rest[1:]
	}
}

// openBase loads the knowledge base with what the database adds, reading
// the database only when the file already exists.
func openBase(ctx context.Context, e *env, path string) (*knowledge.Base, error) {
	if path == "" || path == ":memory:" {
		return knowledge.Builtin()
	}
	if _, err := os.Stat(path); err != nil {
		return knowledge.Builtin()
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		e.log.Warn("database not readable, answering from the built-in notice only", "path", path, "err", err)
		return knowledge.Builtin()
	}
	defer db.Close()
	b, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		e.log.Warn("database content not usable, answering from the built-in notice only", "path", path, "err", err)
		return knowledge.Builtin()
	}
	return b, nil
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
