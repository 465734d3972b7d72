package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/discord/discordtest"
)

// throttled is an HTTP client through the throttle to the fake Discord.
func throttled(t *testing.T, fake *discordtest.Server) (*http.Client, *throttle) {
	t.Helper()
	th := newThrottle(http.DefaultTransport, slog.New(slog.DiscardHandler))
	t.Cleanup(func() { th.shutdown(0) })
	return &http.Client{Transport: th, Timeout: 20 * time.Second}, th
}

func post(ctx context.Context, c *http.Client, fake *discordtest.Server, path, body string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", fake.URL+"/api/v9"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bot test")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestThrottleWaitsOut429s(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit discordtest.RateLimit
		// other is a request to another route made right after the 429:
		// it must wait too when the limit is global.
		otherWaits bool
	}{
		{"route", discordtest.RateLimit{RetryAfter: 0.4}, false},
		{"shared", discordtest.RateLimit{RetryAfter: 0.4, Scope: "shared"}, false},
		{"global", discordtest.RateLimit{RetryAfter: 0.4, Scope: "global"}, true},
		{"cloudflare", discordtest.RateLimit{RetryAfter: 1, Cloudflare: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			c, th := throttled(t, fake)
			l := tt.limit
			l.Method, l.Prefix = "POST", "/channels/1/messages"
			fake.RateLimit(l)
			ctx := context.Background()
			var wg sync.WaitGroup
			wg.Add(1)
			var status int
			var err error
			go func() {
				defer wg.Done()
				status, err = post(ctx, c, fake, "/channels/1/messages", `{"content":"a"}`)
			}()
			first := fake.Wait(wait, "the 429", func(c discordtest.Call) bool { return c.Status == 429 })
			learned(t, th) // the client has read the 429
			other, oerr := post(ctx, c, fake, "/channels/2/messages", `{"content":"b"}`)
			wg.Wait()
			if err != nil || status != 200 || oerr != nil || other != 200 {
				t.Fatalf("statuses %d (%v), %d (%v); want both 200 after the wait", status, err, other, oerr)
			}
			if v := fake.Violations(); len(v) != 0 {
				t.Errorf("requests during the limit: %v", v)
			}
			retry := fake.Wait(wait, "the retry", func(c discordtest.Call) bool {
				return c.Path == "/channels/1/messages" && c.Status == 200
			})
			if gap := retry.At.Sub(first.At); gap < time.Duration(l.RetryAfter*float64(time.Second)) {
				t.Errorf("retried after %v, want >= %vs", gap, l.RetryAfter)
			}
			o := fake.Wait(wait, "the other route", func(c discordtest.Call) bool { return c.Path == "/channels/2/messages" })
			waited := o.At.Sub(first.At) >= time.Duration(l.RetryAfter*float64(time.Second))
			if waited != tt.otherWaits {
				t.Errorf("other route called %v after the 429 (waited %v), want waiting %v", o.At.Sub(first.At), waited, tt.otherWaits)
			}
		})
	}
}

// learned waits until the throttle has taken in a 429.
func learned(t *testing.T, th *throttle) {
	t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		th.mu.Lock()
		n := len(th.buckets)
		g := !th.global.IsZero()
		th.mu.Unlock()
		if n > 0 || g {
			return
		}
	}
	t.Fatal("the throttle never took in the 429")
}

func TestThrottleInteractionsNotBoundByGlobal(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	c, _ := throttled(t, fake)
	fake.RateLimit(discordtest.RateLimit{Method: "POST", Prefix: "/channels/", RetryAfter: 2, Scope: "global"})
	go post(context.Background(), c, fake, "/channels/1/messages", `{}`)
	first := fake.Wait(wait, "the global 429", func(c discordtest.Call) bool { return c.Status == 429 })
	if s, err := post(context.Background(), c, fake, "/interactions/1/tok/callback", `{"type":4}`); err != nil || s != 204 {
		t.Fatalf("callback = %d, %v", s, err)
	}
	cb := fake.Wait(wait, "callback", func(c discordtest.Call) bool { return strings.HasPrefix(c.Path, "/interactions/") })
	if cb.At.Sub(first.At) > time.Second {
		t.Errorf("the interaction callback waited %v for the global limit; interactions are exempt", cb.At.Sub(first.At))
	}
}

func TestThrottleExhaustedBucketWaitedOut(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	c, _ := throttled(t, fake)
	fake.Exhaust("POST", "/channels/1/messages", 0.4)
	ctx := context.Background()
	for range 2 {
		if s, err := post(ctx, c, fake, "/channels/1/messages", `{}`); err != nil || s != 200 {
			t.Fatalf("post = %d, %v", s, err)
		}
	}
	calls, _ := fake.WaitN(wait, 2, discordtest.Is("POST", "/channels/1/messages"))
	if gap := calls[1].At.Sub(calls[0].At); gap < 400*time.Millisecond {
		t.Errorf("second call %v after an exhausted bucket's 0.4 s", gap)
	}
	if v := fake.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestThrottleWaitsAreCancellable(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc, th *throttle)
		want error
	}{
		{"context", func(cancel context.CancelFunc, _ *throttle) { cancel() }, context.Canceled},
		{"shutdown", func(_ context.CancelFunc, th *throttle) { th.shutdown(time.Second) }, errStopping},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, th := throttled(t, fake)
			fake.RateLimit(discordtest.RateLimit{Method: "POST", Prefix: "/channels/9", RetryAfter: 30})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := post(ctx, c, fake, "/channels/9/messages", `{}`); done <- err }()
			fake.Wait(wait, "the 429", func(c discordtest.Call) bool { return c.Status == 429 && c.Path == "/channels/9/messages" })
			time.Sleep(50 * time.Millisecond) // into the wait
			tt.stop(cancel, th)
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) {
					t.Errorf("err = %v, want %v", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the 30 s wait was not cut short")
			}
		})
	}
}

func TestThrottleGivesUpOnLongLimits(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	c, _ := throttled(t, fake)
	fake.RateLimit(discordtest.RateLimit{Method: "POST", Prefix: "/channels/1", RetryAfter: 3600, Scope: "global"})
	start := time.Now()
	_, err := post(context.Background(), c, fake, "/channels/1/messages", `{}`)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || !rl.Global || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %v, want a RateLimitedError at once", err, time.Since(start))
	}
}

func TestRouteKey(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "/api/v9/channels/123/messages", "POST /channels/123/messages"},
		{"PATCH", "/api/v9/channels/123/messages/456", "PATCH /channels/123/messages/:id"},
		{"PATCH", "/api/v9/webhooks/1/tok/messages/@original", "PATCH /webhooks/1/tok/messages/@original"},
		{"POST", "/api/v9/interactions/9/tok/callback", "POST /interactions/9/tok/callback"},
		{"PUT", "/api/v9/applications/1/guilds/2/commands", "PUT /applications/:id/guilds/2/commands"},
		{"GET", "/api/v9/users/@me", "GET /users/@me"},
	}
	for _, tt := range tests {
		if got := routeKey(tt.method, tt.path); got != tt.want {
			t.Errorf("routeKey(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
