package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// The companions SQLite keeps beside a database file.
const (
	walSuffix     = "-wal"
	shmSuffix     = "-shm"
	journalSuffix = "-journal"
)

// keptSuffix names the replaced database Restore keeps.
const keptSuffix = "-before-restore"

// Restored says what Restore did.
type Restored struct {
	// Kept is where the replaced database now is, with its write-ahead log
	// beside it as Kept-wal when it had one, so that whatever was written
	// after the backup can still be read there; "" when there was none.
	Kept string
	// Replaced is set once the backup took the database's place: an error
	// with Replaced false changed nothing.
	Replaced bool
}

// Restore replaces the database at path with the backup file. It refuses
// while any process has path open (ErrInUse) and checks the backup
// (integrity_check) before it changes anything. Then it moves the file it
// replaces aside as PATH-before-restore together with that file's -wal, so
// the log of a crashed process is never replayed onto the backup (which is
// how copying a backup over the file corrupts it) and nothing written after
// the backup is destroyed; removes the stale -shm and the damage marker;
// copies the backup in with mode 0600; and checks the result
// (integrity_check). Nothing in this process may have path open.
func Restore(ctx context.Context, backup, path string) (Restored, error) {
	if err := checkBackup(ctx, backup, path); err != nil {
		return Restored{}, err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return Restored{}, fmt.Errorf("sqlite: restore to %s: %w", path, ErrIsDir)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return Restored{}, fileError("restore to", path, err)
	}
	release, err := lockUnused(path)
	if err != nil {
		return Restored{}, err
	}
	res, err := swapIn(backup, path)
	release()
	if err != nil {
		return res, err
	}
	db, err := Open(ctx, path)
	if err != nil {
		return res, fmt.Errorf("sqlite: restored %s does not open: %w", path, err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		return res, fmt.Errorf("sqlite: restored %s: %w", path, err)
	}
	return res, nil
}

// checkBackup makes sure backup is a sound huiqi database that is not path
// itself and has no write-ahead log of its own (a live database, whose
// newest writes are not in the file).
func checkBackup(ctx context.Context, backup, path string) error {
	fi, err := os.Stat(backup)
	if err != nil {
		return fmt.Errorf("sqlite: backup %s: %w", backup, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("sqlite: backup %s: %w", backup, ErrIsDir)
	}
	if pi, err := os.Stat(path); err == nil && os.SameFile(fi, pi) {
		return fmt.Errorf("sqlite: backup %s is the database itself", backup)
	}
	if wi, err := os.Stat(backup + walSuffix); err == nil && wi.Size() > 0 {
		return fmt.Errorf("sqlite: %s has a write-ahead log (%s): it is a live database, not a backup; make one with VACUUM INTO (huiqi backup)",
			backup, filepath.Base(backup+walSuffix))
	}
	// immutable: read the file as it is, without locks or a -shm beside
	// it (the backup may sit in a read-only directory).
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	sdb, err := openDSN(dsnPath(backup)+"?"+q.Encode(), &health{})
	if err != nil {
		return fmt.Errorf("sqlite: backup %s: %w", backup, err)
	}
	defer sdb.Close()
	b := &DB{DB: sdb, Path: backup, h: &health{}}
	if err := b.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("sqlite: backup %s is not usable: %w", backup, err)
	}
	var n int
	if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: backup %s: %w", backup, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: backup %s is an SQLite file but not a huiqi database (no schema_migrations)", backup)
	}
	return nil
}

// swapIn copies backup beside path, moves path and its companions aside
// and renames the copy to path.
func swapIn(backup, path string) (Restored, error) {
	tmp := path + ".restoring"
	os.Remove(tmp) // left by a restore that was interrupted: ours
	if err := copyFile(backup, tmp); err != nil {
		os.Remove(tmp)
		return Restored{}, fmt.Errorf("sqlite: restore to %s: %w", path, err)
	}
	var res Restored
	if _, err := os.Stat(path); err == nil {
		res.Kept = keptName(path)
		if err := os.Rename(path, res.Kept); err != nil {
			os.Remove(tmp)
			return Restored{}, fmt.Errorf("sqlite: restore to %s: keep the replaced file: %w", path, err)
		}
	}
	for _, sfx := range []string{walSuffix, journalSuffix, markerSuffix} {
		if _, err := os.Stat(path + sfx); err != nil {
			continue
		}
		var err error
		if res.Kept != "" {
			err = os.Rename(path+sfx, res.Kept+sfx)
		} else {
			err = os.Remove(path + sfx)
		}
		if err != nil {
			return res, fmt.Errorf("sqlite: restore to %s: move %s aside: %w", path, path+sfx, err)
		}
	}
	if err := os.Remove(path + shmSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("sqlite: restore to %s: remove the stale %s: %w", path, path+shmSuffix, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return res, fmt.Errorf("sqlite: restore to %s: %w", path, err)
	}
	res.Replaced = true
	return res, syncDir(filepath.Dir(path))
}

// keptName is the first of PATH-before-restore, PATH-before-restore-2, …
// that is free, so a second restore never overwrites what the first kept.
func keptName(path string) string {
	name := path + keptSuffix
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name
		}
		name = path + keptSuffix + "-" + strconv.Itoa(i)
	}
}

// copyFile copies src to a new file dst (mode 0600) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sqlite: sync %s: %w", dir, err)
	}
	return nil
}
