package notify

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
	"huiqi/sqlite"
)

var ticketNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

// clock is the tests' operational clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openStore(t *testing.T, path string) *intake.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := intake.OpenStore(context.Background(), db, intake.Config{}, func() time.Time { return ticketNow })
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// fileAndDispatch files a ticket from reporter and dispatches it: one
// notification for the reporter.
func fileAndDispatch(t *testing.T, st *intake.Store, reporter string) intake.Ticket {
	t.Helper()
	ctx := context.Background()
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}, Mode: intake.ModeByKind}
	tk, err := st.File(ctx, intake.NewTicket{Text: "招不到技术工人", ReporterKey: reporter, Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	return tk
}

// fakeSender records what it was asked to send; fail makes the next
// attempts fail with the given errors.
type fakeSender struct {
	channel string
	mu      sync.Mutex
	sent    []intake.Notification
	fail    []error
	// arrived holds ids that "arrived" (for Delivered), whether or not the
	// dispatcher heard so.
	arrived map[int64]bool
	checked int
}

func newSender(ch string) *fakeSender { return &fakeSender{channel: ch, arrived: map[int64]bool{}} }

func (f *fakeSender) Channel() string { return f.channel }

func (f *fakeSender) Send(ctx context.Context, n intake.Notification) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return "", err
	}
	f.sent = append(f.sent, n)
	f.arrived[n.ID] = true
	return fmt.Sprintf("msg-%d", n.ID), nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

// checkingSender is a fakeSender that can look at what arrived.
type checkingSender struct{ *fakeSender }

func (c checkingSender) Delivered(ctx context.Context, n intake.Notification) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked++
	if c.arrived[n.ID] {
		return fmt.Sprintf("msg-%d", n.ID), true, nil
	}
	return "", false, nil
}

func states(t *testing.T, st *intake.Store, id string) string {
	t.Helper()
	ns, err := st.Notifications(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s:%s/%d", n.Kind, n.State, n.Attempts))
	}
	return strings.Join(out, ",")
}

func TestDeliversOnceAndRecords(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
	tk := fileAndDispatch(t, st, "discord:42")
	web := fileAndDispatch(t, st, "web:conversation-0123456789")
	s := newSender("discord")
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d, err := New(st, Config{Now: c.Now}, s)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s.count() != 1 || s.sent[0].TicketID != tk.ID || s.sent[0].Address != "42" || s.sent[0].Kind != intake.NotifyDispatched {
		t.Fatalf("sent %+v, want the one Discord notification once", s.sent)
	}
	if got := states(t, st, tk.ID); got != "dispatched:sent/1" {
		t.Errorf("states = %s", got)
	}
	if got := states(t, st, web.ID); got != "dispatched:pending/0" {
		t.Errorf("web row = %s, want untouched by the Discord sender", got)
	}
}

func TestRetriesWithBackoffThenGivesUp(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
	tk := fileAndDispatch(t, st, "discord:42")
	s := newSender("discord")
	s.fail = []error{errors.New("502"), errors.New("503")}
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d, _ := New(st, Config{Now: c.Now}, s)
	drain := func() Result {
		r, err := d.Drain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	steps := []struct {
		after time.Duration
		want  Result
		state string
	}{
		{0, Result{Failed: 1}, "dispatched:pending/1"},
		{29 * time.Second, Result{}, "dispatched:pending/1"}, // 30 s after the first failure
		{time.Second, Result{Failed: 1}, "dispatched:pending/2"},
		{59 * time.Second, Result{}, "dispatched:pending/2"}, // then 60 s
		{time.Second, Result{Sent: 1}, "dispatched:sent/3"},
		{time.Hour, Result{}, "dispatched:sent/3"},
	}
	for i, step := range steps {
		c.Add(step.after)
		if got := drain(); got != step.want {
			t.Errorf("step %d: %+v, want %+v", i, got, step.want)
		}
		if got := states(t, st, tk.ID); got != step.state {
			t.Errorf("step %d: %s, want %s", i, got, step.state)
		}
	}

	// Permanent failures and the attempt limit give up.
	tk2 := fileAndDispatch(t, st, "discord:43")
	s.fail = []error{Permanent(errors.New("cannot DM this user"))}
	if r := drain(); r.GivenUp != 1 {
		t.Errorf("permanent failure: %+v, want given up", r)
	}
	if got := states(t, st, tk2.ID); got != "dispatched:failed/1" {
		t.Errorf("after a permanent failure: %s", got)
	}
	tk3 := fileAndDispatch(t, st, "discord:44")
	d2, _ := New(st, Config{Now: c.Now, MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Second }}, s)
	s.fail = []error{errors.New("x"), errors.New("y"), errors.New("z")}
	for range 3 {
		c.Add(time.Second)
		d2.Drain(ctx)
	}
	if got := states(t, st, tk3.ID); got != "dispatched:failed/2" {
		t.Errorf("after MaxAttempts: %s, want failed after 2", got)
	}
}

