package bot

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
)

// storeEngine is an engine over a real ticket store (for the outbox).
func storeEngine(t *testing.T) (*Engine, *intake.Store) {
	t.Helper()
	db := openTestDB(t, "")
	st, err := intake.OpenStore(context.Background(), db, intake.Config{}, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: st, DB: db, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return e, st
}

func TestNotifyCommands(t *testing.T) {
	ctx := context.Background()
	e, st := storeEngine(t)
	key := Key{Channel: "web", User: "conversation-0123456789"}
	tests := []struct {
		in   string
		want string
		on   bool
	}{
		{"/notify", "已开启", true},
		{"/notify off", "已关闭工单进度通知", false},
		{"开启通知", "已开启工单进度通知", true},
		{"关闭通知。", "已关闭工单进度通知", false},
		{"/notify", "已关闭", false},
		{"/notify on", "已开启工单进度通知", true},
	}
	for _, tt := range tests {
		rs, err := e.Handle(ctx, key, Input{Text: tt.in})
		if err != nil || len(rs) != 1 || !strings.Contains(rs[0].Text, tt.want) || !rs[0].Private {
			t.Errorf("%q → %+v, %v; want a private reply with %q", tt.in, rs, err, tt.want)
		}
		if on, _ := st.NotifyOn(ctx, key.String()); on != tt.on {
			t.Errorf("after %q notifications on = %v, want %v", tt.in, on, tt.on)
		}
	}
}

// TestTerminalShowsNotificationsAtStart: what happened while the terminal
// chat was closed is shown when it opens, once.
func TestTerminalShowsNotificationsAtStart(t *testing.T) {
	ctx := context.Background()
	e, st := storeEngine(t)
	key := Key{Channel: "terminal", User: "alice"}
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}}
	tk, err := st.File(ctx, intake.NewTicket{Text: "招不到技术工人", ReporterKey: key.String(), Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RunTerminal(ctx, e, strings.NewReader("退出\n"), &out, key); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "您有1条工单进度通知") || !strings.Contains(s, tk.ID) || !strings.Contains(s, "已派给区人社局办理") {
		t.Errorf("first start:\n%s\nwant the 派单 notification", s)
	}
	out.Reset()
	if err := RunTerminal(ctx, e, strings.NewReader("退出\n"), &out, key); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "工单进度通知") {
		t.Errorf("second start shows it again:\n%s", out.String())
	}
}

// TestAskLengthCountsTheQuestion: a question of exactly MaxInput
// characters through /ask is accepted; the command word does not count.
func TestAskLengthCountsTheQuestion(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	key := Key{Channel: "discord", User: "1"}
	q := strings.Repeat("担", 2000)
	rs, _ := e.Handle(context.Background(), key, Input{Text: "/ask " + q})
	if len(rs) > 0 && strings.Contains(rs[0].Text, "内容太长了") {
		t.Errorf("/ask with 2000 characters refused: %s", rs[0].Text)
	}
	rs, _ = e.Handle(context.Background(), key, Input{Text: "/ask " + q + "担"})
	if len(rs) == 0 || !strings.Contains(rs[0].Text, "内容太长了（2001字）") {
		t.Errorf("/ask with 2001 characters = %+v, want refused as 2001", rs)
	}
}
