package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
)

// do sends one request through the handler; remote sets the client address.
func (te *testEnv) do(t testing.TB, method, path, ctype, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		if k == "remote" {
			req.RemoteAddr = v
			continue
		}
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	te.srv.Handler().ServeHTTP(w, req)
	return w
}

// errCode returns the code of a JSON error body ("" when not one).
func errCode(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		return ""
	}
	if b.Error.Code != "" && b.Error.Message == "" {
		t.Errorf("error %q has no message", b.Error.Code)
	}
	return b.Error.Code
}

const jsonCT = "application/json"

type apiCase struct {
	name       string
	method     string
	path       string
	ctype      string
	body       string
	wantStatus int
	wantCode   string // error code, "" for success
	wantBody   string // substring of the body
}

func runAPICases(t *testing.T, te *testEnv, cases []apiCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			w := te.do(t, tt.method, tt.path, tt.ctype, tt.body, nil)
			if w.Code != tt.wantStatus {
				t.Fatalf("%s %s %q = %d, want %d (body %s)", tt.method, tt.path, tt.body, w.Code, tt.wantStatus, w.Body)
			}
			if got := errCode(t, w); got != tt.wantCode {
				t.Errorf("%s %s %q code = %q, want %q", tt.method, tt.path, tt.body, got, tt.wantCode)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s body = %s, want it to contain %q", tt.method, tt.path, w.Body, tt.wantBody)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s Content-Type = %q, want JSON", tt.method, tt.path, ct)
			}
		})
	}
}

