package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/web"
)

// TestServeRateLimitRefillsUnderFixedClock runs the server as huiqi serve
// wires it, with the clock fixed as HUIQI_NOW fixes it: a client that
// spent its burst is served again once real time passes. (With the fixed
// clock driving the limiter, it was refused forever.)
func TestServeRateLimitRefillsUnderFixedClock(t *testing.T) {
	fixed := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		now: func() time.Time { return fixed }, log: slog.New(slog.DiscardHandler)}
	srv, closeAll, err := newWebServer(context.Background(), e, filepath.Join(t.TempDir(), "r.db"), true, intake.Config{},
		web.Config{RatePerSecond: 5, RateBurst: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	ask := func() int {
		req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(`{"question":"稳岗补贴"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w.Code
	}
	for i := range 2 {
		if code := ask(); code != http.StatusOK {
			t.Fatalf("request %d = %d, want 200", i+1, code)
		}
	}
	if code := ask(); code != http.StatusTooManyRequests {
		t.Fatalf("3rd request in the burst = %d, want 429", code)
	}
	// 5/s refills a token every 200 ms: slow enough that three requests
	// under the race detector on a busy machine fit in one, and the
	// server's start-up work (the first escalation sweep) cannot refill it.
	time.Sleep(400 * time.Millisecond)
	if code := ask(); code != http.StatusOK {
		t.Fatalf("request after 400 ms = %d, want 200 (the bucket must refill in real time)", code)
	}
}

// TestServeChatRateLimitedPerConversation floods the web chat of one
// conversation with the public per-IP limit off: the engine's own limit
// answers with the polite message, and another conversation is served.
func TestServeChatRateLimitedPerConversation(t *testing.T) {
	fixed := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		now: func() time.Time { return fixed }, log: slog.New(slog.DiscardHandler)}
	srv, closeAll, err := newWebServer(context.Background(), e, filepath.Join(t.TempDir(), "c.db"), true, intake.Config{},
		web.Config{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	chat := func(conv string) string {
		req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(`{"conversation":"`+conv+`","text":"帮助"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("chat = %d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	limited := 0
	for range 30 {
		if strings.Contains(chat("flood-conversation-0001"), "您发送得太快了") {
			limited++
		}
	}
	if limited == 0 {
		t.Error("30 chat messages at once from one conversation: none got the rate-limit message")
	}
	if got := chat("quiet-conversation-0002"); strings.Contains(got, "您发送得太快了") {
		t.Errorf("another conversation was limited: %s", got)
	}
}
