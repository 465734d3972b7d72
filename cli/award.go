package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// runAward estimates the awards of an enterprise profile:
// huiqi award [--json] --profile FILE|-
func runAward(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("award")
	asJSON := fs.Bool("json", false, "print the award object as JSON")
	profile := fs.String("profile", "", "profile JSON file, or - for standard input")
	fs.String("db", "", "database path (unused: award reads no database)")
	rest, err := parseArgs(fs, args, "huiqi award [--json] --profile FILE|-")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q (usage: huiqi award [--json] --profile FILE|-)", rest[0])
	}
	if *profile == "" {
		return usagef("missing --profile FILE|- (usage: huiqi award [--json] --profile FILE|-)")
	}
	var in io.Reader = e.stdin
	if *profile != "-" {
		f, err := os.Open(*profile)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usagef("profile file %s does not exist", *profile)
			}
			return usagef("cannot open profile: %v", err)
		}
		defer f.Close()
		in = f
	}
	// The clock refuses title years after this year and says whether the
	// policy year has ended.
	now := e.now()
	// The rules of the notice in force (HUIQI_AWARD_RULES), else the
	// built-in notice's.
	table, err := e.awardTable()
	if err != nil {
		return err
	}
	p, err := table.DecodeProfile(in, now)
	if err != nil {
		return err
	}
	rep := table.Evaluate(p, now)
	if *asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	_, err = io.WriteString(e.stdout, rep.Text())
	return err
}
