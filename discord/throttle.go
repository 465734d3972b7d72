package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// throttle is the REST transport's keeper of Discord's rate limits, for
// what discordgo v0.29 does not do:
//
//   - A global 429 (body "global": true, X-RateLimit-Global, or
//     X-RateLimit-Scope: global) stops every route until it ends. discordgo
//     reads the global flag only together with X-RateLimit-Reset-After, and
//     otherwise just retries the one request: another route was called
//     0.3 s into a global limit.
//   - Every wait can be cancelled. discordgo sleeps with time.Sleep, both on
//     a 429 and before a request whose bucket is exhausted, so SIGTERM waited
//     29.6 s behind a retry. Here a 429 is waited out and retried inside
//     RoundTrip, on a timer that the request's context and the bot's
//     shutdown end, and an exhausted bucket (X-RateLimit-Remaining: 0) is
//     waited out before that route's next request the same way. discordgo
//     never sees a 429 nor the rate-limit headers, so it never sleeps.
//
// Interaction responses and follow-ups (/interactions/…, /webhooks/…) are
// not bound to the bot's global limit (Discord's interactions docs), and
// must answer within 3 seconds: they wait only for their own route.
type throttle struct {
	next http.RoundTripper
	log  *slog.Logger
	now  func() time.Time
	// MaxWait is the longest 429 waited out in place; a longer one fails
	// the request (default 60 s). Retries bounds the retries of one
	// request (default 3).
	maxWait time.Duration
	retries int

	stop     chan struct{} // closed by shutdown: waits end at once
	stopOnce sync.Once
	hard     context.Context // cancelled a grace period after shutdown
	kill     context.CancelFunc

	mu      sync.Mutex
	global  time.Time            // no request (but interactions) before
	buckets map[string]time.Time // route → exhausted until
}

// errStopping ends a wait because the bot is stopping.
var errStopping = errors.New("discord: stopping; the request was not sent")

// RateLimitedError is a request given up on a 429 too long to wait for.
type RateLimitedError struct {
	Route      string
	RetryAfter time.Duration
	Global     bool
}

func (e *RateLimitedError) Error() string {
	scope := "route"
	if e.Global {
		scope = "global"
	}
	return fmt.Sprintf("discord: %s rate limit on %s for %v", scope, e.Route, e.RetryAfter)
}

func newThrottle(next http.RoundTripper, log *slog.Logger) *throttle {
	hard, kill := context.WithCancel(context.Background())
	return &throttle{next: next, log: log, now: time.Now, maxWait: 60 * time.Second, retries: 3,
		stop: make(chan struct{}), hard: hard, kill: kill, buckets: map[string]time.Time{}}
}

// shutdown ends every wait now and cancels requests still in flight after
// grace.
func (t *throttle) shutdown(grace time.Duration) {
	t.stopOnce.Do(func() {
		close(t.stop)
		time.AfterFunc(grace, t.kill)
	})
}

