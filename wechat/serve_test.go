package wechat_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"huiqi/wechat"
	"huiqi/wechat/wechattest"
)

// TestServeStops runs the server as huiqi wechat will (Serve on a port of
// 127.0.0.1) and stops it: the answer in flight is still delivered.
func TestServeStops(t *testing.T) {
	c := &clock{t: start}
	fake := wechattest.New(t, appID, secret, c.Now)
	e := &fakeEngine{gate: make(chan struct{})}
	s, err := wechat.NewServer(wechat.Config{Token: token, AppID: appID, Secret: secret, API: fake.URL, Now: c.Now,
		ReplyBudget: 20 * time.Millisecond}, e)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	p := wechattest.NewPlatform("http://"+ln.Addr().String()+wechat.Path, token, appID, account, c.Now)
	resp, err := p.Send(p.Text("oUserStop", "慢一点的问题"))
	if err != nil || resp.Body != "success" {
		t.Fatalf("send: %v %+v", err, resp)
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve returned %v before the answer in flight was delivered", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(e.gate)
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if got := fake.Custom(); len(got) != 1 || !strings.Contains(got[0].Content, "慢一点的问题") {
		t.Errorf("delivered %+v", got)
	}
	if _, err := p.Send(p.Text("oUserStop", "再问")); err == nil {
		t.Error("the server still answers after Serve returned")
	}
}

// BenchmarkCallback is one callback through the handler, in each mode:
// verification, decryption, the adapter and an echo engine, the reply.
func BenchmarkCallback(b *testing.B) {
	for _, safe := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "safe"}[safe]
		b.Run(name, func(b *testing.B) {
			r := newRig(b, &fakeEngine{}, safe, func(c *wechat.Config) { c.MaxSeen = b.N + 10 })
			ds := make([]wechattest.Delivery, b.N)
			for i := range ds {
				ds[i] = r.p.Text("oBench", "担保费率是多少？")
			}
			h := r.s.Handler()
			b.ResetTimer()
			for _, d := range ds {
				w := httptest.NewRecorder()
				req := httptest.NewRequest("POST", wechat.Path+"?"+d.Query.Encode(), strings.NewReader(string(d.Body)))
				h.ServeHTTP(w, req)
				if w.Code != 200 || !strings.Contains(w.Body.String(), "<xml>") {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
