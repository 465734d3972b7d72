package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"huiqi/sqlite"
)

// TestDatabaseFilesPrivate runs report on a fresh database and checks the
// database file and its -wal and -shm companions (which hold the same
// tickets) are readable by the owner only.
func TestDatabaseFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "huiqi.db")
	code, _, stderr := runStdin(t, withDB(db), "", "report", "--enterprise", "阳泉测试机械有限公司", "--contact", "13800000000", "货车拉煤白天被限行")
	if code != 0 {
		t.Fatalf("report: exit %d, %s", code, stderr)
	}
	// Held open, as serve and discord hold it, the -wal and -shm files exist.
	d, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s %v", e.Name(), info.Mode())
	}
	for _, name := range []string{"huiqi.db", "huiqi.db-wal", "huiqi.db-shm"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s mode %v, want 0600 (owner only)", name, perm)
		}
	}
}
