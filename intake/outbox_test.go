package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// outboxTicket files a ticket reported from Discord user 42 and gives the
// desk and 区人社局 a Discord target each.
func outboxTicket(t *testing.T, st *Store) Ticket {
	t.Helper()
	ctx := context.Background()
	if err := st.SetUnitTargets(ctx, "discord", map[string][]string{
		st.Config().Rules.Desk: {"channel:desk"}, "区人社局": {"channel:rsj", "user:7"},
	}); err != nil {
		t.Fatal(err)
	}
	rt := testRoute
	tk, err := st.File(ctx, NewTicket{Text: "企业招不到技术工人", ReporterKey: "discord:42", Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// row is what a test compares of a notification.
func row(n Notification) string {
	s := n.Kind + " " + n.Audience + " " + n.Channel + ":" + n.Address + " " + string(n.Status)
	if n.Due.IsZero() {
		return s
	}
	return s + " " + n.Due.String()
}

func TestNotificationsOfTheWorkflow(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := outboxTicket(t, st)
	steps := []struct {
		move func() error
		want []string // the rows the move adds
	}{
		{func() error { return nil }, []string{"filed unit discord:channel:desk 已受理 2026-11-30"}},
		{func() error { _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); return err }, []string{
			"dispatched reporter discord:42 已派单 2026-12-04",
			"dispatched unit discord:channel:rsj 已派单 2026-11-30", "dispatched unit discord:user:7 已派单 2026-11-30"}},
		{func() error { _, err := st.Move(ctx, tk.ID, StatusSigned, "区人社局", ""); return err }, []string{
			"signed reporter discord:42 已签收 2026-12-04"}},
		{func() error { _, err := st.Extend(ctx, tk.ID, 3, "区人社局", "需要现场核实"); return err }, []string{
			"extended reporter discord:42 已签收 2026-12-09"}},
		{func() error { _, err := st.Move(ctx, tk.ID, StatusHandling, "区人社局", ""); return err }, nil},
		{func() error {
			_, err := st.Move(ctx, tk.ID, StatusClosed, "区人社局", "已推荐三名技工")
			return err
		}, []string{
			"closed reporter discord:42 已办结 2026-12-09"}},
		{func() error {
			_, err := st.Move(ctx, tk.ID, StatusVisited, "坐席", "不满意 还是缺人")
			return err
		}, []string{
			"reopened unit discord:channel:rsj 办理中 2026-12-04", "reopened unit discord:user:7 办理中 2026-12-04"}},
	}
	seen := 0
	for i, s := range steps {
		if err := s.move(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		all, err := st.Notifications(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range all[seen:] {
			got = append(got, row(n))
		}
		seen = len(all)
		if strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Errorf("step %d added\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(s.want, "\n"))
		}
	}
	all, _ := st.Notifications(ctx, tk.ID)
	var closed Notification
	for _, n := range all {
		if n.Kind == NotifyClosed {
			closed = n
		}
	}
	if text := closed.Text(); !strings.Contains(text, "已办结") || !strings.Contains(text, "答复：已推荐三名技工") || !strings.Contains(text, tk.ID) {
		t.Errorf("closed text = %q, want the status, the reply and the id", text)
	}
	for _, n := range all {
		if n.Audience == AudienceReporter && strings.Contains(n.Text(), "现场核实") {
			t.Errorf("%s tells the reporter the internal extension reason: %q", n.Kind, n.Text())
		}
	}
}

func TestNotificationsOfEscalationAndReroute(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	st := mustStore(t, mustOpenDB(t), c.Now)
	tk := outboxTicket(t, st)
	rules := st.Config().Rules
	if err := st.SetUnitTargets(ctx, "discord", map[string][]string{rules.EscalateTo: {"channel:gxj"}, "区财政局": {"channel:czj"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reroute(ctx, tk.ID, Route{LeadUnit: "区财政局"}, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	c.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, fixedNow.Location()))
	if _, err := st.EscalateOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Notifications(ctx, tk.ID)
	var got []string
	for _, n := range all {
		got = append(got, row(n))
	}
	want := []string{
		"filed unit discord:channel:desk 已受理 2026-11-30",
		"dispatched reporter discord:42 已派单 2026-12-04",
		"dispatched unit discord:channel:czj 已派单 2026-11-30",
		"escalated reporter discord:42 已派单 2026-12-04",
		"escalated unit discord:channel:gxj 已派单 2026-12-04",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range all {
		if n.Kind == NotifyEscalated && n.Audience == AudienceReporter && !strings.Contains(n.Text(), rules.EscalateLabel) {
			t.Errorf("escalation text %q, want the escalation office %s", n.Text(), rules.EscalateLabel)
		}
	}
}

// TestNotificationInTheMoveTransaction: when the notification cannot be
// written, the move does not happen either.
func TestNotificationInTheMoveTransaction(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	st := mustStore(t, db, newClock().Now)
	tk := outboxTicket(t, st)
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER no_outbox BEFORE INSERT ON intake_outbox
		BEGIN SELECT RAISE(ABORT, 'outbox full'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); err == nil || !strings.Contains(err.Error(), "outbox full") {
		t.Fatalf("Move with a failing outbox = %v, want the outbox's error", err)
	}
	got, err := st.Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusReceived || len(got.Events) != 1 {
		t.Errorf("after the failed move: %s with %d events, want 已受理 with 1 (rolled back)", got.Status, len(got.Events))
	}
}

func TestClaimLeaseAndRecord(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := outboxTicket(t, st)
	if _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a, err := st.ClaimNotifications(ctx, "discord", "A", now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 4 || a[0].Kind != NotifyFiled || a[0].Attempts != 1 || a[0].Uncertain {
		t.Fatalf("A claimed %+v, want the 4 rows, first attempts", a)
	}
	if b, _ := st.ClaimNotifications(ctx, "discord", "B", now.Add(59*time.Second), time.Minute, 10); len(b) != 0 {
		t.Fatalf("B claimed %d rows held by A's lease", len(b))
	}
	if err := st.MarkNotificationSent(ctx, a[0].ID, "A", "m1", now); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotificationFailed(ctx, a[1].ID, "A", "503", now.Add(5*time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotificationFailed(ctx, a[2].ID, "A", "blocked", now, true); err != nil {
		t.Fatal(err)
	}
	// a[3]: A vanishes without a word. After the lease, B gets it, uncertain.
	b, err := st.ClaimNotifications(ctx, "discord", "B", now.Add(61*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 1 || b[0].ID != a[3].ID || !b[0].Uncertain || b[0].Attempts != 2 {
		t.Fatalf("B claimed %+v, want only the abandoned row, uncertain, attempt 2", b)
	}
	if err := st.MarkNotificationSent(ctx, a[3].ID, "A", "late", now); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("A records after losing the lease: %v, want ErrLeaseLost", err)
	}
	if err := st.MarkNotificationSent(ctx, b[0].ID, "B", "m4", now); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotificationSent(ctx, b[0].ID, "B", "m4", now); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("recording twice: %v, want ErrLeaseLost", err)
	}
	// The failed attempt comes back at its retry time, not before.
	if c, _ := st.ClaimNotifications(ctx, "discord", "C", now.Add(4*time.Minute), time.Minute, 10); len(c) != 0 {
		t.Errorf("claimed %d before the retry time", len(c))
	}
	c, _ := st.ClaimNotifications(ctx, "discord", "C", now.Add(5*time.Minute), time.Minute, 10)
	if len(c) != 1 || c[0].ID != a[1].ID || c[0].Uncertain || c[0].LastError != "503" {
		t.Errorf("at the retry time claimed %+v, want the failed row, certain, with its error", c)
	}
	all, _ := st.Notifications(ctx, tk.ID)
	states := map[int64]string{}
	for _, n := range all {
		states[n.ID] = n.State + "/" + n.Receipt
	}
	want := map[int64]string{a[0].ID: "sent/m1", a[1].ID: "pending/", a[2].ID: "failed/", a[3].ID: "sent/m4"}
	for id, w := range want {
		if states[id] != w {
			t.Errorf("row %d = %s, want %s", id, states[id], w)
		}
	}
}

func TestNotifyOffMutes(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := outboxTicket(t, st)
	if _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNotify(ctx, "discord:42", false); err != nil {
		t.Fatal(err)
	}
	if on, _ := st.NotifyOn(ctx, "discord:42"); on {
		t.Error("NotifyOn after off = true")
	}
	if _, err := st.Move(ctx, tk.ID, StatusSigned, "区人社局", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNotify(ctx, "discord:42", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Extend(ctx, tk.ID, 1, "区人社局", "核实"); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Notifications(ctx, tk.ID)
	var got []string
	for _, n := range all {
		if n.Audience == AudienceReporter {
			got = append(got, n.Kind+" "+n.State)
		}
	}
	if want := "dispatched muted,signed muted,extended pending"; strings.Join(got, ",") != want {
		t.Errorf("reporter rows = %s, want %s", strings.Join(got, ","), want)
	}
	for _, n := range all {
		if n.Audience == AudienceUnit && n.State != NotifyPending {
			t.Errorf("unit row %s muted by the reporter's choice", n.Kind)
		}
	}
	if err := st.SetNotify(ctx, "nonsense", false); !isInput(err) {
		t.Errorf("SetNotify(bad key) = %v, want invalid input", err)
	}
}

func TestPullChannelPendingAndAck(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	rt := testRoute
	tk, err := st.File(ctx, NewTicket{Text: "网上提交的问题", ReporterKey: "web:conversation-0123456789", Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []Status{StatusDispatched, StatusSigned} {
		if _, err := st.Move(ctx, tk.ID, to, "坐席", ""); err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.PendingNotifications(ctx, "web", "conversation-0123456789", 0, 10)
	if err != nil || len(p) != 2 {
		t.Fatalf("pending = %v, %v; want 2", p, err)
	}
	if other, _ := st.PendingNotifications(ctx, "web", "someone-else-0123456", 0, 10); len(other) != 0 {
		t.Errorf("another conversation sees %d", len(other))
	}
	if err := st.AckNotifications(ctx, "web", "conversation-0123456789", p[0].ID, fixedNow); err != nil {
		t.Fatal(err)
	}
	rest, _ := st.PendingNotifications(ctx, "web", "conversation-0123456789", 0, 10)
	if len(rest) != 1 || rest[0].ID != p[1].ID {
		t.Errorf("after acking the first: %v, want the second only", rest)
	}
}

func TestWarnDueSoonOncePerDeadline(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	st := mustStore(t, mustOpenDB(t), c.Now)
	tk := outboxTicket(t, st) // filed Fri 11-27: sign due Mon 11-30, close due Fri 12-04
	if _, err := st.Move(ctx, tk.ID, StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		all, _ := st.Notifications(ctx, tk.ID)
		for _, x := range all {
			if x.Kind == NotifyDueSoon {
				n++
			}
		}
		return n
	}
	// Friday 11-27, the day of filing: the sign deadline (Monday) is a
	// working day away, but the unit was just told of the new ticket.
	if n, err := st.WarnDueSoon(ctx); err != nil || n != 0 || count() != 0 {
		t.Fatalf("filing day: warned %d (%v), %d rows, want none", n, err, count())
	}
	// Monday 11-30, the sign deadline's own day, still not signed.
	c.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, fixedNow.Location()))
	for range 2 {
		if _, err := st.WarnDueSoon(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(); got != 2 { // 区人社局's two targets, once
		t.Fatalf("due-soon rows = %d, want 2 (one warning, two targets)", got)
	}
	if _, err := st.Move(ctx, tk.ID, StatusSigned, "区人社局", ""); err != nil {
		t.Fatal(err)
	}
	c.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, fixedNow.Location())) // Wed: close due Fri is 2 working days away
	if n, _ := st.WarnDueSoon(ctx); n != 0 {
		t.Errorf("warned %d on Wednesday, want 0", n)
	}
	c.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, fixedNow.Location()))
	if n, _ := st.WarnDueSoon(ctx); n != 1 || count() != 4 {
		t.Errorf("Thursday warned %d (rows %d), want 1 ticket (4 rows)", n, count())
	}
}

// TestClaimsOfTwoProcessesNeverOverlap: two stores on one file (as two
// processes) claim the same outbox at once; every row goes to exactly one.
func TestClaimsOfTwoProcessesNeverOverlap(t *testing.T) {
	ctx := context.Background()
	db1 := mustOpenDB(t)
	st1 := mustStore(t, db1, newClock().Now)
	st2 := mustStore(t, db1.again(t), newClock().Now)
	if err := st1.SetUnitTargets(ctx, "discord", map[string][]string{st1.Config().Rules.Desk: {"channel:desk"}}); err != nil {
		t.Fatal(err)
	}
	const tickets = 40
	for i := range tickets {
		rt := testRoute
		if _, err := st1.File(ctx, NewTicket{Text: fmt.Sprintf("问题%d", i), ReporterKey: "discord:1", Route: &rt}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for _, p := range []struct {
		name string
		st   *Store
	}{{"one", st1}, {"two", st2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ns, err := p.st.ClaimNotifications(ctx, "discord", p.name, now, time.Hour, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ns) == 0 {
					return
				}
				for _, n := range ns {
					mu.Lock()
					if prev, dup := claimed[n.ID]; dup {
						t.Errorf("row %d claimed by %s and %s", n.ID, prev, p.name)
					}
					claimed[n.ID] = p.name
					mu.Unlock()
					if err := p.st.MarkNotificationSent(ctx, n.ID, p.name, "", now); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(claimed) != tickets {
		t.Errorf("%d rows claimed, want %d", len(claimed), tickets)
	}
}
