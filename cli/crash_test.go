//go:build linux

package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"huiqi/sqlite"
)

// nobody is the user the storage tests run the binary as when they run as
// root, who ignores file modes: a read-only file must be read-only to huiqi.
const nobody = 65534

// buildBinary builds huiqi into a directory every user may read.
func buildBinary(t *testing.T) string {
	t.Helper()
	return sharedBinary(t)
}

// sharedTempDir is t.TempDir opened to other users (the testing package
// makes its parent 0700), so that the binary can run as nobody.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runBinary runs huiqi with args and stdin; as root it runs as nobody.
func runBinary(t *testing.T, bin, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HUIQI_NOW=2026-11-27T10:00:00+08:00")
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("huiqi %q: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// snapshot is the names and contents of the files in dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// TestReadOnlyDatabaseRefusedCleanly runs `huiqi report` and `huiqi chat`
// on a database they cannot write: a read-only file (0444), and a writable
// file in a read-only directory (0555, where SQLite cannot create the WAL).
// Each must exit 1 or 2 with one line on stderr that says "read-only",
// print nothing else, and leave the directory byte for byte as it was.
func TestReadOnlyDatabaseRefusedCleanly(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct {
		name             string
		fileMode, dirMod os.FileMode
	}{
		{"read-only file", 0o444, 0o755},
		{"read-only directory", 0o644, 0o555},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := sharedTempDir(t)
			db := filepath.Join(dir, "huiqi.db")
			if code, _, stderr := runArgs(t, withDB(db), "report", "--enterprise", "某公司", "--contact", "王经理", "申请用电增容一直没有答复"); code != 0 {
				t.Fatalf("report on a writable database: exit %d: %s", code, stderr)
			}
			if os.Geteuid() == 0 {
				for _, p := range []string{dir, db} {
					if err := os.Chown(p, nobody, nobody); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := os.Chmod(db, tt.fileMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.dirMod); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755); os.Chmod(db, 0o600) })
			before := snapshot(t, dir)

			for _, run := range []struct {
				stdin string
				args  []string
			}{
				{"", []string{"report", "--db", db, "--enterprise", "某公司", "--contact", "王经理", "又一个问题"}},
				{"你好\n算奖励\n1\n", []string{"chat", "--db", db, "--user", "u1"}},
			} {
				code, stdout, stderr := runBinary(t, bin, run.stdin, run.args...)
				if code != 1 && code != 2 {
					t.Errorf("huiqi %s: exit %d, want 1 or 2", run.args[0], code)
				}
				if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "read-only") {
					t.Errorf("huiqi %s: stderr %q, want one line saying read-only", run.args[0], stderr)
				}
				if stdout != "" {
					t.Errorf("huiqi %s: stdout %q, want nothing", run.args[0], stdout)
				}
			}
			after := snapshot(t, dir)
			if len(after) != len(before) {
				t.Errorf("files after = %d, before = %d", len(after), len(before))
			}
			for name, b := range before {
				if !bytes.Equal(after[name], b) {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
}

var ticketIDRE = regexp.MustCompile(`CQ-\d{8}-\d{4,}`)

// TestFullDiskRefusedCleanly files tickets with the real binary on a small
// tmpfs until it is full. The refused filing exits 1 with one line saying
// the disk is full; integrity_check passes; every ticket acknowledged before
// (its id printed) is stored. Mounting needs root (CAP_SYS_ADMIN); without
// it the same guarantee is tested in-process with SQLite's max_page_count
// (intake.TestFullDiskKeepsTickets, sqlite.TestFullDiskIsClassifiedAndHarmless),
// which run everywhere; this test then only logs why it could not mount.
func TestFullDiskRefusedCleanly(t *testing.T) {
	bin := buildBinary(t)
	dir := sharedTempDir(t)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0777"); err != nil {
		t.Logf("cannot mount a tmpfs (%v); the full disk is covered by the max_page_count tests in intake and sqlite", err)
		return
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	db := filepath.Join(dir, "huiqi.db")
	if code, _, stderr := runBinary(t, bin, "", "report", "--db", db, "--enterprise", "某公司", "--contact", "王经理", "第一个问题"); code != 0 {
		t.Fatalf("first report: exit %d: %s", code, stderr)
	}
	// Leave a little room, then fill it.
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, max(free-96<<10, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	var acked []string
	var code int
	var stderr string
	desc := strings.Repeat("申请用电增容一直没有答复，", 40)
	for i := range 500 {
		var stdout string
		code, stdout, stderr = runBinary(t, bin, "", "report", "--db", db, "--enterprise", "某公司", "--contact", "王经理", desc+strconv.Itoa(i))
		if code != 0 {
			break
		}
		id := ticketIDRE.FindString(stdout)
		if id == "" {
			t.Fatalf("report printed no ticket id:\n%s", stdout)
		}
		acked = append(acked, id)
	}
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "full") {
		t.Fatalf("report on a full disk after %d tickets: exit %d, stderr %q; want 1 and one line saying full", len(acked), code, stderr)
	}
	ctx := context.Background()
	sdb, err := sqlite.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := sdb.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after a full disk: %v", err)
	}
	rows, err := sdb.QueryContext(ctx, `SELECT id FROM intake_tickets`)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, id)
	}
	rows.Close()
	for _, id := range acked {
		if !slices.Contains(stored, id) {
			t.Errorf("acknowledged ticket %s lost after a full disk", id)
		}
	}
	if len(stored) != len(acked)+1 {
		t.Errorf("%d tickets stored, want %d (the first and the %d acknowledged; the refused one leaves nothing)", len(stored), len(acked)+1, len(acked))
	}
	t.Logf("%d tickets filed before the disk was full: %s", len(acked), strings.TrimSpace(stderr))
}
