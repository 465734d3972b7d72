// Package wechattest is a fake WeChat for tests: an API server on
// 127.0.0.1 that issues access tokens and records customer-service,
// template, subscribe, menu and WeChat Work robot calls (Server), and the
// WeChat platform's side of the callback, which signs and, in safe mode,
// encrypts messages to the real handler and opens its replies (Platform).
// It does not import the package under test: its signatures and
// encryption are written here again, from WeChat's description.
package wechattest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Call is one API request the fake answered.
type Call struct {
	Path    string // e.g. /cgi-bin/message/custom/send
	Token   string // the access_token (or the robot key) it carried
	Body    []byte
	ErrCode int // what the fake answered
}

// JSON decodes the body.
func (c Call) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(c.Body, &m)
	return m
}

// Message is a customer-service text message that was accepted.
type Message struct {
	To      string
	Content string
}

// Server is the fake API. Create it with New; it closes with the test.
type Server struct {
	URL    string // http://127.0.0.1:PORT: WECHAT_API and WECOM_API
	AppID  string
	Secret string

	now func() time.Time
	srv *httptest.Server

	mu       sync.Mutex
	ttl      time.Duration
	tokens   map[string]time.Time // token → expiry, by now
	issued   int
	msgID    int64 // the last template message's msgid
	failNext []int
	calls    []Call
	changed  chan struct{}
}

// New starts the fake for the account appID/secret; tokens expire by now.
func New(tb testing.TB, appID, secret string, now func() time.Time) *Server {
	tb.Helper()
	s := &Server{AppID: appID, Secret: secret, now: now, ttl: 7200 * time.Second,
		tokens: map[string]time.Time{}, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.token)
	for _, p := range []string{"message/custom/send", "message/template/send", "message/subscribe/bizsend", "menu/create"} {
		mux.HandleFunc("POST /cgi-bin/"+p, s.api)
	}
	mux.HandleFunc("POST /cgi-bin/webhook/send", s.robot)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// SetTokenTTL sets the expires_in of the tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// ExpireTokens makes every token issued so far answer errcode 42001
// (access_token expired), as if their time had run out.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Time{}
	}
}

// FailNext makes the next API call (not a token request) answer code
// once, e.g. 40001 (invalid credential) whatever its token.
func (s *Server) FailNext(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, code)
}

// TokensIssued is how many access tokens the fake has handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Calls returns the recorded calls to path (all calls when path is "").
func (s *Server) Calls(path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if path == "" || c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// Custom returns the accepted customer-service text messages, in order.
func (s *Server) Custom() []Message {
	var out []Message
	for _, c := range s.Calls("/cgi-bin/message/custom/send") {
		if c.ErrCode != 0 {
			continue
		}
		var m struct {
			ToUser string `json:"touser"`
			Text   struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		_ = json.Unmarshal(c.Body, &m)
		out = append(out, Message{To: m.ToUser, Content: m.Text.Content})
	}
	return out
}

// WaitCustom waits (at most 10 s) until n customer-service messages have
// been accepted, and returns them.
func (s *Server) WaitCustom(tb testing.TB, n int) []Message {
	tb.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if got := s.Custom(); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("wechattest: waited 10s for %d customer-service messages, have %d: %v", n, len(s.Custom()), s.Custom())
			return nil
		}
	}
}

// RobotURL is the webhook of a fake WeChat Work robot with key.
func (s *Server) RobotURL(key string) string { return s.URL + "/cgi-bin/webhook/send?key=" + key }

func (s *Server) record(c Call) {
	s.calls = append(s.calls, c)
	close(s.changed)
	s.changed = make(chan struct{})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	json.NewEncoder(w).Encode(v)
}