func TestPublicAPI(t *testing.T) {
	te := newTestEnv(t, nil)
	big := `{"question":"` + strings.Repeat("税", 30000) + `"}`
	runAPICases(t, te, []apiCase{
		{"ask ok", "POST", "/api/ask", jsonCT, `{"question":"招工难有补贴吗","top":3}`, 200, "", `"answered":true`},
		{"ask charset", "POST", "/api/ask", "application/json; charset=utf-8", `{"question":"稳岗"}`, 200, "", `"ref":"二十条第7条"`},
		{"ask out of scope", "POST", "/api/ask", jsonCT, `{"question":"明天天气怎么样"}`, 200, "", `"answered":false`},
		{"ask empty", "POST", "/api/ask", jsonCT, `{"question":"  "}`, 400, "invalid", "请填写问题"},
		{"ask too long", "POST", "/api/ask", jsonCT, `{"question":"` + strings.Repeat("问", 501) + `"}`, 400, "invalid", "太长"},
		{"ask top", "POST", "/api/ask", jsonCT, `{"question":"稳岗","top":99}`, 400, "invalid", "top"},
		{"ask not json", "POST", "/api/ask", jsonCT, `{"question":`, 400, "invalid", "JSON"},
		{"ask wrong type", "POST", "/api/ask", jsonCT, `{"question":5}`, 400, "invalid", "question"},
		{"ask unknown field", "POST", "/api/ask", jsonCT, `{"q":"稳岗"}`, 400, "invalid", "不认识的字段"},
		{"ask two objects", "POST", "/api/ask", jsonCT, `{"question":"稳岗"}{}`, 400, "invalid", ""},
		{"ask no body", "POST", "/api/ask", jsonCT, ``, 400, "invalid", "内容为空"},
		{"ask text/plain", "POST", "/api/ask", "text/plain", `{"question":"稳岗"}`, 415, "unsupported_media_type", ""},
		{"ask no content type", "POST", "/api/ask", "", `{"question":"稳岗"}`, 415, "unsupported_media_type", ""},
		{"ask form", "POST", "/api/ask", "application/x-www-form-urlencoded", `question=x`, 415, "unsupported_media_type", ""},
		{"ask too large", "POST", "/api/ask", jsonCT, big, 413, "too_large", "65536"},
		{"ask GET", "GET", "/api/ask", "", ``, 405, "method_not_allowed", "GET"},
		{"ask PUT", "PUT", "/api/ask", jsonCT, `{}`, 405, "method_not_allowed", ""},
		{"award ok", "POST", "/api/award", jsonCT, `{"above_scale_industrial":true,"has_rd_institution":true}`, 200, "", `"district_total_yuan":20000`},
		{"award bad profile", "POST", "/api/award", jsonCT, `{"above_scale":true}`, 400, "invalid", "未知字段"},
		{"award 415", "POST", "/api/award", "text/xml", `<x/>`, 415, "unsupported_media_type", ""},
		{"award 413", "POST", "/api/award", jsonCT, big, 413, "too_large", ""},
		{"award GET", "GET", "/api/award", "", ``, 405, "method_not_allowed", ""},
		{"route ok", "POST", "/api/route", jsonCT, `{"text":"招工难"}`, 200, "", `"lead_unit":"区人社局"`},
		{"route location", "POST", "/api/route", jsonCT, `{"text":"招工难","location":"义井镇"}`, 200, "", `"matched":true`},
		{"route empty", "POST", "/api/route", jsonCT, `{"text":""}`, 400, "invalid", "问题描述"},
		{"route DELETE", "DELETE", "/api/route", "", ``, 405, "method_not_allowed", ""},
		{"chat new", "POST", "/api/chat", jsonCT, `{"text":"你好"}`, 200, "", `"replies":[{"text":"您好，你好"`},
		{"chat keyed", "POST", "/api/chat", jsonCT, `{"conversation":"abcdefghijklmnop","action":"ask"}`, 200, "", `"conversation":"abcdefghijklmnop"`},
		{"chat bad id", "POST", "/api/chat", jsonCT, `{"conversation":"../../etc","text":"x"}`, 400, "invalid", "会话编号"},
		{"chat empty", "POST", "/api/chat", jsonCT, `{"conversation":"abcdefghijklmnop"}`, 400, "invalid", "消息"},
		{"chat GET", "GET", "/api/chat", "", ``, 405, "method_not_allowed", ""},
		{"file ok", "POST", "/api/tickets", jsonCT, `{"text":"招工难","enterprise":"某公司","contact":"138"}`, 201, "", `"secret":"SECRET0001"`},
		{"file no text", "POST", "/api/tickets", jsonCT, `{"enterprise":"某公司"}`, 400, "invalid", "问题描述"},
		{"file long enterprise", "POST", "/api/tickets", jsonCT, `{"text":"x","enterprise":"` + strings.Repeat("企", 201) + `"}`, 400, "invalid", "企业名称"},
		{"file 415", "POST", "/api/tickets", "text/plain", `x`, 415, "unsupported_media_type", ""},
		{"tickets GET list", "GET", "/api/tickets", "", ``, 405, "method_not_allowed", ""},
		{"ticket with secret", "GET", "/api/tickets/CQ-20261120-0001?secret=S1", "", ``, 200, "", `"status":"已派单"`},
		{"ticket no secret", "GET", "/api/tickets/CQ-20261120-0001", "", ``, 404, "not_found", "查询码"},
		{"ticket wrong secret", "GET", "/api/tickets/CQ-20261120-0001?secret=S2", "", ``, 404, "not_found", "查询码"},
		{"ticket unknown", "GET", "/api/tickets/CQ-20990101-0001?secret=S1", "", ``, 404, "not_found", "查询码"},
		{"ticket POST", "POST", "/api/tickets/CQ-20261120-0001", jsonCT, `{}`, 405, "method_not_allowed", ""},
		{"unknown api", "GET", "/api/nothing", "", ``, 404, "not_found", ""},
		{"healthz", "GET", "/healthz", "", ``, 200, "", `"ok"`},
		{"healthz POST", "POST", "/healthz", "", ``, 405, "method_not_allowed", ""},
	})
}

func TestPublicTicketHidesEnterprise(t *testing.T) {
	te := newTestEnv(t, nil)
	w := te.do(t, "GET", "/api/tickets/CQ-20261120-0001?secret=S1", "", "", nil)
	if w.Code != 200 {
		t.Fatalf("GET ticket = %d, want 200", w.Code)
	}
	for _, secret := range []string{"阳泉某机械有限公司", "张经理", "招工难", "secret", "S1"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("public ticket shows %q: %s", secret, w.Body)
		}
	}
	var tk map[string]any
	json.Unmarshal(w.Body.Bytes(), &tk)
	for _, k := range []string{"id", "status", "lead_unit", "co_units", "measures", "mode", "due", "overdue", "events"} {
		if _, ok := tk[k]; !ok {
			t.Errorf("public ticket lacks %q: %s", k, w.Body)
		}
	}
}