// recordLost is an outbox whose process "dies" after sending: the sent
// record never reaches the database.
type recordLost struct{ Outbox }

func (recordLost) MarkNotificationSent(context.Context, int64, string, string, time.Time) error {
	return errors.New("killed")
}

// TestCrashBetweenSendAndRecord: the notification arrived but the record
// did not; after the lease the next claimer finds it Uncertain, asks the
// channel, and does not send it again. A sender that cannot check sends it
// again (at least once).
func TestCrashBetweenSendAndRecord(t *testing.T) {
	ctx := context.Background()
	for _, checks := range []bool{true, false} {
		t.Run(fmt.Sprintf("checker=%v", checks), func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
			tk := fileAndDispatch(t, st, "discord:42")
			s := newSender("discord")
			var sender Sender = s
			if checks {
				sender = checkingSender{s}
			}
			c := &clock{t: time.Unix(1_800_000_000, 0)}
			dying, _ := New(recordLost{st}, Config{Now: c.Now, Owner: "dying", Lease: time.Minute}, sender)
			dying.Drain(ctx)
			if s.count() != 1 {
				t.Fatalf("first process sent %d", s.count())
			}
			next, _ := New(st, Config{Now: c.Now, Owner: "next", Lease: time.Minute}, sender)
			if r, _ := next.Drain(ctx); r != (Result{}) {
				t.Errorf("within the dead process's lease: %+v, want nothing", r)
			}
			c.Add(61 * time.Second)
			r, err := next.Drain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if checks {
				if r != (Result{Confirmed: 1}) || s.count() != 1 || s.checked != 1 {
					t.Errorf("after the lease: %+v, sent %d, checked %d; want confirmed without sending again", r, s.count(), s.checked)
				}
			} else if r != (Result{Sent: 1}) || s.count() != 2 {
				t.Errorf("without a checker: %+v, sent %d; want sent again (at least once)", r, s.count())
			}
			if got := states(t, st, tk.ID); got != "dispatched:sent/2" {
				t.Errorf("states = %s", got)
			}
		})
	}
}

