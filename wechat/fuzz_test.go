package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The parsers of what arrives from outside never panic, and what they
// accept holds what the handler relies on.

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(vectorMsg))
	f.Add([]byte("<xml><FromUserName>o</FromUserName><MsgType>event</MsgType><Event>CLICK</Event><EventKey>huiqi_award</EventKey><CreateTime>1</CreateTime></xml>"))
	f.Add([]byte("<xml><FromUserName><![CDATA[o]]></FromUserName><MsgType>text</MsgType><MsgId>x</MsgId></xml>"))
	f.Add([]byte(`<?xml version="1.0" encoding="GBK"?><xml/>`))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><xml>&a;</xml>"))
	f.Add([]byte("<notxml><FromUserName>o</FromUserName></notxml>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		if m.FromUserName == "" || m.MsgType == "" || len(m.FromUserName) > maxID || !utf8.ValidString(m.FromUserName) {
			t.Fatalf("accepted %+v", m)
		}
		in, ok := inboundFor(m)
		_ = dedupKey(m)
		if ok && in.text == "" && in.fixed == "" && in.input.Action == "" && in.input.Text == "" && m.MsgType != "text" {
			t.Fatalf("inbound for %+v is empty", m)
		}
	})
}

func FuzzEnvelope(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[" + vectorCipher + "]]></Encrypt></xml>"))
	f.Add([]byte("<xml><Encrypt></Encrypt></xml>"))
	c, err := NewCipher(testKey, testAppID)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := parseEnvelope(b)
		if err != nil {
			return
		}
		if env.Encrypt == "" {
			t.Fatal("accepted an empty Encrypt")
		}
		_, _ = c.Decrypt(env.Encrypt)
	})
}

func FuzzDecrypt(f *testing.F) {
	f.Add(vectorCipher)
	f.Add(vectorFullPad)
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==")
	f.Add("")
	c, err := NewCipher(testKey, testAppID)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := c.Decrypt(s)
		if err != nil {
			return
		}
		// Whatever decrypts re-encrypts to something that decrypts to it.
		enc, err := c.Encrypt(msg, strings.NewReader(vectorRandom))
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(enc)
		if err != nil || string(back) != string(msg) {
			t.Fatalf("round trip = %q, %v, want %q", back, err, msg)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("惠企政策。\n\n第二段\n第三行", 64)
	f.Add(strings.Repeat("一", 1000), 2048)
	f.Add("\xff\xfe", 10)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		s = clean(s)
		parts := split(s, max)
		total := 0
		for _, p := range parts {
			if p == "" || !utf8.ValidString(p) || (len(p) > max && max >= utf8.UTFMax) {
				t.Fatalf("split(%q, %d) part %q", s, max, p)
			}
			total += utf8.RuneCountInString(strings.Join(strings.Fields(p), ""))
		}
		if want := utf8.RuneCountInString(strings.Join(strings.Fields(s), "")); total != want {
			t.Fatalf("split(%q, %d) kept %d non-space characters of %d", s, max, total, want)
		}
	})
}