func TestMethodNotAllowedHasAllow(t *testing.T) {
	te := newTestEnv(t, nil)
	w := te.do(t, "GET", "/api/ask", "", "", nil)
	if got := w.Header().Get("Allow"); got != "POST" {
		t.Errorf("Allow = %q, want POST", got)
	}
	w = te.do(t, "DELETE", "/api/tickets/X", "", "", nil)
	if got := w.Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow = %q, want GET, HEAD", got)
	}
}

func TestUnansweredIsRecordedAndCounted(t *testing.T) {
	te := newTestEnv(t, nil)
	te.do(t, "POST", "/api/ask", jsonCT, `{"question":"明天天气怎么样"}`, nil)
	te.do(t, "POST", "/api/ask", jsonCT, `{"question":"稳岗补贴"}`, nil)
	if got := te.be.unanswered; len(got) != 1 || got[0] != "明天天气怎么样" {
		t.Errorf("recorded unanswered = %q, want the weather question", got)
	}
	te.srv.Flush(t.Context())
	a, u, err := te.acc.AskCounts(t.Context())
	if err != nil || a != 1 || u != 1 {
		t.Errorf("AskCounts() = %d, %d, %v, want 1, 1, nil", a, u, err)
	}
}

func TestChatNilEngine(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.Engine = nil; c.Awarder = nil; c.Router = nil })
	runAPICases(t, te, []apiCase{
		{"chat", "POST", "/api/chat", jsonCT, `{"text":"你好"}`, 500, "internal", "暂不可用"},
		{"award", "POST", "/api/award", jsonCT, `{}`, 500, "internal", "暂不可用"},
		{"route", "POST", "/api/route", jsonCT, `{"text":"x"}`, 500, "internal", "暂不可用"},
	})
}

func TestHealthzDown(t *testing.T) {
	te := newTestEnv(t, nil)
	te.db.Close() // the database is gone
	if w := te.do(t, "GET", "/healthz", "", "", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz with a dead database = %d, want 503", w.Code)
	}
}

func TestRateLimit(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.RatePerSecond = 1; c.RateBurst = 3 })
	a := map[string]string{"remote": "192.0.2.1:1234"}
	b := map[string]string{"remote": "192.0.2.2:1234"}
	for i := range 3 {
		if w := te.do(t, "POST", "/api/ask", jsonCT, `{"question":"稳岗"}`, a); w.Code != 200 {
			t.Fatalf("request %d = %d, want 200", i+1, w.Code)
		}
	}
	w := te.do(t, "POST", "/api/ask", jsonCT, `{"question":"稳岗"}`, a)
	if w.Code != 429 || errCode(t, w) != "rate_limited" || !strings.Contains(w.Body.String(), "请稍等") {
		t.Fatalf("4th request = %d %s, want 429 rate_limited with a polite message", w.Code, w.Body)
	}
	if w.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if w := te.do(t, "POST", "/api/ask", jsonCT, `{"question":"稳岗"}`, b); w.Code != 200 {
		t.Errorf("another client = %d, want 200", w.Code)
	}
	if w := te.do(t, "GET", "/healthz", "", "", a); w.Code != 200 {
		t.Errorf("healthz while limited = %d, want 200", w.Code)
	}
	*te.now = te.now.Add(2 * time.Second)
	if w := te.do(t, "POST", "/api/ask", jsonCT, `{"question":"稳岗"}`, a); w.Code != 200 {
		t.Errorf("after refill = %d, want 200", w.Code)
	}
}

func TestPanicIsJSON500(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.Router = panicRouter{} })
	w := te.do(t, "POST", "/api/route", jsonCT, `{"text":"x"}`, nil)
	if w.Code != 500 || errCode(t, w) != "internal" || strings.Contains(w.Body.String(), "goroutine") {
		t.Errorf("panicking handler = %d %s, want a JSON 500 without a trace", w.Code, w.Body)
	}
}

type panicRouter struct{}

func (panicRouter) Route(string, string) intake.Route { panic("bug") }

