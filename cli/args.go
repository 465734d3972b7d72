package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"

	"huiqi/knowledge"
	"huiqi/sqlite"
)

// What every command shares: its flag set, flags interleaved with words,
// the knowledge base read without creating files, and JSON output.

// newFlagSet is a command's flags. The flag package's own messages are
// discarded: the error main prints is the one line cli.md wants.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags given before, between or after the positional
// words (huiqi ask --json Q, huiqi ask Q --json) and returns the words; "--"
// ends the flags. usage is shown with a bad flag ("" for a generic line).
func parseArgs(fs *flag.FlagSet, args []string, usage string) ([]string, error) {
	if usage == "" {
		usage = "huiqi " + fs.Name() + " [flags] ARGS..."
	}
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("usage: %s", usage)
			}
			return nil, usagef("%v (usage: %s)", err, usage)
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

// readBase loads the knowledge base with what the database at path adds
// (ingested notices, staff questions). It opens the database read-only and
// only when the file exists, so it works in a read-only directory and never
// creates a file; an unreadable database leaves the built-in notice.
func readBase(ctx context.Context, e *env, path string) (*knowledge.Base, error) {
	if path == "" || path == ":memory:" {
		return knowledge.BuiltinCached(e.cacheDir)
	}
	if _, err := os.Stat(path); err != nil {
		return knowledge.BuiltinCached(e.cacheDir)
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		e.log.Warn("database not readable, using the built-in notice only", "path", path, "err", err)
		return knowledge.BuiltinCached(e.cacheDir)
	}
	defer db.Close()
	b, err := knowledge.LoadBaseCached(ctx, db.DB, e.cacheDir)
	if err != nil {
		e.log.Warn("database content not usable, using the built-in notice only", "path", path, "err", err)
		return knowledge.BuiltinCached(e.cacheDir)
	}
	return b, nil
}

// writeJSON prints one JSON object, with Chinese and <> as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
