package bot

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestEngineRateLimit(t *testing.T) {
	clock := &fakeClock{t: testNow}
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: newFakeTickets(),
		DB: openTestDB(t, ""), Now: func() time.Time { return testNow },
		RateLimit: 5, RateWindow: 10 * time.Second, RateClock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(user string) string {
		t.Helper()
		rs, err := e.Handle(ctx, Key{Channel: "discord", User: user}, Input{Text: "帮助"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			return ""
		}
		if rs[0].Text == msgRateLimited && !rs[0].Private {
			t.Error("the rate-limit reply is not private")
		}
		return rs[0].Text
	}
	for i := range 5 {
		if got := send("a"); got == msgRateLimited {
			t.Fatalf("message %d of the burst was limited", i+1)
		}
	}
	if got := send("a"); got != msgRateLimited {
		t.Fatalf("6th message in the window = %q, want the rate-limit message", got)
	}

	// Another user is not affected by a's flood.
	if got := send("b"); got == msgRateLimited {
		t.Fatal("user b was limited by user a's messages")
	}
	// The bucket refills at 5 per 10 s: one message every 2 s.
	clock.add(2 * time.Second)
	if got := send("a"); got == msgRateLimited {
		t.Fatal("a was still limited after the bucket refilled one token")
	}
	if got := send("a"); got != msgRateLimited {
		t.Fatal("a was not limited again after spending the refilled token")
	}
	// The same user on another channel is another key.
	rs, err := e.Handle(ctx, Key{Channel: "web", User: "a"}, Input{Text: "帮助"})
	if err != nil || rs[0].Text == msgRateLimited {
		t.Fatalf("web:a limited by discord:a: %v %q", err, rs[0].Text)
	}
}

func TestEngineRateLimitOff(t *testing.T) {
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: newFakeTickets(),
		DB: openTestDB(t, ""), Now: func() time.Time { return testNow }, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		rs, err := e.Handle(context.Background(), Key{Channel: "web", User: "x"}, Input{Text: "帮助"})
		if err != nil || len(rs) == 0 || rs[0].Text == msgRateLimited {
			t.Fatalf("message %d: %v %v with the limit off", i, err, rs)
		}
	}
}

// TestEngineRateLimitCountsButtons checks that pressing buttons is
// counted like typing: an action id is only text a client sends.
func TestEngineRateLimitCountsButtons(t *testing.T) {
	clock := &fakeClock{t: testNow}
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: newFakeTickets(),
		DB: openTestDB(t, ""), Now: func() time.Time { return testNow },
		RateLimit: 3, ActionLimit: 3, RateWindow: 10 * time.Second, RateClock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	key := Key{Channel: "discord", User: "clicker"}
	limited := 0
	for range 10 {
		rs, err := e.Handle(context.Background(), key, Input{Action: actHelp})
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Text == msgRateLimited {
			limited++
		}
	}
	if limited != 7 {
		t.Errorf("10 presses with a burst of 3: %d limited, want 7", limited)
	}
}

// TestTicketBudgetPerSource files tickets from one source through ever new
// conversation ids: the budget is the source's, not the conversation's, and
// the refused report is kept for later.
func TestTicketBudgetPerSource(t *testing.T) {
	clock := &fakeClock{t: testNow}
	tk := newFakeTickets()
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: tk,
		DB: openTestDB(t, ""), Now: func() time.Time { return testNow }, RateLimit: -1,
		TicketLimit: 2, TicketWindow: time.Hour, RateClock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	file := func(conv, source string) string {
		t.Helper()
		c := &chat{tb: t, e: e, key: Key{Channel: "web", User: conv}}
		send := func(text string) string { return c.send(Input{Text: text, Source: source}) }
		send("反映问题")
		send("贷款延期一直办不下来")
		send("测试机械有限公司")
		send("13800000000")
		return send("确认提交")
	}
	for i := range 2 {
		mustContain(t, file(fmt.Sprintf("conv-%d", i), "192.0.2.7"), "已提交")
	}
	got := file("conv-new", "192.0.2.7")
	mustContain(t, got, "提交得太频繁了", "请确认", "贷款延期一直办不下来")
	mustContain(t, file("conv-other", "198.51.100.1"), "已提交") // another source is not affected
	clock.add(31 * time.Minute)                               // one ticket refilled (2 per hour)
	c := &chat{tb: t, e: e, key: Key{Channel: "web", User: "conv-new"}}
	mustContain(t, c.send(Input{Text: "确认提交", Source: "192.0.2.7"}), "已提交")
	if len(tk.byID) != 4 {
		t.Errorf("%d tickets filed, want 4", len(tk.byID))
	}
}