// FuzzAPIBodies throws arbitrary bodies at the JSON endpoints: never a 500,
// always a JSON answer.
func FuzzAPIBodies(f *testing.F) {
	for _, s := range []string{`{"question":"稳岗"}`, `{"text":"招工难"}`, `{"conversation":"abcdefghijklmnop","text":"x","form":{"a":"b"}}`,
		`{"question":null}`, `[]`, `"x"`, `{"top":-1}`, "\xff\xfe", `{"question":"\u0000"}`} {
		f.Add(s)
	}
	te := newTestEnv(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range []string{"/api/ask", "/api/route", "/api/chat", "/api/tickets", "/api/award"} {
			w := te.do(t, "POST", p, jsonCT, body, nil)
			if w.Code >= 500 {
				t.Fatalf("POST %s %q = %d %s", p, body, w.Code, w.Body)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("POST %s %q: body is not JSON: %s", p, body, w.Body)
			}
		}
	})
}

func TestCORS(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.CORSOrigins = []string{"https://platform.example"} })
	tests := []struct {
		method, path, origin string
		wantStatus           int
		wantAllow            string
	}{
		{"OPTIONS", "/api/ask", "https://platform.example", 204, "https://platform.example"},
		{"POST", "/api/ask", "https://platform.example", 200, "https://platform.example"},
		{"POST", "/api/ask", "https://evil.example", 200, ""},
		{"OPTIONS", "/api/ask", "https://evil.example", 405, ""},
		{"OPTIONS", "/api/staff/tickets", "https://platform.example", 405, ""},
		{"GET", "/api/staff/tickets", "https://platform.example", 401, ""},
	}
	for _, tt := range tests {
		hdr := map[string]string{"Origin": tt.origin, "Access-Control-Request-Method": "POST"}
		body := ""
		if tt.method == "POST" {
			body = `{"question":"稳岗"}`
		}
		w := te.do(t, tt.method, tt.path, jsonCT, body, hdr)
		if w.Code != tt.wantStatus || w.Header().Get("Access-Control-Allow-Origin") != tt.wantAllow {
			t.Errorf("%s %s from %s = %d, allow %q; want %d, %q", tt.method, tt.path, tt.origin,
				w.Code, w.Header().Get("Access-Control-Allow-Origin"), tt.wantStatus, tt.wantAllow)
		}
	}
}

