package wechat

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const (
	testKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testAppID = "wx1234567890abcdef"
)

// The vectors were made with github.com/silenceper/wechat/v2 v2.1.10
// (util.EncryptMsg, util.Signature): an implementation written by others,
// so this package and the fake cannot agree on a mistake of their own.
const (
	vectorMsg    = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1764554400</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[担保费率是多少？]]></Content><MsgId>1</MsgId></xml>"
	vectorCipher = "Q3stYC6hdFzMh9T8HCvyDBmmox8qWutExXCCUzyXU6ZF0xp9U2Tf4hwvLbVby0M0iqmYIotBGUQOUKw2GwgpDZ2/hhr+v/5p8G3K+Vt8BnsgkyPc8ZqgCMzpAY3J4tjry0Bojp4qJZbkfA0ZvnKTJ/VsbXvUegBHIXZH9kW8qKtj6D+BruCix8RRyLSC7YkAsaXLAK1nS3JgY1x50XxgzqLCadtQPO1gtHB8SdUu4QyucilcVVqKB1HXKtcZJo5ejLImDqWN4RIeSWjfhGtW/4HsBYZT4RgsnVwSN4ztHhZcCdb25ovsNp096O0Q6QFXWjTzaFLAKxmhQShwZn0Su3DyLqo/L5sJ43sBxFp77htWnSeEf/v7bmw3+XFOYh64"
	// 26 bytes of "a": 20 + 26 + 18 = 64, a whole number of blocks, so
	// the padding is a full 32-byte block.
	vectorFullPad = "Q3stYC6hdFzMh9T8HCvyDKrhsqkWjSa4DbROCGPw/zlHngOOnfZmPDWcUOO43s98MsNL7bwWlkSLclrV0ofbRTOZQhX5wb8wg6GGp08RvZKEefcd/lj7ycEdii6yfv4X"
	vectorRandom  = "0123456789abcdef"
)

func TestSignature(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"huiqiToken", "1764554400", "12345"}, "f45648f6d73a0b373baf9df4a1d0fa82ea991e45"},
		{[]string{"huiqiToken", "1764554400", "12345", vectorCipher}, "0506d1aba4f83b296a515b086a8520d900262adc"},
		// order does not matter: the parts are sorted
		{[]string{"12345", vectorCipher, "1764554400", "huiqiToken"}, "0506d1aba4f83b296a515b086a8520d900262adc"},
	}
	for _, tt := range tests {
		if got := Signature(tt.parts...); got != tt.want {
			t.Errorf("Signature(%q) = %s, want %s", tt.parts, got, tt.want)
		}
	}
	if !signatureOK("F45648F6D73A0B373BAF9DF4A1D0FA82EA991E45", "f45648f6d73a0b373baf9df4a1d0fa82ea991e45") {
		t.Error("an upper-case hex signature is refused")
	}
	if signatureOK("", "f45648f6d73a0b373baf9df4a1d0fa82ea991e45") {
		t.Error("an empty signature is accepted")
	}
}

func TestCipherVectors(t *testing.T) {
	c, err := NewCipher(testKey, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name, msg, cipher string
	}{
		{"text message", vectorMsg, vectorCipher},
		{"full padding block", strings.Repeat("a", 26), vectorFullPad},
	} {
		t.Run(v.name, func(t *testing.T) {
			got, err := c.Encrypt([]byte(v.msg), strings.NewReader(vectorRandom))
			if err != nil || got != v.cipher {
				t.Fatalf("Encrypt = %s, %v\nwant %s", got, err, v.cipher)
			}
			plain, err := c.Decrypt(v.cipher)
			if err != nil || string(plain) != v.msg {
				t.Fatalf("Decrypt = %q, %v, want %q", plain, err, v.msg)
			}
		})
	}
}

func TestCipherRefuses(t *testing.T) {
	c, err := NewCipher(testKey, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCipher(testKey, "wxOTHERAPPID000000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Decrypt(vectorCipher); !errors.Is(err, errAppID) {
		t.Errorf("Decrypt for another appid = %v, want errAppID", err)
	}
	otherKey, _ := NewCipher("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg", testAppID)
	tests := []struct {
		name string
		c    *Cipher
		text string
	}{
		{"empty", c, ""},
		{"not base64", c, "%%%"},
		{"not whole blocks", c, "QUJD"},
		{"wrong key", otherKey, vectorCipher},
		{"cut short", c, vectorCipher[:64]},
		{"one block of zeros", c, "AAAAAAAAAAAAAAAAAAAAAA=="},
	}
	for _, tt := range tests {
		if got, err := tt.c.Decrypt(tt.text); err == nil {
			t.Errorf("%s: Decrypt = %q, want an error", tt.name, got)
		}
	}
}

func TestNewCipher(t *testing.T) {
	for _, key := range []string{"", "short", testKey + "A", strings.Repeat("!", 43)} {
		if _, err := NewCipher(key, testAppID); err == nil {
			t.Errorf("NewCipher(%q) accepted", key)
		}
	}
}

func TestCipherRoundTrip(t *testing.T) {
	c, err := NewCipher(testKey, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 100; n++ {
		msg := bytes.Repeat([]byte("惠"), n)
		enc, err := c.Encrypt(msg, bytes.NewReader(bytes.Repeat([]byte{byte(n)}, 16)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("round trip of %d bytes = %q, %v", len(msg), got, err)
		}
	}
}
