package intake

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"huiqi/sqlite"
)

// The test binary re-executes itself as a child that files tickets: with
// childEnv set to a database path, TestMain runs childMain instead of the
// tests. The child prints each id only after File has committed it.
const (
	childEnv   = "HUIQI_INTAKE_CHILD_DB"
	childCount = "HUIQI_INTAKE_CHILD_COUNT" // -1: until killed
	childName  = "HUIQI_INTAKE_CHILD_NAME"
)

func childMain() int {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	st, err := OpenStore(ctx, db, Config{}, func() time.Time { return fixedNow })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv(childCount))
	name := os.Getenv(childName)
	for i := 0; n < 0 || i < n; i++ {
		rt := testRoute
		t, err := st.File(ctx, NewTicket{Text: fmt.Sprintf("%s 第%d张", name, i), Enterprise: name,
			Contact: "联系人", ReporterKey: "proc:" + name, Channel: "热线", Route: &rt})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// One write per line: the line is the acknowledgement.
		if _, err := os.Stdout.WriteString(t.ID + "\n"); err != nil {
			return 1
		}
	}
	return 0
}

type child struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	ids  []string
	done chan struct{}
}

func (c *child) acked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

func startChild(t *testing.T, dbPath, name string, count int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dbPath, childCount+"="+strconv.Itoa(count), childName+"="+name)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.mu.Lock()
			c.ids = append(c.ids, sc.Text())
			c.mu.Unlock()
		}
	}()
	return c
}

// prepare creates the schema once so children do not race on migrations
// of a brand-new file.
func prepare(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huiqi.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(context.Background(), db, Config{}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

func TestConcurrentFilingProcesses(t *testing.T) {
	path := prepare(t)
	const procs, each = 4, 15
	var children []*child
	for i := 0; i < procs; i++ {
		children = append(children, startChild(t, path, fmt.Sprintf("p%d", i), each))
	}
	seen := map[string]bool{}
	for _, c := range children {
		<-c.done
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
		for _, id := range c.acked() {
			if seen[id] {
				t.Errorf("duplicate id %s across processes", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != procs*each {
		t.Errorf("%d unique ids, want %d", len(seen), procs*each)
	}
	verifyDB(t, path, seen)
}

// TestSIGKILL kills one filing process mid-run while others file; every
// acknowledged ticket must be whole after reopening, none may be partial.
func TestSIGKILL(t *testing.T) {
	path := prepare(t)
	victim := startChild(t, path, "victim", -1)
	var others []*child
	for i := 0; i < 3; i++ {
		others = append(others, startChild(t, path, fmt.Sprintf("o%d", i), 20))
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(victim.acked()) < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(victim.acked()) < 10 {
		t.Fatalf("victim acknowledged only %d tickets in time", len(victim.acked()))
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	err := victim.cmd.Wait()
	if ws, ok := victim.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("victim ended with %v, want killed by SIGKILL", err)
	}
	acked := map[string]bool{}
	for _, id := range victim.acked() {
		acked[id] = true
	}
	for _, c := range others {
		<-c.done
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("other child: %v", err)
		}
		for _, id := range c.acked() {
			acked[id] = true
		}
	}
	t.Logf("victim acknowledged %d before SIGKILL; %d acknowledged in all", len(victim.acked()), len(acked))
	verifyDB(t, path, acked)
}

// verifyDB reopens the database: integrity ok, every acknowledged id whole
// with its filing event, no ticket without its first event.
func verifyDB(t *testing.T, path string, acked map[string]bool) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	st := mustStore(t, onSQLite(db), func() time.Time { return fixedNow })
	for id := range acked {
		tk, err := st.Get(ctx, id)
		if err != nil {
			t.Errorf("acknowledged %s: %v", id, err)
			continue
		}
		if tk.Text == "" || tk.Enterprise == "" || tk.LeadUnit != "区人社局" || tk.Due.String() != "2026-12-04" || tk.Channel != "热线" ||
			len(tk.Events) != 1 || tk.Events[0].Kind != KindFile || tk.Events[0].Status != StatusReceived {
			t.Errorf("acknowledged %s is not whole: %+v", id, tk)
		}
	}
	var partial, orphan, total int
	db.QueryRow(`SELECT COUNT(*) FROM intake_tickets t WHERE NOT EXISTS
		(SELECT 1 FROM intake_events e WHERE e.ticket_id = t.id AND e.n = 1 AND e.kind = 'file')`).Scan(&partial)
	db.QueryRow(`SELECT COUNT(*) FROM intake_events e WHERE NOT EXISTS
		(SELECT 1 FROM intake_tickets t WHERE t.id = e.ticket_id)`).Scan(&orphan)
	db.QueryRow(`SELECT COUNT(*) FROM intake_tickets`).Scan(&total)
	if partial != 0 || orphan != 0 {
		t.Errorf("%d tickets without their filing event, %d events without a ticket; want 0", partial, orphan)
	}
	if total < len(acked) {
		t.Errorf("%d tickets stored, fewer than the %d acknowledged", total, len(acked))
	}
	// What the store derives from the tickets was written in the same
	// transactions: a killed process leaves none of it half done.
	checkDerived(t, st)
}

// BenchmarkFileTicket files tickets durably (WAL, synchronous=FULL, one
// transaction each) on a file database.
func BenchmarkFileTicket(b *testing.B) {
	db := mustOpenDB(b)
	var sync string
	db.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if sync != "2" {
		b.Fatalf("PRAGMA synchronous = %s, want 2 (FULL)", sync)
	}
	st := mustStore(b, db, func() time.Time { return fixedNow })
	ctx := context.Background()
	rt := testRoute
	nt := NewTicket{Text: "企业招不到技术工人", Enterprise: "某某公司", Contact: "王经理", Route: &rt}
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := st.File(ctx, nt); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "tickets/s")
}
