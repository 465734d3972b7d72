package cli

import (
	"context"
	"fmt"

	"huiqi/sqlite"
)

// runBackup makes a consistent online copy of the database (VACUUM INTO);
// restoring is copying the file back while huiqi is stopped.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("backup")
	db := fs.String("db", e.dbPath, "database to back up")
	pos, err := parseArgs(fs, args, "huiqi backup [--db PATH] FILE")
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: huiqi backup [--db PATH] FILE")
	}
	src, err := sqlite.OpenReadOnly(ctx, *db)
	if err != nil {
		return usagef("cannot open database %s: %v", *db, err)
	}
	defer src.Close()
	if err := src.Backup(ctx, pos[0]); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "已备份到 %s\n", pos[0])
	return nil
}
