//go:build linux

package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"huiqi/sqlite"
)

// server is a huiqi serve process of the real binary.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *strings.Builder
	mu   *sync.Mutex
}

// startServe starts `huiqi serve` on db and waits until it listens.
func startServe(t *testing.T, bin, db string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--rate", "-1", "--daily-tickets", "-1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "HUIQI_NOW=2026-11-27T10:00:00+08:00", binCache(bin)}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: &strings.Builder{}, mu: &sync.Mutex{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case s.base = <-addr:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not start: %s", s.logs.String())
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return s
}

// file posts a public filing and returns the id, or "" when it was not
// acknowledged (201).
func (s *server) file(text string) (string, error) {
	body := fmt.Sprintf(`{"text":%q,"enterprise":"某公司","contact":"王经理"}`, text)
	resp, err := http.Post(s.base+"/api/tickets", "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("status %d: %v", resp.StatusCode, m)
	}
	id, _ := m["id"].(string)
	return id, nil
}

// storedIDs are the ids of the tickets in the database at path.
func storedIDs(t *testing.T, path string) []string {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM intake_tickets ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// TestRestoreAfterKilledServe: back up a running server's database, file
// more, SIGKILL the server while it writes, then huiqi restore: the result
// passes integrity_check and holds exactly the backup's tickets; the
// replaced file, kept with its log, holds every ticket acknowledged after
// the backup; a server started on the restored file files new tickets
// under ids none of those had; a restore while a server runs is refused.
func TestRestoreAfterKilledServe(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	db, backup := filepath.Join(dir, "huiqi.db"), filepath.Join(dir, "backup.db")
	srv := startServe(t, bin, db)
	var before []string
	for i := range 20 {
		id, err := srv.file(fmt.Sprintf("备份前的问题%d", i))
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, id)
	}
	if code, _, stderr := execHuiqi(t, nil, "", "backup", "--db", db, backup); code != 0 {
		t.Fatalf("backup while serving: exit %d, %s", code, stderr)
	}
	// File on until killed.
	var mu sync.Mutex
	var after []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id, err := srv.file(fmt.Sprintf("备份后的问题%d", i))
			if err != nil {
				return // the server is gone
			}
			mu.Lock()
			after = append(after, id)
			mu.Unlock()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(after)
		mu.Unlock()
		if n >= 40 || time.Now().After(deadline) {
			break
		}
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(stop)
	<-done
	if len(after) < 10 {
		t.Fatalf("only %d tickets acknowledged after the backup", len(after))
	}
	if fi, err := os.Stat(db + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the killed server left no log (%v): the test would prove nothing", err)
	}

	// While another server holds the database, restore refuses.
	busy := filepath.Join(dir, "busy.db")
	busySrv := startServe(t, bin, busy)
	code, out, stderr := execHuiqi(t, nil, "", "restore", "--db", busy, backup)
	oneLine(t, "restore while serving", code, out, stderr, 1, "in use")
	busySrv.cmd.Process.Kill()
	busySrv.cmd.Wait()

	code, out, stderr = execHuiqi(t, nil, "", "restore", "--db", db, backup)
	if code != 0 || !strings.Contains(out, db+"-before-restore") {
		t.Fatalf("restore: exit %d, %s %s", code, out, stderr)
	}
	got := storedIDs(t, db)
	slices.Sort(before)
	if !slices.Equal(got, before) {
		t.Errorf("the restored database holds %d tickets %q, want exactly the backup's %d", len(got), got, len(before))
	}
	kept := storedIDs(t, db+"-before-restore")
	for _, id := range append(slices.Clone(before), after...) {
		if !slices.Contains(kept, id) {
			t.Errorf("acknowledged %s is not in the kept file", id)
		}
	}

	// A server on the restored file files under new ids.
	srv2 := startServe(t, bin, db)
	newID, err := srv2.file("恢复之后的问题")
	if err != nil {
		t.Fatalf("filing after the restore: %v", err)
	}
	if !regexp.MustCompile(`^CQ-20261127-\d{8}$`).MatchString(newID) || slices.Contains(kept, newID) {
		t.Errorf("the ticket filed after the restore is %s: want a new id, not one of the %d issued before", newID, len(kept))
	}
	resp, err := http.Get(srv2.base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz after the restore: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestReadOnlyTicketCommands: ticket ID, --queue and --stats read a
// database huiqi may not write (a read-only file in a read-only
// directory), and change nothing in it.
func TestReadOnlyTicketCommands(t *testing.T) {
	bin := buildBinary(t)
	dir := sharedTempDir(t)
	db := filepath.Join(dir, "huiqi.db")
	id := fileTicket(t, withDB(db), "申请用电增容一直没有答复")
	if os.Geteuid() == 0 {
		for _, p := range []string{dir, db} {
			if err := os.Chown(p, nobody, nobody); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.Chmod(db, 0o600) })
	before := snapshot(t, dir)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ticket", "--db", db, id}, id},
		{[]string{"ticket", "--db", db, "--json", id}, `"status":"已受理"`},
		{[]string{"ticket", "--db", db, "--queue", "all"}, id},
		{[]string{"ticket", "--db", db, "--stats", "--json"}, `"total":1`},
	} {
		code, out, stderr := runBinary(t, bin, "", tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("huiqi %q on a read-only database: exit %d, %q %q; want %q", tt.args, code, out, stderr, tt.want)
		}
	}
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Errorf("files after = %d, before = %d", len(after), len(before))
	}
	for name, b := range before {
		if string(after[name]) != string(b) {
			t.Errorf("%s changed", name)
		}
	}
}

// TestDamagedDatabaseRefusedAtStart: a database with a damaged page that
// the commands at hand do not read: serve checks the whole file before it
// starts and refuses (exit 1, what to do), marking it damaged, so that a
// report afterwards is refused too instead of acknowledged; huiqi restore
// from a backup clears it.
func TestDamagedDatabaseRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	db, backup := filepath.Join(dir, "huiqi.db"), filepath.Join(dir, "backup.db")
	env := withDB(db)
	fileTicket(t, env, "备份前的问题")
	if code, _, stderr := runStdin(t, env, "", "backup", backup); code != 0 {
		t.Fatalf("backup: %d %s", code, stderr)
	}
	// The unanswered questions' table: report never reads it.
	damagePageOf(t, db, "intake_unanswered")
	code, out, stderr := execHuiqi(t, map[string]string{"HUIQI_DB": db, "HUIQI_NOW": "2026-11-27T10:00:00+08:00"}, "", "serve", "--demo", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "malformed") || !strings.Contains(stderr, "huiqi restore") || strings.Contains(stderr, "listening") {
		t.Errorf("serve on a damaged database: exit %d, %q %q; want it refused at start with the restore hint", code, out, stderr)
	}
	code, out, stderr = runStdin(t, env, "", "report", "又一个问题")
	oneLine(t, "report after serve found the damage", code, out, stderr, 1, "damaged")
	if code, out, stderr := runStdin(t, env, "", "restore", backup); code != 0 {
		t.Fatalf("restore: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runStdin(t, env, "", "report", "恢复之后的问题"); code != 0 {
		t.Errorf("report after the restore: exit %d, %s", code, stderr)
	}
}

// damagePageOf overwrites the header of the root page of table with junk
// (after moving everything from the log into the file).
func damagePageOf(t *testing.T, path, table string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int
	if err := db.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = ?`, table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize)
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, int64(root-1)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
}