func TestChatPage(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.CORSOrigins = []string{"https://platform.example"} })
	w := te.do(t, "GET", "/chat", "", "", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "/static/chat.js") || strings.Contains(w.Body.String(), "/console/logout") {
		t.Fatalf("GET /chat = %d, want the widget page without the console", w.Code)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://platform.example;") {
		t.Errorf("chat CSP = %q, want the platform allowed to frame it", csp)
	}
	if w.Header().Get("X-Frame-Options") != "" {
		t.Error("chat page sets X-Frame-Options")
	}
	if w := te.do(t, "GET", "/console/login", "", "", nil); w.Header().Get("X-Frame-Options") != "DENY" {
		t.Error("console can be framed")
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	te := newTestEnv(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- te.srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	for _, q := range []string{"明天天气怎么样", "稳岗补贴", "午饭吃什么"} {
		resp, err := http.Post(base+"/api/ask", jsonCT, strings.NewReader(`{"question":"`+q+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("ask %s = %d", q, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	te.be.mu.Lock()
	got := len(te.be.unanswered)
	te.be.mu.Unlock()
	if got != 2 {
		t.Errorf("recorded %d unanswered questions by shutdown, want 2", got)
	}
	a, u, err := te.acc.AskCounts(context.Background())
	if err != nil || a != 1 || u != 2 {
		t.Errorf("AskCounts() after shutdown = %d, %d, %v, want 1, 2 (flushed)", a, u, err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		trust  bool
		remote string
		xff    []string
		want   string
	}{
		{false, "192.0.2.1:555", nil, "192.0.2.1"},
		{false, "192.0.2.1:555", []string{"203.0.113.9"}, "192.0.2.1"},
		{true, "127.0.0.1:555", []string{"10.0.0.1, 203.0.113.9"}, "203.0.113.9"},
		{true, "127.0.0.1:555", []string{"1.1.1.1", "203.0.113.7"}, "203.0.113.7"},
		{true, "127.0.0.1:555", []string{"garbage"}, "127.0.0.1"},
		{true, "[2001:db8::1]:555", nil, "2001:db8::1"},
	}
	for _, tt := range tests {
		s := &Server{cfg: Config{TrustProxy: tt.trust}}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("clientIP(trust %v, %s, %q) = %q, want %q", tt.trust, tt.remote, tt.xff, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an ip":            "not an ip",
	} {
		if got := limitKey(in); got != want {
			t.Errorf("limitKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFilingWithIdempotencyKey: POST /api/tickets and the staff API with
// one Idempotency-Key file one ticket and answer twice with the same
// receipt, secret included; keys are per staff account; a bad key is 400.
func TestFilingWithIdempotencyKey(t *testing.T) {
	te := newTestEnv(t, nil)
	hl, _ := te.login(t, "hl")
	ad, _ := te.login(t, "ad")
	body := `{"text":"招工难，想了解稳岗补贴","enterprise":"阳泉测试机械有限公司"}`
	before := te.be.count()
	var receipts []string
	for i := range 3 {
		w := te.do(t, "POST", "/api/tickets", jsonCT, body, map[string]string{"Idempotency-Key": "retry-7f3a"})
		if w.Code != http.StatusCreated {
			t.Fatalf("POST #%d = %d %s", i, w.Code, w.Body)
		}
		if got := w.Header().Get("Idempotent-Replayed"); (i > 0) != (got == "true") {
			t.Errorf("POST #%d Idempotent-Replayed = %q", i, got)
		}
		receipts = append(receipts, w.Body.String())
	}
	if receipts[1] != receipts[0] || receipts[2] != receipts[0] || !strings.Contains(receipts[0], `"secret":"SECRET`) {
		t.Errorf("the retries answered %v, want the first receipt with its secret again", receipts)
	}
	if n := te.be.count() - before; n != 1 {
		t.Errorf("%d tickets from one key, want 1", n)
	}
	staff := func(tok string) string {
		w := te.do(t, "POST", "/api/staff/tickets", jsonCT, body, map[string]string{"Authorization": "Bearer " + tok, "Idempotency-Key": `"call-1"`})
		if w.Code != http.StatusCreated {
			t.Fatalf("staff POST = %d %s", w.Code, w.Body)
		}
		var r struct{ ID string }
		json.Unmarshal(w.Body.Bytes(), &r)
		return r.ID
	}
	a1, a2, b1 := staff(hl), staff(hl), staff(ad)
	if a1 != a2 || a1 == b1 {
		t.Errorf("staff filings = %s, %s (one account, one key), %s (another account); want the first two equal and the third its own", a1, a2, b1)
	}
	if n := te.be.count() - before; n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}
	for _, k := range []string{strings.Repeat("k", 129), "with space", "中文"} {
		if w := te.do(t, "POST", "/api/tickets", jsonCT, body, map[string]string{"Idempotency-Key": k}); w.Code != 400 || !strings.Contains(w.Body.String(), "Idempotency-Key") {
			t.Errorf("Idempotency-Key %q = %d %s, want 400", k, w.Code, w.Body)
		}
	}
	if w := te.do(t, "POST", "/api/tickets", jsonCT, `{"text":"另一件事"}`, map[string]string{"Idempotency-Key": "retry-7f3a"}); w.Code != 400 {
		t.Errorf("the key again with other content = %d, want 400", w.Code)
	}
}

// TestServeCapsConnections: with MaxConns connections held open (idle,
// half-open, slowloris), the next client waits in the listen queue and is
// served once one of them goes.
func TestServeCapsConnections(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.MaxConns = 2 })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- te.srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	addr := ln.Addr().String()
	get := func(timeout time.Duration) error {
		c := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(10 * time.Second); err != nil {
		t.Fatalf("GET /healthz = %v", err)
	}
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // never finished
		held = append(held, c)
	}
	if err := get(300 * time.Millisecond); err == nil {
		t.Error("a third connection was served while two held the cap of 2")
	}
	held[0].Close()
	if err := get(10 * time.Second); err != nil {
		t.Errorf("GET /healthz after a held connection closed = %v, want served", err)
	}
	held[1].Close()
}

// TestStaffAnswersAreNotStored: staff JSON (names, contacts) and the
// reporter's receipt are sent with Cache-Control: no-store.
func TestStaffAnswersAreNotStored(t *testing.T) {
	te := newTestEnv(t, nil)
	tok, _ := te.login(t, "hl")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/staff/tickets", ""},
		{"GET", "/api/staff/tickets/CQ-20261120-0001", ""},
		{"GET", "/api/staff/unanswered", ""},
		{"GET", "/api/staff/stats", ""},
		{"POST", "/api/staff/tickets", `{"text":"招工难","contact":"13800000000"}`},
		{"GET", "/api/staff/tickets/CQ-20990101-0001", ""},
	} {
		w := te.do(t, c.method, c.path, jsonCT, c.body, bearer(tok))
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", c.method, c.path, got)
		}
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/staff/login", `{"name":"hl","password":"` + testPassword + `"}`},
		{"POST", "/api/tickets", `{"text":"招工难"}`},
		{"GET", "/api/tickets/CQ-20261120-0001?secret=S1", ""},
	} {
		if w := te.do(t, c.method, c.path, jsonCT, c.body, nil); w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s (%d): Cache-Control %q, want no-store", c.method, c.path, w.Code, w.Header().Get("Cache-Control"))
		}
	}
}

// TestDailyCaps is issue 16 item 10: one address files at most
// DailyTickets tickets a day over the public API (the store counts them by
// the origin the web gives each filing) and keeps at most DailyQuestions
// unanswered questions, though every question is still answered; another
// address is not affected; staff filings carry no origin.
func TestDailyCaps(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.Daily, c.DailyTickets, c.DailyQuestions = c.Tickets.(*fakeBackend), 3, 2 })
	spam := map[string]string{"remote": "203.0.113.50:1000"}
	file := func(remote, text string) int {
		return te.do(t, "POST", "/api/tickets", jsonCT, `{"text":"`+text+`"}`, map[string]string{"remote": remote}).Code
	}
	for i := range 3 {
		if c := file(spam["remote"], fmt.Sprintf("招工难，第%d件事", i)); c != 201 {
			t.Fatalf("filing %d = %d", i, c)
		}
	}
	if c := file(spam["remote"], "招工难，第四件事"); c != 429 {
		t.Errorf("the 4th filing of the day from one address = %d, want 429", c)
	}
	if c := file("198.51.100.60:1", "招工难"); c != 201 {
		t.Errorf("another address = %d, want 201", c)
	}
	for _, nt := range te.be.filed {
		if nt.Origin != "ip:203.0.113.50" && nt.Origin != "ip:198.51.100.60" {
			t.Errorf("a public filing's origin = %q, want ip:ADDRESS", nt.Origin)
		}
	}
	tok, _ := te.login(t, "hl")
	if w := te.do(t, "POST", "/api/staff/tickets", jsonCT, `{"text":"来电：招工难"}`, bearer(tok)); w.Code != 201 || te.be.filed[len(te.be.filed)-1].Origin != "" {
		t.Errorf("a staff filing = %d with origin %q, want 201 and none", w.Code, te.be.filed[len(te.be.filed)-1].Origin)
	}
	before := len(te.be.unanswered)
	for i := range 4 {
		w := te.do(t, "POST", "/api/ask", jsonCT, fmt.Sprintf(`{"question":"午饭吃什么%d"}`, i), spam)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"answered":false`) {
			t.Errorf("question %d = %d, want an answer", i, w.Code)
		}
	}
	if kept := len(te.be.unanswered) - before; kept != 2 {
		t.Errorf("%d unanswered questions kept from one address, want the cap of 2", kept)
	}
}

// TestPublicFilingFoldsDuplicates: the same text again from one address is
// the ticket it filed before (the store folds it by the filing's origin),
// answered 200 instead of 201, without a second secret.
func TestPublicFilingFoldsDuplicates(t *testing.T) {
	te := newTestEnv(t, nil)
	from := map[string]string{"remote": "203.0.113.70:9"}
	first := te.do(t, "POST", "/api/tickets", jsonCT, `{"text":"用电报装一直没人来"}`, from)
	again := te.do(t, "POST", "/api/tickets", jsonCT, `{"text":"用电报装一直没人来"}`, from)
	var a, b struct {
		ID        string `json:"id"`
		Secret    string `json:"secret"`
		Duplicate bool   `json:"duplicate"`
	}
	json.Unmarshal(first.Body.Bytes(), &a)
	json.Unmarshal(again.Body.Bytes(), &b)
	if first.Code != 201 || again.Code != 200 || b.ID != a.ID || !b.Duplicate || b.Secret != "" {
		t.Errorf("the same text twice = %d %s, then %d %s; want 201, then 200 with the same ticket marked duplicate and no secret",
			first.Code, first.Body, again.Code, again.Body)
	}
}
