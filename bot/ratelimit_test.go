package bot

import (
	"context"
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

// TestEngineRateLimitSparesButtons checks that pressing the buttons the
// bot offered is not limited: a quick run through a dialog is many presses.
func TestEngineRateLimitSparesButtons(t *testing.T) {
	clock := &fakeClock{t: testNow}
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: newFakeTickets(),
		DB: openTestDB(t, ""), Now: func() time.Time { return testNow },
		RateLimit: 2, RateWindow: 10 * time.Second, RateClock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	key := Key{Channel: "discord", User: "clicker"}
	for i := range 10 {
		rs, err := e.Handle(context.Background(), key, Input{Action: ActionStart})
		if err != nil || rs[0].Text == msgRateLimited {
			t.Fatalf("press %d: %v %q, want no limit on actions", i+1, err, rs[0].Text)
		}
	}
}