// routeKey is the rate-limit route of a request: the method and the path
// with ids replaced, except the top-level resources Discord limits apart
// (a channel, a guild, a webhook with its token).
func routeKey(method, path string) string {
	path = strings.TrimPrefix(path, "/api")
	if rest, ok := strings.CutPrefix(path, "/v"); ok {
		if _, after, ok := strings.Cut(rest, "/"); ok {
			path = "/" + after
		}
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	for i := range seg {
		major := i > 0 && (seg[i-1] == "channels" || seg[i-1] == "guilds" || seg[i-1] == "webhooks" ||
			(i > 1 && seg[i-2] == "webhooks") || seg[i-1] == "interactions" || (i > 1 && seg[i-2] == "interactions"))
		if !major && isID(seg[i]) {
			seg[i] = ":id"
		}
	}
	return method + " /" + strings.Join(seg, "/")
}

func isID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// interactionRoute is an interaction's callback or follow-up.
func interactionRoute(key string) bool {
	_, p, _ := strings.Cut(key, " ")
	return strings.HasPrefix(p, "/interactions/") || strings.HasPrefix(p, "/webhooks/")
}

// RoundTrip implements http.RoundTripper.
func (t *throttle) RoundTrip(req *http.Request) (*http.Response, error) {
	route := routeKey(req.Method, req.URL.Path)
	ctx, cancel := context.WithCancel(req.Context())
	unhook := context.AfterFunc(t.hard, cancel)
	done := func() { unhook(); cancel() }
	for attempt := 0; ; attempt++ {
		if err := t.wait(ctx, route); err != nil {
			done()
			return nil, err
		}
		r := req.WithContext(ctx)
		if attempt > 0 {
			if req.Body != nil && req.Body != http.NoBody {
				if req.GetBody == nil {
					done()
					return nil, fmt.Errorf("discord: cannot retry %s after a 429: the body cannot be read again", route)
				}
				body, err := req.GetBody()
				if err != nil {
					done()
					return nil, err
				}
				r = req.Clone(ctx)
				r.Body = body
			}
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			done()
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.learn(route, resp.Header)
			stripLimits(resp.Header)
			resp.Body = &doneBody{ReadCloser: resp.Body, done: done}
			return resp, nil
		}
		wait, global := read429(resp)
		t.limit(route, wait, global)
		t.log.Warn("discord: rate limited", "route", route, "retry_after", wait, "global", global, "attempt", attempt+1)
		if attempt >= t.retries || wait > t.maxWait {
			done()
			return nil, &RateLimitedError{Route: route, RetryAfter: wait, Global: global}
		}
	}
}

// doneBody releases the request's context once the body is closed.
type doneBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// wait blocks until route may be called, or ctx ends, or the bot stops.
func (t *throttle) wait(ctx context.Context, route string) error {
	for {
		t.mu.Lock()
		until := t.buckets[route]
		if !interactionRoute(route) && t.global.After(until) {
			until = t.global
		}
		t.mu.Unlock()
		d := until.Sub(t.now())
		if d <= 0 {
			return nil
		}
		select {
		case <-t.stop:
			return errStopping
		default:
		}
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-t.stop:
			timer.Stop()
			return errStopping
		}
	}
}

func (t *throttle) limit(route string, wait time.Duration, global bool) {
	until := t.now().Add(wait)
	t.mu.Lock()
	defer t.mu.Unlock()
	if global {
		if until.After(t.global) {
			t.global = until
		}
		return
	}
	if until.After(t.buckets[route]) {
		t.buckets[route] = until
	}
}

// learn keeps a bucket that the response says is exhausted.
func (t *throttle) learn(route string, h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	after, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err != nil || after <= 0 || math.IsInf(after, 0) || after > 3600 {
		return
	}
	t.limit(route, seconds(after), false)
	t.mu.Lock()
	if len(t.buckets) > 10000 { // a bound, not a policy: routes are few
		for k, v := range t.buckets {
			if v.Before(t.now()) {
				delete(t.buckets, k)
			}
		}
	}
	t.mu.Unlock()
}

// read429 reads how long a 429 asks to wait and whether it is global: the
// JSON body's retry_after and global, else the headers (Cloudflare's own
// 429, sent to an address it has banned, is HTML with only Retry-After,
// and holds for every route).
func read429(resp *http.Response) (time.Duration, bool) {
	defer resp.Body.Close()
	var body struct {
		RetryAfter *float64 `json:"retry_after"`
		Global     bool     `json:"global"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	jsonOK := json.Unmarshal(b, &body) == nil && body.RetryAfter != nil
	global := body.Global || strings.EqualFold(resp.Header.Get("X-RateLimit-Global"), "true") ||
		strings.EqualFold(resp.Header.Get("X-RateLimit-Scope"), "global") || !jsonOK
	after := -1.0
	if jsonOK {
		after = *body.RetryAfter
	} else if v, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
		after = v
	}
	if after < 0 || math.IsNaN(after) || math.IsInf(after, 0) {
		after = 1 // a 429 that says nothing: wait a moment
	}
	return seconds(min(after, 24*3600)), global
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// stripLimits removes the headers discordgo would sleep on.
func stripLimits(h http.Header) {
	for _, k := range []string{"X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After",
		"X-RateLimit-Global", "X-RateLimit-Bucket", "X-RateLimit-Limit", "X-RateLimit-Scope", "Retry-After"} {
		h.Del(k)
	}
}
