package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestSecretNeverInRequestLog files a ticket through the API and the
// console and looks it up by its secret, with the server's log (the request
// log included) captured at debug level: the secret must never be in it.
func TestSecretNeverInRequestLog(t *testing.T) {
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	te := newTestEnv(t, func(c *Config) { c.Log = log })
	w := te.do(t, "POST", "/api/tickets", jsonCT, `{"text":"招工难，想了解稳岗补贴","enterprise":"阳泉测试机械有限公司","contact":"13800000000"}`, nil)
	var filed struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &filed); err != nil || filed.Secret == "" {
		t.Fatalf("POST /api/tickets = %d %s, want a ticket with its secret", w.Code, w.Body)
	}
	secrets := []string{filed.Secret}
	for _, s := range []string{filed.Secret, filed.Secret + "x", "S1"} {
		te.do(t, "GET", "/api/tickets/"+filed.ID+"?secret="+url.QueryEscape(s), "", "", nil)
	}
	te.do(t, "GET", "/api/tickets/CQ-20261120-0001?secret=S1", "", "", nil)

	b := newBrowser(t, te)
	csrf := b.signIn("hl")
	resp, _ := b.post("/console/new", url.Values{"csrf": {csrf}, "text": {"专精特新奖励何时发放"}, "enterprise": {"阳泉测试新材料公司"}, "contact": {"0353-1234567"}})
	if loc := resp.Header.Get("Location"); regexp.MustCompile(`secret|SECRET`).MatchString(loc) {
		t.Errorf("the filing redirects to %q, with the secret in the URL", loc)
	}
	_, body := b.get(resp.Header.Get("Location"))
	m := regexp.MustCompile(`查询码 ([A-Za-z0-9]+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the console's filing page shows no secret: %s", body)
	}
	secrets = append(secrets, m[1])
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) {
		t.Fatalf("no request log captured; the test would prove nothing:\n%s", out)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("secret %q appears in the log:\n%s", s, out)
		}
	}
}
