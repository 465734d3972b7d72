package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFullDiskIsClassifiedAndHarmless fills the database up to SQLite's
// max_page_count, which fails a write exactly as a full disk does
// (SQLITE_FULL): the error is sqlite.ErrFull, the rows written before are
// intact and integrity_check still passes.
func TestFullDiskIsClassifiedAndHarmless(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// max_page_count is a per-connection setting: one connection, so every
	// statement below runs under it.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+8)); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("工单", 1000) // ~6 KB: about two pages a row
	var written int
	var err error
	for i := range 1000 {
		if _, err = db.ExecContext(ctx, `INSERT INTO t (id, body) VALUES (?, ?)`, i, body); err != nil {
			break
		}
		written++
	}
	if !errors.Is(err, ErrFull) {
		t.Fatalf("insert into a full database: err = %v, want sqlite.ErrFull", err)
	}
	if written == 0 {
		t.Fatalf("no row fitted before the database was full")
	}
	// A transaction that fails on a full disk rolls back as a whole.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO t (id, body) VALUES (?, ?)`, 5000, body)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if !errors.Is(err, ErrFull) {
		t.Fatalf("transaction on a full database: err = %v, want sqlite.ErrFull", err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after a full disk: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t WHERE body = ?`, body).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != written {
		t.Errorf("rows after a full disk = %d, want the %d written before", n, written)
	}
	// Room again: writes work.
	if _, err := db.ExecContext(ctx, `PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t (id, body) VALUES (?, ?)`, 5001, body); err != nil {
		t.Errorf("insert after room was made: %v", err)
	}
}

// TestClassify checks the mapping of driver errors to sentinels and that
// other errors pass unchanged.
func TestClassify(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO nope VALUES (1)`)
	if err == nil || errors.Is(err, ErrFull) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrCorrupt) {
		t.Errorf("no such table: err = %v, want an unclassified error", err)
	}
	plain := errors.New("x")
	if got := classify(plain); got != plain {
		t.Errorf("classify(%v) = %v, want it unchanged", plain, got)
	}
	if got := classify(nil); got != nil {
		t.Errorf("classify(nil) = %v, want nil", got)
	}
}

// TestReadOnlyConnectionWrites: a write through a read-only handle is
// sqlite.ErrReadOnly.
func TestReadOnlyConnectionWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.ExecContext(ctx, `INSERT INTO t (id) VALUES (1)`); !errors.Is(err, ErrReadOnly) {
		t.Errorf("insert through a read-only handle: err = %v, want sqlite.ErrReadOnly", err)
	}
}

// TestNotADatabase: a file that is not SQLite is ErrCorrupt and is left
// as it was.
func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	junk := bytes.Repeat([]byte("not a database, 不是数据库\n"), 200)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err == nil {
		db.Close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open(junk) = %v, want sqlite.ErrCorrupt", err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, junk) {
		t.Errorf("Open(junk) changed the file")
	}
}

func TestIsBusy(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), true}, // the driver's text, its type lost
		{fmt.Errorf("intake: file: %w", errors.New("database is locked")), true},
		{errors.New("database table is locked (6)"), false}, // SQLITE_LOCKED: not another connection's lock
		{ErrFull, false},
	} {
		if got := IsBusy(tt.err); got != tt.want {
			t.Errorf("IsBusy(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
