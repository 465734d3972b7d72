package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/internal/ticketgen"
	"huiqi/web"
)

// The staff pages and 查进度 through the web handlers, as huiqi serve
// wires them, on the generated histories of internal/ticketgen (shared
// with intake's scale benchmarks; each size is generated once):
//
//	go test -run XXX -bench 'ScaleWeb' -benchtime 20x ./cli/
var webBenchMax = flag.Int("bench.tickets", 1_000_000, "largest generated history the scale benchmarks use")

func BenchmarkScaleWeb(b *testing.B) {
	ctx := context.Background()
	for _, sz := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run(sz.name, func(b *testing.B) {
			if sz.n > *webBenchMax {
				b.Skipf("above -bench.tickets")
			}
			path, err := ticketgen.Cached(ctx, "", sz.n, b.Logf)
			if err != nil {
				b.Fatal(err)
			}
			units, err := ticketgen.Units(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			key, _, err := ticketgen.Reporter(ctx, path, "web:", 3)
			if err != nil {
				b.Fatal(err)
			}
			// The benchmark's account, once per file (it stays in it).
			runIn(map[string]string{"HUIQI_DB": path}, "bench-pass-1\n", "user", "add", "--name", "bench", "--role", "hotline")
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, dbPath: path,
				now: func() time.Time { return ticketgen.DefaultNow }, log: slog.New(slog.DiscardHandler),
				chatUnlimited: true} // 查进度 a hundred times in one conversation
			srv, closeAll, err := newWebServer(ctx, e, path, false, intake.Config{}, web.Config{RatePerSecond: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer closeAll()
			h := srv.Handler()
			do := func(method, target, token, body string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
					req.AddCookie(&http.Cookie{Name: "huiqi_session", Value: token})
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w
			}
			w := do("POST", "/api/staff/login", "", `{"name":"bench","password":"bench-pass-1"}`)
			var login struct{ Token string }
			if json.Unmarshal(w.Body.Bytes(), &login); w.Code != 200 || login.Token == "" {
				b.Fatalf("login = %d %s", w.Code, w.Body)
			}
			conv := strings.TrimPrefix(key, "web:")
			for _, c := range []struct{ name, method, target, token, body string }{
				{"api-queue-unit", "GET", "/api/staff/tickets?unit=" + units[0], login.Token, ""},
				{"console-queue-unit", "GET", "/console/tickets?unit=" + units[0], login.Token, ""},
				{"console-queue-all", "GET", "/console/tickets", login.Token, ""},
				{"console-dashboard", "GET", "/console/dashboard", login.Token, ""},
				{"chat-progress", "POST", "/api/chat", "", fmt.Sprintf(`{"conversation":%q,"text":"查进度"}`, conv)},
			} {
				b.Run(c.name, func(b *testing.B) {
					var size int
					for b.Loop() {
						w := do(c.method, c.target, c.token, c.body)
						if w.Code != 200 {
							b.Fatalf("%s %s = %d %.300s", c.method, c.target, w.Code, w.Body)
						}
						if c.name == "chat-progress" && !strings.Contains(w.Body.String(), "CQ-") {
							b.Fatalf("查进度 did not list the reporter's tickets: %.300s", w.Body)
						}
						size = w.Body.Len()
					}
					b.ReportMetric(float64(size), "bytes")
				})
			}
		})
	}
}
