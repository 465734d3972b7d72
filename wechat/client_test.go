package wechat_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"huiqi/wechat"
)

func TestAccessTokenCachedAndRefreshed(t *testing.T) {
	r := newRig(t, &fakeEngine{}, false)
	c := r.s.Client()
	ctx := t.Context()
	send := func(what string) {
		t.Helper()
		if err := c.SendText(ctx, "oUserT", what); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	send("一")
	send("二")
	if n := r.fake.TokensIssued(); n != 1 {
		t.Fatalf("two sends fetched %d tokens, want 1 (cached)", n)
	}
	// Five minutes before its expiry (the fake issues 7,200 s) the token
	// is replaced before use, so no call fails.
	r.clock.Add(2*time.Hour - 4*time.Minute)
	send("三")
	if n := r.fake.TokensIssued(); n != 2 {
		t.Errorf("near expiry: %d tokens, want 2", n)
	}
	// WeChat says the token expired (42001) or is invalid (40001): one new
	// token, one retry.
	for _, code := range []int{42001, 40001} {
		before := r.fake.TokensIssued()
		if code == 42001 {
			r.fake.ExpireTokens()
		} else {
			r.fake.FailNext(40001)
		}
		send("重试")
		if n := r.fake.TokensIssued(); n != before+1 {
			t.Errorf("after errcode %d: %d tokens, want %d", code, n, before+1)
		}
	}
	calls := r.fake.Calls("/cgi-bin/message/custom/send")
	var codes []int
	for _, c := range calls {
		codes = append(codes, c.ErrCode)
	}
	want := []int{0, 0, 0, 42001, 0, 40001, 0}
	if len(codes) != len(want) {
		t.Fatalf("send errcodes %v, want %v", codes, want)
	}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("send errcodes %v, want %v", codes, want)
		}
	}
	// Refused twice: one retry only, and the error says what it was.
	r.fake.FailNext(40001)
	r.fake.FailNext(40001)
	err := c.SendText(ctx, "oUserT", "两次")
	var ae *wechat.APIError
	if !errors.As(err, &ae) || ae.Code != 40001 || !strings.Contains(err.Error(), "another process") {
		t.Errorf("refused twice: %v, want errcode 40001 with a hint", err)
	}
	if got := len(r.fake.Calls("/cgi-bin/message/custom/send")); got != len(want)+2 {
		t.Errorf("refused twice made %d calls, want 2", got-len(want))
	}
}

func TestAccessTokenErrors(t *testing.T) {
	r := newRig(t, &fakeEngine{}, false, func(c *wechat.Config) { c.Secret = "wrong" })
	err := r.s.Client().SendText(t.Context(), "oUserT", "你好")
	var ae *wechat.APIError
	if !errors.As(err, &ae) || ae.Code != 40125 || !strings.Contains(err.Error(), "WECHAT_SECRET") {
		t.Errorf("a wrong secret: %v, want errcode 40125 naming WECHAT_SECRET", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if !ae.Misconfigured() {
		t.Errorf("errcode 40125 is not Misconfigured")
	}
	if err := r.s.Client().Check(t.Context()); !errors.As(err, &ae) || ae.Code != 40125 {
		t.Errorf("Check with a wrong secret: %v, want errcode 40125", err)
	}
	r2 := newRig(t, &fakeEngine{}, false)
	if err := r2.s.Client().Check(t.Context()); err != nil || r2.fake.TokensIssued() != 1 {
		t.Errorf("Check: %v, %d tokens", err, r2.fake.TokensIssued())
	}
	if err := r2.s.Client().Check(t.Context()); err != nil || r2.fake.TokensIssued() != 1 {
		t.Errorf("a second Check fetched another token: %v, %d tokens", err, r2.fake.TokensIssued())
	}
	r2.fake.FailNext(45015)
	err = r2.s.Client().SendText(t.Context(), "oUserT", "你好")
	if !errors.As(err, &ae) || !ae.Permanent() || ae.Misconfigured() {
		t.Errorf("errcode 45015: %v, want a permanent APIError", err)
	}
}

func TestSendTextSplits(t *testing.T) {
	r := newRig(t, &fakeEngine{}, false)
	long := strings.Repeat("一二三四五六七八九十。", 200) // 6,600 bytes
	if err := r.s.Client().SendText(t.Context(), "oUserT", long); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	msgs := r.fake.Custom()
	for _, m := range msgs {
		if len(m.Content) > wechat.MaxTextBytes {
			t.Errorf("a message of %d bytes", len(m.Content))
		}
		got.WriteString(m.Content)
	}
	if len(msgs) != 4 || got.String() != long {
		t.Errorf("%d messages, text kept %v", len(msgs), got.String() == long)
	}
}
