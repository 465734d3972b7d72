package wechat_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"huiqi/internal/nasty"
	"huiqi/wechat"
)

// TestNastyInputs sends the corpus of hostile input to the real engine
// through WeChat, in both modes: each is refused as too large or answered,
// and every answer is valid UTF-8 within WeChat's limit with no tag in it.
func TestNastyInputs(t *testing.T) {
	cases := nasty.MustLoad(t, "../testdata/nasty/inputs.json")
	for _, safe := range []bool{false, true} {
		r := newReal(t, safe)
		for _, c := range cases {
			user := "oNasty"
			before := len(r.fake.Custom())
			resp := r.send(r.p.Text(user, c.Text))
			switch {
			case !xmlText(c.Text):
				// WeChat cannot send what XML cannot carry: it is malformed.
				if resp.Status != 400 {
					t.Errorf("safe=%v %s: malformed XML answered %d", safe, c.Name, resp.Status)
				}
				continue
			case resp.Status == 413 || resp.Status == 400:
				if len(c.Text) < 16<<10 {
					t.Errorf("safe=%v %s: %d bytes refused with %d", safe, c.Name, len(c.Text), resp.Status)
				}
				continue
			case resp.Status != 200:
				t.Errorf("safe=%v %s: status %d %q", safe, c.Name, resp.Status, resp.Body)
				continue
			}
			var msgs []string
			if resp.Reply != nil {
				msgs = append(msgs, resp.Reply.Content)
			}
			r.s.Wait()
			for _, m := range r.fake.Custom()[before:] {
				msgs = append(msgs, m.Content)
			}
			if len(msgs) == 0 {
				t.Errorf("safe=%v %s: no answer", safe, c.Name)
			}
			for _, m := range msgs {
				if !utf8.ValidString(m) || len(m) > wechat.MaxTextBytes || strings.Contains(m, "<a") || strings.Contains(m, "<script") {
					t.Errorf("safe=%v %s: answer of %d bytes: %.200q", safe, c.Name, len(m), m)
				}
			}
		}
	}
}

// xmlText reports whether XML 1.0 can carry s.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