func errAnswer(code int, msg string) map[string]any {
	return map[string]any{"errcode": code, "errmsg": msg + " rid: fake"}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case q.Get("grant_type") != "client_credential":
		writeJSON(w, errAnswer(40002, "invalid grant_type"))
	case q.Get("appid") != s.AppID:
		writeJSON(w, errAnswer(40013, "invalid appid"))
	case q.Get("secret") != s.Secret:
		writeJSON(w, errAnswer(40125, "invalid appsecret"))
	default:
		s.issued++
		tok := "fake-token-" + strconv.Itoa(s.issued)
		s.tokens[tok] = s.now().Add(s.ttl)
		writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(s.ttl / time.Second)})
	}
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	tok := r.URL.Query().Get("access_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Call{Path: r.URL.Path, Token: tok, Body: body}
	exp, known := s.tokens[tok]
	switch {
	case len(s.failNext) > 0:
		c.ErrCode, s.failNext = s.failNext[0], s.failNext[1:]
	case !known:
		c.ErrCode = 40001
	case !s.now().Before(exp):
		c.ErrCode = 42001
	default:
		c.ErrCode = check(r.URL.Path, body)
	}
	s.record(c)
	if c.ErrCode != 0 {
		writeJSON(w, errAnswer(c.ErrCode, fmt.Sprintf("fake error %d", c.ErrCode)))
		return
	}
	if r.URL.Path == "/cgi-bin/message/template/send" {
		s.msgID++
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": s.msgID})
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// check applies WeChat's limits to a body: 45002 for a text over 2,048
// bytes, 47003 for a keyword value over its type's length.
func check(path string, body []byte) int {
	var m struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		TemplateID string                       `json:"template_id"`
		Data       map[string]map[string]string `json:"data"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return 47001 // data format error
	}
	switch path {
	case "/cgi-bin/message/custom/send":
		if m.ToUser == "" || m.MsgType != "text" {
			return 40003
		}
		if len(m.Text.Content) > 2048 || m.Text.Content == "" {
			return 45002
		}
	case "/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/bizsend":
		if m.ToUser == "" {
			return 40003
		}
		if m.TemplateID == "" {
			return 40037
		}
		for kw, v := range m.Data {
			limit := 20
			switch strings.TrimRight(kw, "0123456789") {
			case "phrase":
				limit = 5
			case "character_string":
				limit = 32
			}
			if utf8.RuneCountInString(v["value"]) > limit {
				return 47003
			}
		}
	case "/cgi-bin/menu/create":
		return checkMenu(body)
	}
	return 0
}

// checkMenu applies the menu's rules: 1 to 3 buttons, each a click button
// with a key of at most 128 bytes or a parent of 1 to 5; names of at most
// 16 bytes on the top row and 40 below.
func checkMenu(body []byte) int {
	type button struct {
		Type      string   `json:"type"`
		Name      string   `json:"name"`
		Key       string   `json:"key"`
		SubButton []button `json:"sub_button"`
	}
	var m struct {
		Button []button `json:"button"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return 47001
	}
	if len(m.Button) < 1 || len(m.Button) > 3 {
		return 40016 // invalid button size
	}
	leaf := func(b button, maxName int) int {
		switch {
		case b.Name == "" || len(b.Name) > maxName:
			return 40018 // invalid button name size
		case b.Type != "click":
			return 40019 // invalid button type
		case b.Key == "" || len(b.Key) > 128:
			return 40019 // invalid button key size
		}
		return 0
	}
	for _, b := range m.Button {
		if len(b.SubButton) == 0 {
			if code := leaf(b, 16); code != 0 {
				return code
			}
			continue
		}
		if b.Name == "" || len(b.Name) > 16 {
			return 40018
		}
		if len(b.SubButton) > 5 {
			return 40023 // invalid sub button size
		}
		for _, sb := range b.SubButton {
			if code := leaf(sb, 40); code != 0 {
				return code
			}
		}
	}
	return 0
}

func (s *Server) robot(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	key := r.URL.Query().Get("key")
	var m struct {
		MsgType string `json:"msgtype"`
	}
	_ = json.Unmarshal(body, &m)
	var all map[string]json.RawMessage
	_ = json.Unmarshal(body, &all)
	var content struct {
		Content string `json:"content"`
	}
	_ = json.Unmarshal(all[m.MsgType], &content)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Call{Path: r.URL.Path, Token: key, Body: body}
	switch {
	case key == "":
		c.ErrCode = 93000 // invalid webhook url
	case m.MsgType == "text" && len(content.Content) > 2048, m.MsgType == "markdown" && len(content.Content) > 4096:
		c.ErrCode = 40058
	case m.MsgType != "text" && m.MsgType != "markdown" || content.Content == "":
		c.ErrCode = 40008
	}
	s.record(c)
	if c.ErrCode != 0 {
		writeJSON(w, errAnswer(c.ErrCode, "fake robot error"))
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}
