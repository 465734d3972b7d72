package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"huiqi/sqlite"
)

// runRestore is `huiqi restore BACKUP [--db PATH]`: the database replaced
// by a backup, the safe way (sqlite.Restore): refused while huiqi runs on
// it, the backup checked before and the result after, the replaced file
// and its write-ahead log kept as PATH-before-restore.
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("restore")
	db := fs.String("db", e.dbPath, "database to replace")
	const usage = "huiqi restore BACKUP [--db PATH]"
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: %s", usage)
	}
	res, err := sqlite.Restore(ctx, pos[0], *db)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		return usagef("restore: no backup file %s", pos[0])
	case sqlite.IsStorage(err) && !errors.Is(err, sqlite.ErrCorrupt):
		return fmt.Errorf("restore: %w", err)
	case !res.Replaced && res.Kept == "":
		// Refused before anything changed: the backup is not one.
		return usagef("restore: %v; nothing was changed", err)
	case res.Kept != "":
		return fmt.Errorf("restore: %w (the replaced database is kept as %s)", err, res.Kept)
	default:
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(e.stdout, "已从 %s 恢复 %s，完整性检查通过。\n", pos[0], *db)
	if res.Kept != "" {
		fmt.Fprintf(e.stdout, "原数据库保存为 %s（备份之后写入的内容在其中，连同 -wal 文件）。\n", res.Kept)
	}
	return nil
}
