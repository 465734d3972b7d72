//go:build unix

package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary act as the writing process that
// TestRestoreAfterCrash kills.
func TestMain(m *testing.M) {
	if path := os.Getenv("HUIQI_SQLITE_TEST_WRITER"); path != "" {
		os.Exit(writer(path))
	}
	os.Exit(m.Run())
}

// writer inserts rows from id 1000 on into t of the database at path, one
// transaction each, printing each id once committed, until it is killed.
// The log is never checkpointed into the file, as in a server killed
// between checkpoints.
func writer(path string) int {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for id := 1000; ; id++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, 'after the backup')`, id); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(id)
	}
}

func countRows(t *testing.T, path, where string) int {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t WHERE ` + where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRestoreAfterCrash: back up, write more, SIGKILL the writing process
// (its log stays beside the file), restore. The result passes
// integrity_check and holds exactly the backup's rows, none replayed from
// the dead process's log; the replaced file is kept with that log, so the
// rows written after the backup can still be read there.
func TestRestoreAfterCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "huiqi.db")
	backup := filepath.Join(dir, "backup.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, 'in the backup')`, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HUIQI_SQLITE_TEST_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	acked := 0
	for acked < 100 && sc.Scan() {
		if _, err := strconv.Atoi(sc.Text()); err == nil {
			acked++
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if acked < 100 {
		t.Fatalf("the writer acknowledged %d rows before it stopped: %s", acked, stderr.String())
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the killed writer left no log (%v): the test would prove nothing", err)
	}

	res, err := Restore(ctx, backup, path)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if res.Kept != path+"-before-restore" {
		t.Errorf("Kept = %q, want %q", res.Kept, path+"-before-restore")
	}
	for _, gone := range []string{path + "-shm", path + ".restoring"} {
		if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left after the restore", gone)
		}
	}
	if got := countRows(t, path, `v = 'in the backup'`); got != 50 {
		t.Errorf("restored rows of the backup = %d, want 50", got)
	}
	if got := countRows(t, path, `id >= 1000`); got != 0 {
		t.Errorf("restored file holds %d rows of the dead writer's log, want 0", got)
	}
	r, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.IntegrityCheck(ctx); err != nil {
		t.Errorf("restored: %v", err)
	}
	r.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if got := countRows(t, res.Kept, `id >= 1000`); got < acked {
		t.Errorf("the kept file holds %d of the %d rows acknowledged after the backup", got, acked)
	}

	// A second restore keeps the first restore's result under a new name.
	res2, err := Restore(ctx, backup, path)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Kept != path+"-before-restore-2" {
		t.Errorf("second Kept = %q, want …-before-restore-2", res2.Kept)
	}
	if got := countRows(t, res.Kept, `id >= 1000`); got < acked {
		t.Errorf("the second restore lost the first one's kept rows")
	}
}

// TestRestoreRefusals: nothing changes when the database is in use, the
// backup is damaged or not a huiqi database, or is a live database with a
// log of its own.
func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "huiqi.db")
	good := filepath.Join(dir, "good.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'live')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.db")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := openDSN(dsnPath(plain), &health{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(`CREATE TABLE x (y INTEGER)`); err != nil {
		t.Fatal(err)
	}
	p.Close()
	damaged := damagedDB(t)

	// In use: db is still open (by this process; another one is the same
	// to the locks).
	if _, err := Restore(ctx, good, path); !errors.Is(err, ErrInUse) {
		t.Errorf("Restore while the database is open = %v, want ErrInUse", err)
	}
	db.Close()
	before := files(t, dir)
	tests := []struct {
		name, backup, says string
	}{
		{"damaged backup", damaged, "not usable"},
		{"not huiqi's", plain, "not a huiqi database"},
		{"missing backup", filepath.Join(dir, "nope.db"), "no such file"},
		{"itself", path, "the database itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Restore(ctx, tt.backup, path); err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Restore(%s) = %v, want an error saying %q", tt.backup, err, tt.says)
			}
		})
	}
	// A live database as the backup: its log is not in the file.
	live := filepath.Join(t.TempDir(), "live.db")
	l, err := Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, live, path); err == nil || !strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("Restore(a live database) = %v, want it refused for its log", err)
	}
	if after := files(t, dir); strings.Join(after, "|") != strings.Join(before, "|") {
		t.Errorf("refused restores changed the directory: %q → %q", before, after)
	}
	if got := countRows(t, path, `v = 'live'`); got != 1 {
		t.Errorf("refused restores changed the database")
	}
}
