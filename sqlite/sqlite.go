// Package sqlite owns huiqi's one database file: it opens it with the
// pragmas the project relies on (WAL, busy timeout, foreign keys), runs the
// embedded, numbered migrations that each component hands it (Migrate),
// classifies storage errors and backs the file up. It knows no component's
// tables: each package that stores things owns its own .sql files.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	msqlite "modernc.org/sqlite" // pure Go, no cgo
)

// ErrReadOnly is returned when a database that must be written can only be read.
var ErrReadOnly = errors.New("database is read-only")

// MaxOpenConns bounds the connections of a database opened with Open or
// OpenReadOnly. Code must not hold a connection (a transaction or open rows)
// while it waits for another one, or MaxOpenConns such callers deadlock.
const MaxOpenConns = 16

// DB is the handle shared by the packages that store things.
type DB struct {
	*sql.DB
	Path string
	// Now is the clock every store uses; tests replace it.
	Now func() time.Time
	h   *health
}

// Open opens (creating it with mode 0600 when missing) the database at path,
// sets WAL mode and a busy timeout, and prepares the migrations table. A
// database marked damaged (see Damaged) opens for reading only.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if path != ":memory:" {
		if err := createFile(path); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	h := &health{}
	sdb, err := openDSN(dsnPath(path)+"?"+q.Encode(), h)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// SQLite has one writer at a time; connections beyond a few only poll
	// its busy handler and hold a page cache each (2 MB by default). A
	// bounded pool queues callers in Go instead: fair, and memory stays
	// bounded however many requests arrive at once. 1,000 concurrent
	// filings took 87 s under -race unbounded, 8 s with 16.
	sdb.SetMaxOpenConns(MaxOpenConns)
	db := &DB{DB: sdb, Path: path, Now: time.Now, h: h}
	if err := pingThroughBusy(ctx, db); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, dirError(path, err))
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
		PRIMARY KEY (component, version))`); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite: prepare migrations in %s: %w", path, dirError(path, err))
	}
	if path != ":memory:" {
		h.watch(path, db.Now)
	}
	return db, nil
}

// openBusyWait bounds how long Open retries a database another process is
// setting up: as long as the busy timeout every statement waits.
const openBusyWait = 10 * time.Second

// pingThroughBusy opens the first connection, retrying while SQLite says
// the file is busy. Switching a new file to WAL takes an exclusive lock,
// and SQLite refuses that at once, without its busy handler, when another
// process opening the same file at the same moment holds a shared one
// (several `huiqi chat` or a `serve` and a `discord` started together on a
// fresh database); a moment later the file is in WAL mode and opens.
func pingThroughBusy(ctx context.Context, db *DB) error {
	deadline := time.Now().Add(openBusyWait)
	wait := 2 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !IsBusy(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// OpenReadOnly opens an existing database for reading only; it never creates
// a file. It returns os.ErrNotExist (wrapped) when there is no file.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, ErrIsDir)
	}
	h := &health{}
	sdb, err := openReadOnly(ctx, path, h, false)
	if err != nil && unwritten(path) {
		// A WAL database whose directory huiqi may not write: SQLite cannot
		// create the -shm it reads through. No process can be writing it
		// (a writer keeps a -wal and a -shm beside it), so it is read as
		// the immutable file it is.
		sdb, err = openReadOnly(ctx, path, h, true)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{DB: sdb, Path: path, Now: time.Now, h: h}
	h.watch(path, db.Now)
	return db, nil
}

func openReadOnly(ctx context.Context, path string, h *health, immutable bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	sdb, err := openDSN(dsnPath(path)+"?"+q.Encode(), h)
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(MaxOpenConns)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return sdb, nil
}

// unwritten reports whether nothing can be writing the database at path:
// it has no -shm and no log with content beside it, and its directory
// does not let one be made.
func unwritten(path string) bool {
	if _, err := os.Stat(path + shmSuffix); err == nil {
		return false
	}
	if fi, err := os.Stat(path + walSuffix); err == nil && fi.Size() > 0 {
		return false
	}
	probe, err := os.CreateTemp(filepath.Dir(path), ".huiqi-probe-*")
	if err == nil {
		probe.Close()
		os.Remove(probe.Name())
		return false
	}
	return true
}

// dsnPath is the file: URI of path. SQLite decodes %XX in a URI's path
// and ends the path at ? or #, so a name holding %, ? or # must be escaped
// or another file is opened (a#b.db would be a).
func dsnPath(path string) string {
	if path == ":memory:" {
		return "file::memory:"
	}
	// Clean also folds a leading // (a URI authority) into one /.
	p := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.Clean(path))
	return "file:" + p
}

// createFile makes sure path is a regular file huiqi may write, creating
// it with mode 0600 (SQLite would make it 0644), and says which storage
// error stands in the way.
func createFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("sqlite: open %s: %w", path, ErrIsDir)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fileError("open", path, err)
	}
	return f.Close()
}

// fileError classifies a failure to open or create path as one of the
// storage kinds when it is one, with what the operator can do about it.
func fileError(op, path string, err error) error {
	dir := filepath.Dir(path)
	switch {
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("sqlite: %s %s: %w", op, path, ErrIsDir)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("sqlite: %s %s: %w: the file system holding it is mounted read-only (%w)", op, path, ErrReadOnly, err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("sqlite: %s %s for writing: %w (%w)", op, path, ErrReadOnly, err)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("sqlite: %s %s: %w: a part of %s is a file, not a directory", op, path, ErrNoDir, dir)
	case errors.Is(err, os.ErrNotExist):
		if _, derr := os.Stat(dir); errors.Is(derr, os.ErrNotExist) {
			return fmt.Errorf("sqlite: %s %s: %w: create %s first, or name a file in an existing directory", op, path, ErrNoDir, dir)
		}
	}
	return fmt.Errorf("sqlite: %s %s: %w", op, path, err)
}

// openDSN opens a pool whose connections classify their errors and share
// h (errors.go).
func openDSN(dsn string, h *health) (*sql.DB, error) {
	c, err := msqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector{Connector: c, h: h}), nil
}

// dirError explains a failure to open a writable file in WAL mode: SQLite
// must create PATH-wal and PATH-shm next to the database, so a read-only
// directory makes a writable file unusable. Other errors pass unchanged.
func dirError(path string, err error) error {
	if errors.Is(err, ErrReadOnly) || path == ":memory:" {
		return err
	}
	dir := filepath.Dir(path)
	probe, perr := os.CreateTemp(dir, ".huiqi-probe-*")
	if perr == nil {
		probe.Close()
		os.Remove(probe.Name())
		return err
	}
	if !errors.Is(perr, os.ErrPermission) && !errors.Is(perr, syscall.EROFS) {
		return err
	}
	return fmt.Errorf("%w: directory %s is not writable, and SQLite must create %s-wal there (%w)",
		ErrReadOnly, dir, filepath.Base(path), err)
}

// Backup writes a consistent copy of the live database to dest with
// VACUUM INTO, which reads one snapshot while writers go on. dest must not
// exist (os.ErrExist) and its directory must (ErrNoDir); the copy has mode
// 0600.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if dest == "" {
		return errors.New("sqlite: empty backup path")
	}
	if fi, err := os.Stat(dest); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("sqlite: backup to %s: %w", dest, ErrIsDir)
		}
		return fmt.Errorf("sqlite: backup to %s: %w (a backup never replaces a file)", dest, os.ErrExist)
	}
	// Create it first, 0600 and exclusively: VACUUM INTO fills an empty
	// file, and the copy is never readable by others, even for a moment.
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("sqlite: backup to %s: %w (a backup never replaces a file)", dest, os.ErrExist)
		}
		return fileError("backup to", dest, err)
	}
	f.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dsnPath(dest)); err != nil {
		os.Remove(dest)
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless the
// answer is "ok"; a damaged file is ErrCorrupt and marks the database
// damaged (see Damaged).
func (db *DB) IntegrityCheck(ctx context.Context) error {
	return db.check(ctx, "integrity_check")
}

// QuickCheck is IntegrityCheck without the check that indexes match their
// tables: it reads every page once, which is what a start-up can afford.
func (db *DB) QuickCheck(ctx context.Context) error {
	return db.check(ctx, "quick_check")
}

func (db *DB) check(ctx context.Context, pragma string) error {
	rows, err := db.QueryContext(ctx, `PRAGMA `+pragma)
	if err != nil {
		return fmt.Errorf("sqlite: %s of %s: %w", pragma, db.Path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var res string
		if err := rows.Scan(&res); err != nil {
			return fmt.Errorf("sqlite: %s of %s: %w", pragma, db.Path, err)
		}
		if res != "ok" && len(problems) < 5 {
			problems = append(problems, res)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: %s of %s: %w", pragma, db.Path, err)
	}
	if len(problems) > 0 {
		err := fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
		db.h.trip(err)
		return fmt.Errorf("sqlite: %s of %s: %w", pragma, db.Path, err)
	}
	return nil
}

// Health says whether the database can serve: nil, or the damage found
// (Damaged), or why the file cannot be read now. It reads the schema page,
// not the whole file (QuickCheck does that), so a health probe may call it
// often.
func (db *DB) Health(ctx context.Context) error {
	if err := db.Damaged(); err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: health of %s: %w", db.Path, err)
	}
	return nil
}

// Damaged returns nil while no check or statement has found the file
// damaged, and otherwise an ErrCorrupt saying what was found and that
// writes are refused until the file is restored. Once found, the damage is
// recorded beside the file (PATH-damaged), so every process that opens it
// later refuses writes too, until Restore replaces it.
func (db *DB) Damaged() error { return db.h.Damaged() }
