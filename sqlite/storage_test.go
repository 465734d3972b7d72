package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// TestOpenEscapesPath: a path holding the characters a file: URI gives a
// meaning (# ends the path, % escapes, ? starts the query) opens exactly
// that file, with mode 0600, and a backup to such a name works too.
func TestOpenEscapesPath(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a#b.db", "100%.db", "x?y=1.db", "%23.db", "sp ace#%3F.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')`); err != nil {
				t.Fatal(err)
			}
			backup := filepath.Join(dir, "copy of "+name)
			if err := db.Backup(ctx, backup); err != nil {
				t.Fatalf("Backup(%q): %v", backup, err)
			}
			db.Close()
			got := files(t, dir)
			want := []string{"copy of " + name, name}
			sort.Strings(want)
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("files in the directory = %q, want %q", got, want)
			}
			for _, f := range want {
				fi, err := os.Stat(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if perm := fi.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s mode %o, want 600", f, perm)
				}
			}
			for _, f := range want {
				ro, err := OpenReadOnly(ctx, filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				var x string
				if err := ro.QueryRowContext(ctx, `SELECT x FROM t`).Scan(&x); err != nil || x != "kept" {
					t.Errorf("%s: read %q, %v; want the row written", f, x, err)
				}
				ro.Close()
			}
		})
	}
}

// files lists the names in dir, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestOpenClassifiesPaths: a database path that is a directory, in a
// directory that does not exist, under a file, or on a read-only file
// system is the storage kind that says so, never an unclassified error.
func TestOpenClassifiesPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
		says string
	}{
		{"directory", dir, ErrIsDir, "is a directory"},
		{"missing directory", filepath.Join(dir, "nope", "huiqi.db"), ErrNoDir, "create " + filepath.Join(dir, "nope")},
		{"under a file", filepath.Join(file, "huiqi.db"), ErrNoDir, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.path)
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, tt.want) || !IsStorage(err) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Open(%s) = %v, want %v saying %q", tt.path, err, tt.want, tt.says)
			}
		})
	}
	if _, err := OpenReadOnly(ctx, dir); !errors.Is(err, ErrIsDir) {
		t.Errorf("OpenReadOnly(directory) = %v, want ErrIsDir", err)
	}
	// A read-only mount: EROFS from the file system.
	rofs := &fs.PathError{Op: "open", Path: "/mnt/ro/huiqi.db", Err: syscall.EROFS}
	if err := fileError("open", "/mnt/ro/huiqi.db", rofs); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "mounted read-only") {
		t.Errorf("fileError(EROFS) = %v, want ErrReadOnly saying mounted read-only", err)
	}
}

// TestOpenOnReadOnlyMount opens a database on a file system mounted
// read-only (a bind mount; it needs root and skips without).
func TestOpenOnReadOnlyMount(t *testing.T) {
	ctx := context.Background()
	src, mnt := t.TempDir(), t.TempDir()
	db, err := Open(ctx, filepath.Join(src, "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := syscall.Mount(src, mnt, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount (%v): the EROFS case is covered by TestOpenClassifiesPaths", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	if err := syscall.Mount("", mnt, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only (%v)", err)
	}
	_, err = Open(ctx, filepath.Join(mnt, "huiqi.db"))
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Open on a read-only mount = %v, want ErrReadOnly", err)
	}
}

// TestBackupRefusals: a backup never replaces a file, and a missing
// directory or a directory as the name is said as such.
func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.db")
	if err := os.WriteFile(existing, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dest string
		want       error
	}{
		{"existing file", existing, os.ErrExist},
		{"missing directory", filepath.Join(dir, "nope", "b.db"), ErrNoDir},
		{"directory", dir, ErrIsDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.Backup(ctx, tt.dest); !errors.Is(err, tt.want) {
				t.Errorf("Backup(%s) = %v, want %v", tt.dest, err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "an older backup" {
		t.Errorf("Backup onto an existing file changed it")
	}
}

// TestMigrateRefusesNewerSchema: a component whose tables a newer release
// made (version 99, a column this one does not know) is refused with
// ErrNewerSchema, saying both versions, and nothing is written.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	v := map[string]string{"0001_a.sql": `CREATE TABLE a (x INTEGER);`, "0002_b.sql": `INSERT INTO a VALUES (1);`}
	if err := Migrate(ctx, db, "comp", steps(v)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE a ADD COLUMN future TEXT NOT NULL DEFAULT 'x';
		INSERT INTO schema_migrations VALUES ('comp', 99, '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	v["0003_c.sql"] = `INSERT INTO a (x) VALUES (2);`
	err := Migrate(ctx, db, "comp", steps(v))
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "version 99") || !strings.Contains(err.Error(), "up to 3") {
		t.Errorf("Migrate on a newer schema = %v, want ErrNewerSchema naming versions 99 and 3", err)
	}
	if n, err := Outstanding(ctx, db, "comp", steps(v)); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Outstanding on a newer schema = %d, %v; want ErrNewerSchema", n, err)
	}
	if after := dump(t, db); after != before {
		t.Errorf("Migrate on a newer schema wrote:\nbefore %s\nafter  %s", before, after)
	}
	// Another component of the same file is not affected.
	if err := Migrate(ctx, db, "other", steps(map[string]string{"0001_o.sql": `CREATE TABLE o (y INTEGER);`})); err != nil {
		t.Errorf("another component: %v", err)
	}
}

// dump is the schema and rows of the test tables, to compare.
func dump(t *testing.T, db *DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT group_concat(sql, ';') FROM sqlite_master`,
		`SELECT group_concat(component || version, ',') FROM schema_migrations`,
		`SELECT group_concat(x, ',') FROM a`} {
		var s string
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

// TestOutstanding counts the steps a database lacks.
func TestOutstanding(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	v := map[string]string{"0001_a.sql": `CREATE TABLE a (x INTEGER);`}
	if n, err := Outstanding(ctx, db, "comp", steps(v)); n != 1 || err != nil {
		t.Errorf("Outstanding on a fresh file = %d, %v; want 1", n, err)
	}
	if err := Migrate(ctx, db, "comp", steps(v)); err != nil {
		t.Fatal(err)
	}
	v["0002_b.sql"] = `SELECT 1;`
	if n, err := Outstanding(ctx, db, "comp", steps(v)); n != 1 || err != nil {
		t.Errorf("Outstanding after one more step = %d, %v; want 1", n, err)
	}
}
