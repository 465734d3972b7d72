package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"huiqi/sqlite"
)

// runBackup makes a consistent online copy of the database (VACUUM INTO);
// `huiqi restore` puts one back.
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
	dest := pos[0]
	src, err := sqlite.OpenReadOnly(ctx, *db)
	if errors.Is(err, os.ErrNotExist) {
		return usagef("backup: no database %s", *db)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	err = src.Backup(ctx, dest)
	switch {
	case errors.Is(err, os.ErrExist):
		return usagef("backup: %s already exists, and a backup never replaces a file: name a new one", dest)
	case errors.Is(err, sqlite.ErrNoDir):
		return usagef("backup: the directory %s does not exist: create it or name a file in another", filepath.Dir(dest))
	case errors.Is(err, sqlite.ErrIsDir):
		return usagef("backup: %s is a directory: name a file in it, such as %s", dest, filepath.Join(dest, "huiqi-backup.db"))
	case err != nil:
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "已备份到 %s\n", dest)
	return nil
}
