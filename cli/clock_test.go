package cli

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
)

// testClocks are the clocks every date-sensitive path is tried at: the real
// day the test runs, the end of a year whose deadlines roll into the next,
// a day before the 2027 Spring Festival, and a year past the reviewed
// holiday calendar.
func testClocks() []string {
	return []string{time.Now().In(zhtext.China()).Format(time.RFC3339), "2026-12-28T10:00:00+08:00",
		"2027-02-03T10:00:00+08:00", "2029-06-01T10:00:00+08:00"}
}

// TestDeadlinesAtClocks files a ticket at each clock: the close deadline
// skips the statutory holidays of the reviewed calendar (元旦 2027, the 2027
// Spring Festival with its make-up working days) and, past the reviewed
// years, is still given but marked estimated.
func TestDeadlinesAtClocks(t *testing.T) {
	cal, err := intake.BuiltinCalendar()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		due       string
		estimated bool
	}{
		"2026-12-28T10:00:00+08:00": {"2027-01-05", false},
		"2027-02-03T10:00:00+08:00": {"2027-02-17", false},
		"2029-06-01T10:00:00+08:00": {"2029-06-08", true}, // weekends only: lunar-go has no 2029
	}
	for _, clock := range testClocks() {
		t.Run(clock[:10], func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "h.db")
			env := map[string]string{"HUIQI_NOW": clock, "HUIQI_DB": db}
			code, out, stderr := runStdin(t, env, "", "report", "--json", "--enterprise", "某机械公司", "--contact", "13800000000", "招工难，想了解稳岗用工政策")
			if code != 0 {
				t.Fatalf("report at %s: exit %d, %s", clock, code, stderr)
			}
			m := decodeObject(t, out)
			w, ok := want[clock]
			if !ok { // the real day: whatever the calendar says, but a due date after today
				now, _ := time.Parse(time.RFC3339, clock)
				dl, err := intake.BuiltinDeadlines()
				if err != nil {
					t.Fatal(err)
				}
				d, est := cal.Deadline(now, dl.CloseDays)
				w.due, w.estimated = d.Format(time.DateOnly), est
			}
			if m["due"] != w.due || m["due_estimated"] != w.estimated {
				t.Errorf("report at %s: due %v (estimated %v), want %s (estimated %v)", clock, m["due"], m["due_estimated"], w.due, w.estimated)
			}
			code, out, _ = runStdin(t, env, "", "ticket", m["id"].(string))
			if code != 0 || !strings.Contains(out, "办结期限:"+w.due) || strings.Contains(out, intake.EstimatedMark) != w.estimated {
				t.Errorf("ticket at %s: exit %d, want the deadline %s marked estimated=%v:\n%s", clock, code, w.due, w.estimated, out)
			}
		})
	}
}

// TestPolicyFactsAtClocks: what the 2023 notice says about its own time
// does not change with the day huiqi runs: the 十八条 has expired, awards
// are estimated for the 2023 policy year, and a windowed clause's period
// has passed.
func TestPolicyFactsAtClocks(t *testing.T) {
	for _, clock := range testClocks() {
		t.Run(clock[:10], func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"HUIQI_NOW": clock}
			code, out, stderr := runStdin(t, env, "", "measure", "--json", "inv-01")
			if code != 0 || decodeObject(t, out)["expired"] != true {
				t.Errorf("measure inv-01 at %s: exit %d, %s%s; want expired", clock, code, out, stderr)
			}
			code, out, stderr = runStdin(t, env, `{"above_scale_industrial":true,"has_rd_institution":true}`, "award", "--json", "--profile", "-")
			if code != 0 || !strings.Contains(out, "2023政策年度") {
				t.Errorf("award at %s: exit %d, %s%s; want the 2023 policy year", clock, code, out, stderr)
			}
			code, out, stderr = runStdin(t, env, "", "ask", "小升规奖励多少钱")
			if code != 0 || !strings.Contains(out, "已过") {
				t.Errorf("ask at %s: exit %d, %s%s; want the period marked as passed", clock, code, out, stderr)
			}
		})
	}
}

// TestFixedClockWritesNoConsequences: under HUIQI_NOW the escalation sweep
// of serve and `ticket --escalate` do not escalate real tickets by a
// demonstration date unless --demo says so.
func TestFixedClockWritesNoConsequences(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	filed := map[string]string{"HUIQI_NOW": "2026-11-27T10:00:00+08:00", "HUIQI_DB": db}
	code, out, stderr := runStdin(t, filed, "", "report", "--json", "--enterprise", "某公司", "--contact", "13800000000", "招工难，想了解稳岗用工政策")
	if code != 0 {
		t.Fatalf("report: exit %d, %s", code, stderr)
	}
	id := decodeObject(t, out)["id"].(string)
	future := map[string]string{"HUIQI_NOW": "2029-06-01T10:00:00+08:00", "HUIQI_DB": db}
	escalated := func() bool {
		t.Helper()
		code, out, stderr := runStdin(t, future, "", "ticket", "--json", id)
		if code != 0 {
			t.Fatalf("ticket: exit %d, %s", code, stderr)
		}
		return decodeObject(t, out)["escalated"] == true
	}

	code, _, stderr = runStdin(t, future, "", "ticket", "--escalate")
	if code != 2 || !strings.Contains(stderr, "--demo") || escalated() {
		t.Errorf("ticket --escalate under HUIQI_NOW: exit %d, %q; want 2 naming --demo and nothing escalated", code, stderr)
	}

	serve := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		errw := &lineWriter{addr: make(chan string, 1)}
		done := make(chan int, 1)
		go func() {
			done <- Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, errw,
				func(k string) string { return future[k] })
		}()
		select {
		case base := <-errw.addr:
			resp, err := http.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, errw.buf.String())
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not start")
		}
		if len(args) > 0 { // --demo: the sweep runs at start; wait for it
			for deadline := time.Now().Add(20 * time.Second); !escalated() && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
		}
		cancel()
		<-done
		errw.mu.Lock()
		defer errw.mu.Unlock()
		return errw.buf.String()
	}
	if log := serve(); escalated() || !strings.Contains(log, "escalation sweep") {
		t.Errorf("serve under HUIQI_NOW escalated a real ticket or did not say why not:\n%s", log)
	}
	serve("--demo")
	if !escalated() {
		t.Error("serve --demo under HUIQI_NOW did not run the escalation sweep")
	}
	if code, _, stderr = runStdin(t, future, "", "ticket", "--escalate", "--demo"); code != 0 {
		t.Errorf("ticket --escalate --demo: exit %d, %s", code, stderr)
	}
}

// TestCalendarWarningAtStart: chat warns the operator when the coming
// weeks fall in a year the reviewed holiday calendar lacks, and not before.
func TestCalendarWarningAtStart(t *testing.T) {
	for _, tt := range []struct {
		clock string
		warn  bool
	}{
		{"2026-11-27T10:00:00+08:00", false},
		{"2027-12-10T10:00:00+08:00", true},
		{"2029-06-01T10:00:00+08:00", true},
	} {
		env := map[string]string{"HUIQI_NOW": tt.clock, "HUIQI_DB": filepath.Join(t.TempDir(), "w.db")}
		code, _, stderr := runStdin(t, env, "", "chat")
		if code != 0 || strings.Contains(stderr, "working-day calendar") != tt.warn {
			t.Errorf("chat at %s: exit %d, stderr %q; want the calendar warning: %v", tt.clock, code, stderr, tt.warn)
		}
	}
}
