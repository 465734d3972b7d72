package wechat_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/wechat"
	"huiqi/wechat/wechattest"
)

const (
	token   = "huiqiToken"
	appID   = "wx1234567890abcdef"
	secret  = "fakeAppSecret"
	aesKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	account = "gh_huiqi0000001"
)

// start is the tests' "now": every clock here is this fixed clock moved
// by hand, the server's, the fake platform's and the fake API's tokens.
var start = time.Date(2026, 12, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a server under test, the fake API it calls and the platform
// that plays WeChat against it.
type rig struct {
	t     testing.TB
	clock *clock
	fake  *wechattest.Server
	s     *wechat.Server
	p     *wechattest.Platform
}

func newRig(t testing.TB, e wechat.Engine, safe bool, opts ...func(*wechat.Config)) *rig {
	t.Helper()
	return newRigAt(t, &clock{t: start}, e, safe, opts...)
}

// newRigAt is newRig on a clock the caller shares (with a real engine).
func newRigAt(t testing.TB, c *clock, e wechat.Engine, safe bool, opts ...func(*wechat.Config)) *rig {
	t.Helper()
	fake := wechattest.New(t, appID, secret, c.Now)
	cfg := wechat.Config{Token: token, AppID: appID, Secret: secret, API: fake.URL, Now: c.Now}
	if safe {
		cfg.EncodingAESKey = aesKey
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := wechat.NewServer(cfg, e)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	t.Cleanup(s.Wait) // runs first: turns finish before the servers close
	p := wechattest.NewPlatform(hs.URL+wechat.Path, token, appID, account, c.Now)
	if safe {
		p.AESKey = aesKey
	}
	return &rig{t: t, clock: c, fake: fake, s: s, p: p}
}

// send posts a delivery; a transport error or an unreadable reply fails.
func (r *rig) send(d wechattest.Delivery) wechattest.Response {
	r.t.Helper()
	resp, err := r.p.Send(d)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp
}

// say sends user's text and returns the passive reply's content.
func (r *rig) say(user, text string) string {
	r.t.Helper()
	return r.content(r.send(r.p.Text(user, text)), text)
}

func (r *rig) content(resp wechattest.Response, what string) string {
	r.t.Helper()
	if resp.Status != 200 || resp.Reply == nil {
		r.t.Fatalf("%q: status %d body %q, want a passive reply", what, resp.Status, resp.Body)
	}
	if resp.Reply.MsgType != "text" || resp.Reply.FromUserName != account {
		r.t.Fatalf("%q: reply %+v, want text from %s", what, resp.Reply, account)
	}
	return resp.Reply.Content
}

// fakeEngine answers with reply (default: echo) and records its inputs;
// with a gate it waits for the gate to close first.
type fakeEngine struct {
	mu     sync.Mutex
	keys   []bot.Key
	inputs []bot.Input
	reply  func(in bot.Input) []bot.Reply
	gate   chan struct{}
	err    error
}

func (e *fakeEngine) Handle(ctx context.Context, key bot.Key, in bot.Input) ([]bot.Reply, error) {
	e.mu.Lock()
	e.keys = append(e.keys, key)
	e.inputs = append(e.inputs, in)
	gate, reply, err := e.gate, e.reply, e.err
	e.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	if reply == nil {
		return []bot.Reply{{Text: "收到：" + in.Text + in.Action}}, nil
	}
	return reply(in), nil
}

func (e *fakeEngine) calls() []bot.Input {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Input(nil), e.inputs...)
}

func (e *fakeEngine) last() bot.Input {
	c := e.calls()
	if len(c) == 0 {
		return bot.Input{}
	}
	return c[len(c)-1]
}

func (e *fakeEngine) set(f func(in bot.Input) []bot.Reply) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reply = f
}

func replies(rs ...bot.Reply) func(bot.Input) []bot.Reply {
	return func(bot.Input) []bot.Reply { return rs }
}

func has(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
