package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenSetsWALAndMode0600(t *testing.T) {
	db := MustOpenDB(t)
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	fi, err := os.Stat(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %o, want 600", got)
	}
}

func TestMigrateRunsEachStepOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	steps := []string{`CREATE TABLE a (x INTEGER)`, `INSERT INTO a VALUES (1)`}
	for i := 0; i < 3; i++ {
		if err := db.migrate(ctx, "test", steps); err != nil {
			t.Fatalf("Migrate #%d: %v", i, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("rows = %d, want 1 (a step ran twice)", n)
	}
}

func TestMigrateFailedStepLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	err := db.migrate(ctx, "bad", []string{`CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)`})
	if err == nil {
		t.Fatal("Migrate of a broken step succeeded")
	}
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'`).Scan(&n)
	if n != 0 {
		t.Errorf("table b exists after a failed migration")
	}
}

func TestBackupIsConsistentAndRestorable(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if err := db.migrate(ctx, "t", []string{`CREATE TABLE t (x INTEGER)`}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := db.Exec(`INSERT INTO t VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest); !errors.Is(err, os.ErrExist) {
		t.Errorf("second Backup to the same file: err = %v, want ErrExist", err)
	}
	restored, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := restored.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Errorf("restored rows = %d, want 100", n)
	}
}

func TestOpenReadOnlyNeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.db")
	if _, err := OpenReadOnly(context.Background(), path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly(absent) err = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s", path)
	}
}

// TestOpenConcurrently: processes opening one new database at the same
// moment all open it. SQLite refuses the switch to WAL at once, without
// its busy handler, while another opener holds a shared lock; before Open
// retried, about one opener in 240 failed with SQLITE_BUSY here (and
// TestChatSurvivesSIGKILL's six `huiqi chat` did once in CI).
func TestOpenConcurrently(t *testing.T) {
	for round := range 40 {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := Open(context.Background(), path)
				if err != nil {
					errs <- err
					return
				}
				errs <- db.Close()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
