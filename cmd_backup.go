package main

import (
	"context"
	"flag"
	"fmt"

	"huiqi/sqlite"
)

// runBackup makes a consistent online copy of the database (VACUUM INTO);
// restoring is copying the file back while huiqi is stopped.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := fs.String("db", e.dbPath, "database to back up")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return usagef("usage: huiqi backup [--db PATH] FILE")
	}
	src, err := sqlite.OpenReadOnly(ctx, *db)
	if err != nil {
		return usagef("cannot open database %s: %v", *db, err)
	}
	defer src.Close()
	if err := src.Backup(ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "已备份到 %s\n", fs.Arg(0))
	return nil
}