// TestTwoProcessesDeliverEachOnce: two dispatchers, each with its own
// database handle on one file, drain at once; every notification is sent
// exactly once.
func TestTwoProcessesDeliverEachOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	st1, st2 := openStore(t, path), openStore(t, path)
	const n = 30
	for i := range n {
		fileAndDispatch(t, st1, fmt.Sprintf("discord:%d", 1000+i))
	}
	s := newSender("discord")
	var wg sync.WaitGroup
	for i, st := range []*intake.Store{st1, st2} {
		d, _ := New(st, Config{Owner: fmt.Sprintf("p%d", i), Batch: 2}, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Drain(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for _, x := range s.sent {
		seen[x.ID]++
	}
	if len(s.sent) != n || len(seen) != n {
		t.Errorf("sent %d (%d distinct), want %d each once", len(s.sent), len(seen), n)
	}
}

// TestOrderKeptPerAddress: while the first notification to an address
// waits for a retry, the later ones to it wait too; other addresses go on.
func TestOrderKeptPerAddress(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
	tk := fileAndDispatch(t, st, "discord:42")
	if _, err := st.Move(ctx, tk.ID, intake.StatusSigned, "区人社局", ""); err != nil {
		t.Fatal(err)
	}
	other := fileAndDispatch(t, st, "discord:43")
	s := newSender("discord")
	s.fail = []error{errors.New("down")}
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d, _ := New(st, Config{Now: c.Now}, s)
	d.Drain(ctx)
	if got := states(t, st, tk.ID); got != "dispatched:pending/1,signed:pending/0" {
		t.Errorf("42's rows = %s, want the second held back untried", got)
	}
	if s.count() != 1 || s.sent[0].TicketID != other.ID {
		t.Errorf("sent %+v, want only 43's", s.sent)
	}
	c.Add(30 * time.Second)
	d.Drain(ctx)
	if s.count() != 3 || s.sent[1].Kind != intake.NotifyDispatched || s.sent[2].Kind != intake.NotifySigned {
		t.Errorf("after the retry: %+v, want 派单 then 签收", s.sent)
	}
}

// TestUnavailableAndUnknownOutcomes: a channel that cannot send keeps the
// notification waiting without an attempt; one whose answer was lost
// retries it as Uncertain, checked before it is sent again.
func TestUnavailableAndUnknownOutcomes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
	tk := fileAndDispatch(t, st, "discord:42")
	s := newSender("discord")
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d, _ := New(st, Config{Now: c.Now, Every: time.Second}, checkingSender{s})
	s.fail = []error{Unavailable(errors.New("not connected"))}
	if r, _ := d.Drain(ctx); r != (Result{}) {
		t.Errorf("unavailable: %+v, want nothing done", r)
	}
	if got := states(t, st, tk.ID); got != "dispatched:pending/0" {
		t.Errorf("after unavailable: %s, want pending with no attempt", got)
	}
	c.Add(time.Second)
	s.fail = []error{MaybeSent(errors.New("read: connection reset"))}
	if r, _ := d.Drain(ctx); r.Failed != 1 {
		t.Errorf("lost answer: %+v", r)
	}
	c.Add(30 * time.Second)
	if r, _ := d.Drain(ctx); r.Sent != 1 || s.checked != 1 {
		t.Errorf("retry after a lost answer: %+v, checked %d; want checked, then sent", r, s.checked)
	}
	if got := states(t, st, tk.ID); got != "dispatched:sent/2" {
		t.Errorf("states = %s", got)
	}
}

func TestNewRefusesTwoSendersForOneChannel(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "h.db"))
	if _, err := New(st, Config{}, newSender("discord"), newSender("discord")); err == nil {
		t.Error("two senders for discord accepted")
	}
}

// BenchmarkDrain measures the outbox's own cost per notification: the
// claim, the record and their transactions (the sender does nothing).
func BenchmarkDrain(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "h.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st, err := intake.OpenStore(ctx, db, intake.Config{}, func() time.Time { return ticketNow })
	if err != nil {
		b.Fatal(err)
	}
	const per = 200
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}, Mode: intake.ModeByKind}
	s := newSender("discord")
	d, _ := New(st, Config{Batch: 50}, s)
	sent := 0
	start := time.Now()
	var setup time.Duration
	for b.Loop() {
		b.StopTimer()
		t0 := time.Now()
		for i := range per {
			tk, err := st.File(ctx, intake.NewTicket{Text: "招工难", ReporterKey: fmt.Sprintf("discord:%d", i), Route: &rt})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
				b.Fatal(err)
			}
		}
		setup += time.Since(t0)
		b.StartTimer()
		r, err := d.Drain(ctx)
		if err != nil || r.Sent != per {
			b.Fatalf("drain = %+v, %v", r, err)
		}
		sent += r.Sent
	}
	b.ReportMetric(float64(sent)/(time.Since(start)-setup).Seconds(), "notifications/s")
}
