package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damagedDB makes a database with a table big enough to span many pages
// and a small one, closes it and overwrites the header of a b-tree page of
// the big table in the middle of the file, as a failing disk or a stray
// write would. It returns the path.
func damagedDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "damaged.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE small (x INTEGER); CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("工单内容", 100)
	for i := range 400 {
		if _, err := db.ExecContext(ctx, `INSERT INTO big (id, body) VALUES (?, ?)`, i, body); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var pageSize, pages int
	db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize)
	db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages)
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if _, err := f.WriteAt(junk, int64(pages/2)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// TestDamageRefusesWrites: on a file with a damaged page, a write that
// does not touch that page would succeed. Once QuickCheck (or any
// statement) finds the damage, every write is refused with ErrCorrupt,
// reads of sound pages go on, Health says so, and a later Open (another
// process, a restart) refuses writes too, from the marker beside the file.
func TestDamageRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := damagedDB(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(damaged) = %v; the header page is sound, so it opens", err)
	}
	defer db.Close()
	if err := db.Health(ctx); err != nil {
		t.Fatalf("Health before the damage is found = %v", err)
	}
	if err := db.QuickCheck(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("QuickCheck(damaged) = %v, want ErrCorrupt", err)
	}
	writes := []struct {
		name string
		do   func() error
	}{
		{"exec", func() error { _, err := db.ExecContext(ctx, `INSERT INTO small VALUES (1)`); return err }},
		{"transaction", func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, `INSERT INTO small VALUES (2)`); err != nil {
				return err
			}
			return tx.Commit()
		}},
		{"migration", func() error {
			return Migrate(ctx, db, "late", steps(map[string]string{"0001_a.sql": `CREATE TABLE late (x INTEGER);`}))
		}},
	}
	for _, w := range writes {
		if err := w.do(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "restored") {
			t.Errorf("%s on a damaged database = %v, want ErrCorrupt saying it must be restored", w.name, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM small`).Scan(&n); err != nil || n != 0 {
		t.Errorf("read of a sound table = %d, %v; want 0 rows and no error", n, err)
	}
	if err := db.Health(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Health after the damage was found = %v, want ErrCorrupt", err)
	}
	if _, err := os.Stat(MarkerPath(path)); err != nil {
		t.Errorf("no damage marker beside the file: %v", err)
	}
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.ExecContext(ctx, `INSERT INTO small VALUES (3)`); !errors.Is(err, ErrCorrupt) {
		t.Errorf("write after reopening = %v, want ErrCorrupt (the marker)", err)
	}
}

// TestDamageFoundByAQuery: a read that meets the damaged page trips the
// same refusal as a check.
func TestDamageFoundByAQuery(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, damagedDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM big WHERE body != ''`).Scan(&n)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("scan over the damaged page = %d, %v; want ErrCorrupt", n, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO small VALUES (1)`); !errors.Is(err, ErrCorrupt) {
		t.Errorf("write after a read found damage = %v, want ErrCorrupt", err)
	}
}

// TestSoundDatabaseChecks: the checks pass on a sound file and leave no
// marker.
func TestSoundDatabaseChecks(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for i, check := range []func(context.Context) error{db.QuickCheck, db.IntegrityCheck, db.Health} {
		if err := check(ctx); err != nil {
			t.Errorf("check %d on a sound database: %v", i, err)
		}
	}
	if err := db.Damaged(); err != nil {
		t.Errorf("Damaged() = %v", err)
	}
	if _, err := os.Stat(MarkerPath(db.Path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("marker beside a sound file: %v", err)
	}
	if _, err := db.Exec(`CREATE TABLE ok (x INTEGER)`); err != nil {
		t.Errorf("write on a sound database: %v", err)
	}
}

// TestDamageFoundElsewhereStopsWrites: a handle opened before another one
// (another process) found the damage refuses writes once it is recorded.
func TestDamageFoundElsewhereStopsWrites(t *testing.T) {
	ctx := context.Background()
	path := damagedDB(t)
	early, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	if _, err := early.ExecContext(ctx, `INSERT INTO small VALUES (1)`); err != nil {
		t.Fatalf("a write before the damage is known: %v", err)
	}
	finder, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer finder.Close()
	if err := finder.QuickCheck(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("QuickCheck = %v", err)
	}
	if _, err := early.ExecContext(ctx, `INSERT INTO small VALUES (2)`); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a write after another handle found the damage = %v, want ErrCorrupt", err)
	}
	if err := early.Health(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Health after another handle found the damage = %v, want ErrCorrupt", err)
	}
}
