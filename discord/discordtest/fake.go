// Package discordtest is a fake Discord for tests: a REST server and a
// websocket gateway on 127.0.0.1 that speak enough of Discord's API v9 for
// github.com/bwmarrin/discordgo v0.29.0. It records every REST call so tests
// can assert on what a bot sent, and lets tests deliver gateway events
// (commands, autocomplete, button presses on a given message, modals,
// messages), answer 429s of every kind Discord sends (per route, global,
// shared, Cloudflare's HTML ban, an exhausted bucket's headers) and count
// the requests that ignored one, hold a response to stage a crash between
// a send and its record, keep the messages sent per channel (history,
// nonce deduplication, edits), and close the gateway with a close code
// (4004 after revoking the token, 4007/4009 forgetting the session, 4014 for
// a disallowed intent) or drop it; resumes go to a separate resume gateway.
package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Call is one REST request the bot made.
type Call struct {
	Method string
	Path   string // without /api/v9, e.g. /interactions/i1/t1/callback
	Query  string
	Body   []byte
	Status int // what the fake answered
	At     time.Time
}

// JSON decodes the body into a generic value.
func (c Call) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(c.Body, &m)
	return m
}

func (c Call) String() string {
	return fmt.Sprintf("%s %s -> %d %s", c.Method, c.Path, c.Status, c.Body)
}

// Identify is what the bot sent in op 2.
type Identify struct {
	Token   string  `json:"token"`
	Intents int     `json:"intents"`
	Shard   *[2]int `json:"shard"`
}

// Server is the fake Discord. Create it with New; it closes with the test.
type Server struct {
	URL   string // http://127.0.0.1:PORT, what DISCORD_API is set to
	Token string // the accepted token, without "Bot "
	AppID string
	BotID string
	// HeartbeatMS is the interval sent in Hello; set it before the bot connects.
	HeartbeatMS int

	t   testing.TB
	srv *httptest.Server
	up  websocket.Upgrader

	resumeSrv *httptest.Server // the resume_gateway_url READY names

	mu         sync.Mutex
	calls      []Call
	changed    chan struct{} // closed and replaced on every new call or connection
	conn       *gwConn
	identifies []Identify
	resumes    int
	viaResume  int // handshakes on the resume gateway
	heartbeats int
	limits     []RateLimit
	global     time.Time            // a global limit served lasts until
	routes     map[string]time.Time // method+path → a route limit served lasts until
	exhaust    map[string]float64   // method+prefix → the next success says Remaining 0
	violations []Call
	holds      []*Hold
	messages   map[string][]map[string]any // channel → messages, oldest first
	sessions   map[string]bool             // live session ids (resumable)
	revoked    bool                        // the token was revoked: 4004
	disallowed int                         // intents refused with 4014
	noDM       map[string]bool             // users who accept no DM from the bot
	intents    int                         // of the last identify
	seq        int64
	ids        atomic.Int64
}

// RateLimit is a 429 the fake answers to the next Count requests (default
// 1) with Method and a path starting with Prefix.
type RateLimit struct {
	Method, Prefix string
	RetryAfter     float64 // seconds
	// Scope is "user" (the default: this route only), "global" (every
	// route but interactions, with "global": true and X-RateLimit-Global)
	// or "shared" (a resource's limit, not the bot's).
	Scope string
	// Cloudflare answers as Cloudflare does for a banned address: an HTML
	// page with only Retry-After, holding for every route.
	Cloudflare bool
	Count      int
}

type gwConn struct {
	ws    *websocket.Conn
	mu    sync.Mutex // writes
	ready bool
}

func (g *gwConn) write(v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ws.WriteJSON(v)
}

// New starts a fake Discord accepting the token "test".
func New(t testing.TB) *Server {
	s := &Server{Token: "test", AppID: "100000000000000001", BotID: "100000000000000001", t: t,
		HeartbeatMS: 41250, changed: make(chan struct{}), routes: map[string]time.Time{},
		exhaust: map[string]float64{}, messages: map[string][]map[string]any{}, sessions: map[string]bool{}, noDM: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.resumeSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocket.IsWebSocketUpgrade(r) {
			s.gateway(w, r, true)
			return
		}
		http.NotFound(w, r)
	}))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops the gateway connection.
func (s *Server) Close() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.ws.Close()
	}
	s.mu.Lock()
	for _, h := range s.holds {
		h.Release()
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.resumeSrv.CloseClientConnections()
	s.resumeSrv.Close()
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ID returns a fresh snowflake-like id.
func (s *Server) ID() string {
	return strconv.FormatInt(200000000000000000+s.ids.Add(1), 10)
}

// RateLimitOnce makes the next request with method and a path starting with
// prefix answer 429 with retry_after seconds (body and Retry-After header).
func (s *Server) RateLimitOnce(method, prefix string, retryAfter float64) {
	s.RateLimit(RateLimit{Method: method, Prefix: prefix, RetryAfter: retryAfter})
}

// RateLimit arms a 429 (see RateLimit). While a limit it served lasts, the
// fake answers 429 again to every request the limit covers and records it
// as a violation: a well-behaved client makes none.
func (s *Server) RateLimit(l RateLimit) {
	if l.Count <= 0 {
		l.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, l)
}

// Exhaust makes the next successful request with method and a path
// starting with prefix carry X-RateLimit-Remaining: 0 and Reset-After
// resetAfter seconds: its route may not be called again before then.
func (s *Server) Exhaust(method, prefix string, resetAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exhaust[method+" "+prefix] = resetAfter
}

// Violations are the requests that arrived while a limit served to them
// still held.
func (s *Server) Violations() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.violations...)
}

// Hold is a response the fake withholds: the request is carried out (a
// message is stored) but not answered until Release, as when a process dies
// after Discord accepted its message and before it heard so.
type Hold struct {
	match   func(Call) bool
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

// Arrived is closed when the held request has been carried out.
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Release answers the held request (if its client still waits).
func (h *Hold) Release() { h.once.Do(func() { close(h.release) }) }

// HoldNext withholds the response to the next request match accepts.
func (s *Server) HoldNext(match func(Call) bool) *Hold {
	h := &Hold{match: match, arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holds = append(s.holds, h)
	return h
}

// RefuseDM makes the user's DMs refuse the bot (403, code 50007), as for a
// user who allows no DMs from server members.
func (s *Server) RefuseDM(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noDM[userID] = true
}

// Messages returns the messages the bot created in channel, oldest first.
func (s *Server) Messages(channel string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.messages[channel]...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		s.gateway(w, r, false)
		return
	}
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	call := Call{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body, At: time.Now()}
	status, resp, hdr := s.limited(r, call)
	if status == 0 {
		status, resp = s.route(r, path, body)
		if status < 300 {
			hdr = s.exhausted(call)
		}
	}
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	var hold *Hold
	for i, h := range s.holds {
		if h.match(call) {
			hold = h
			s.holds = append(s.holds[:i], s.holds[i+1:]...)
			break
		}
	}
	s.notify()
	s.mu.Unlock()
	if hold != nil {
		close(hold.arrived)
		select {
		case <-hold.release:
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	if html, ok := resp.(string); ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, html)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// interactionPath is an interaction callback or follow-up: exempt from the
// global limit, as on Discord.
func interactionPath(path string) bool {
	return strings.HasPrefix(path, "/interactions/") || strings.HasPrefix(path, "/webhooks/")
}

// limited answers a 429 when one is armed for the call or a limit served
// still holds (a violation); status 0 lets the call through.
func (s *Server) limited(r *http.Request, c Call) (int, any, map[string]string) {
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		return 0, nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	key := c.Method + " " + c.Path
	if until := s.routes[key]; now.Before(until) {
		s.violations = append(s.violations, c)
		return s.tooMany(until.Sub(now).Seconds(), "user", false)
	}
	if now.Before(s.global) && !interactionPath(c.Path) {
		s.violations = append(s.violations, c)
		return s.tooMany(s.global.Sub(now).Seconds(), "global", false)
	}
	for i, l := range s.limits {
		if l.Method != c.Method || !strings.HasPrefix(c.Path, l.Prefix) {
			continue
		}
		if s.limits[i].Count--; s.limits[i].Count <= 0 {
			s.limits = append(s.limits[:i], s.limits[i+1:]...)
		}
		until := now.Add(time.Duration(l.RetryAfter * float64(time.Second)))
		switch {
		case l.Cloudflare || l.Scope == "global":
			if !interactionPath(c.Path) || l.Cloudflare {
				s.global = until
			}
		default:
			s.routes[key] = until
		}
		return s.tooMany(l.RetryAfter, l.Scope, l.Cloudflare)
	}
	return 0, nil, nil
}

func (s *Server) tooMany(retryAfter float64, scope string, cloudflare bool) (int, any, map[string]string) {
	ra := strconv.FormatFloat(retryAfter, 'f', 3, 64)
	if cloudflare {
		return http.StatusTooManyRequests, "<html><body>Error 1015: You are being rate limited.</body></html>",
			map[string]string{"Retry-After": strconv.Itoa(int(retryAfter + 0.999))}
	}
	if scope == "" {
		scope = "user"
	}
	h := map[string]string{"Retry-After": ra, "X-RateLimit-Scope": scope}
	global := scope == "global"
	if global {
		h["X-RateLimit-Global"] = "true"
	} else {
		h["X-RateLimit-Remaining"], h["X-RateLimit-Reset-After"], h["X-RateLimit-Bucket"] = "0", ra, "fake-bucket"
	}
	return http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retryAfter,
		"global": global, "code": 0}, h
}

// exhausted is the headers of a successful call, saying its bucket is
// empty when Exhaust asked so.
func (s *Server) exhausted(c Call) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, after := range s.exhaust {
		m, prefix, _ := strings.Cut(k, " ")
		if m != c.Method || !strings.HasPrefix(c.Path, prefix) {
			continue
		}
		delete(s.exhaust, k)
		s.routes[c.Method+" "+c.Path] = time.Now().Add(time.Duration(after * float64(time.Second)))
		ra := strconv.FormatFloat(after, 'f', 3, 64)
		return map[string]string{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": ra,
			"X-RateLimit-Bucket": "fake-bucket"}
	}
	return map[string]string{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "1.000",
		"X-RateLimit-Bucket": "fake-bucket"}
}

// route answers one REST call.
func (s *Server) route(r *http.Request, path string, body []byte) (int, any) {
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		return http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0}
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == "GET" && path == "/gateway":
		return 200, map[string]any{"url": "ws://" + r.Host}
	case r.Method == "GET" && path == "/users/@me":
		return 200, s.botUser()
	case r.Method == "PUT" && len(seg) >= 3 && seg[0] == "applications" && seg[len(seg)-1] == "commands":
		var cmds []map[string]any
		_ = json.Unmarshal(body, &cmds)
		for _, c := range cmds {
			c["id"] = s.ID()
			c["application_id"] = seg[1]
			c["version"] = "1"
		}
		return 200, cmds
	case r.Method == "POST" && len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		return http.StatusNoContent, nil
	case r.Method == "PATCH" && len(seg) == 5 && seg[0] == "webhooks":
		return 200, s.message("", body)
	case r.Method == "POST" && len(seg) == 3 && seg[0] == "webhooks":
		return 200, s.message("", body)
	case r.Method == "POST" && path == "/users/@me/channels":
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		_ = json.Unmarshal(body, &req)
		return 200, map[string]any{"id": "dm-" + req.RecipientID, "type": 1,
			"recipients": []any{map[string]any{"id": req.RecipientID, "username": "user"}}}
	case r.Method == "POST" && len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		s.mu.Lock()
		refused := s.noDM[strings.TrimPrefix(seg[1], "dm-")] && strings.HasPrefix(seg[1], "dm-")
		s.mu.Unlock()
		if refused {
			return http.StatusForbidden, map[string]any{"message": "Cannot send messages to this user", "code": 50007}
		}
		return 200, s.create(seg[1], body)
	case r.Method == "GET" && len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		return 200, s.history(seg[1], r.URL.Query().Get("limit"))
	case r.Method == "PATCH" && len(seg) == 4 && seg[0] == "channels" && seg[2] == "messages":
		return s.edit(seg[1], seg[3], body)
	}
	return http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0}
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.BotID, "username": "huiqi", "discriminator": "0", "bot": true}
}

// create stores a message the bot sent to channel. A nonce with
// enforce_nonce that the channel has seen returns that message instead of
// a new one, as Discord does for a few minutes.
func (s *Server) create(channel string, body []byte) map[string]any {
	var req struct {
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
	_ = json.Unmarshal(body, &req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Nonce != "" && req.EnforceNonce {
		for _, m := range s.messages[channel] {
			if m["nonce"] == req.Nonce {
				return m
			}
		}
	}
	m := s.message(channel, body)
	s.messages[channel] = append(s.messages[channel], m)
	return m
}

// history is GET /channels/{id}/messages: the newest first, up to limit
// (default 50, at most 100), as Discord returns them (without nonces).
func (s *Server) history(channel, limit string) []map[string]any {
	n, err := strconv.Atoi(limit)
	if err != nil || n <= 0 || n > 100 {
		n = 50
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.messages[channel]
	out := []map[string]any{}
	for i := len(ms) - 1; i >= 0 && len(out) < n; i-- {
		c := map[string]any{}
		for k, v := range ms[i] {
			if k != "nonce" {
				c[k] = v
			}
		}
		out = append(out, c)
	}
	return out
}

// edit is PATCH /channels/{id}/messages/{id}: fields given replace the
// stored message's.
func (s *Server) edit(channel, id string, body []byte) (int, any) {
	var patch map[string]any
	_ = json.Unmarshal(body, &patch)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages[channel] {
		if m["id"] == id {
			for k, v := range patch {
				if k != "allowed_mentions" {
					m[k] = v
				}
			}
			return 200, m
		}
	}
	return http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008}
}

func (s *Server) message(channel string, body []byte) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(body, &m)
	m["id"] = s.ID()
	m["channel_id"] = channel
	m["author"] = s.botUser()
	m["timestamp"] = time.Now().UTC().Format(time.RFC3339)
	delete(m, "allowed_mentions")
	delete(m, "message_reference")
	delete(m, "enforce_nonce")
	return m
}

// gateway speaks the websocket protocol: Hello, Identify/Resume, READY or
// RESUMED (or op 9 for a session it no longer knows, or a close code),
// heartbeats, then the events the test dispatches. viaResume is set on the
// resume gateway (READY's resume_gateway_url).
func (s *Server) gateway(w http.ResponseWriter, r *http.Request, viaResume bool) {
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	defer ws.Close()
	s.mu.Lock()
	interval := s.HeartbeatMS
	if viaResume {
		s.viaResume++
	}
	s.mu.Unlock()
	if err := c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": interval}}); err != nil {
		return
	}
	closeWith := func(code int, reason string) {
		c.mu.Lock()
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
		c.mu.Unlock()
	}
	var first struct {
		Op int             `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	for {
		if err := ws.ReadJSON(&first); err != nil {
			return
		}
		if first.Op != 1 { // a heartbeat may come before the handshake
			break
		}
		_ = c.write(map[string]any{"op": 11})
	}
	s.mu.Lock()
	switch first.Op {
	case 2:
		var id Identify
		_ = json.Unmarshal(first.D, &id)
		s.identifies = append(s.identifies, id)
		s.intents = id.Intents
		s.notify()
		switch {
		case id.Token != "Bot "+s.Token || s.revoked:
			s.mu.Unlock()
			closeWith(4004, "Authentication failed.")
			return
		case id.Intents&s.disallowed != 0:
			s.mu.Unlock()
			closeWith(4014, "Disallowed intent(s).")
			return
		}
		if err = s.ready(c, r.Host); err != nil {
			s.mu.Unlock()
			return
		}
	case 6:
		var res struct {
			Token     string `json:"token"`
			SessionID string `json:"session_id"`
		}
		_ = json.Unmarshal(first.D, &res)
		s.resumes++
		s.notify()
		if res.Token != "Bot "+s.Token || s.revoked {
			s.mu.Unlock()
			closeWith(4004, "Authentication failed.")
			return
		}
		if !s.sessions[res.SessionID] {
			// An unknown session: op 9, and the client identifies again.
			if err = c.write(map[string]any{"op": 9, "d": false}); err != nil {
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			var again struct {
				Op int             `json:"op"`
				D  json.RawMessage `json:"d"`
			}
			if err := ws.ReadJSON(&again); err != nil || again.Op != 2 {
				return
			}
			var id Identify
			_ = json.Unmarshal(again.D, &id)
			s.mu.Lock()
			s.identifies = append(s.identifies, id)
			s.intents = id.Intents
			if err = s.ready(c, r.Host); err != nil {
				s.mu.Unlock()
				return
			}
			break
		}
		s.seq++
		err = c.write(map[string]any{"op": 0, "t": "RESUMED", "s": s.seq, "d": map[string]any{}})
	default:
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.mu.Unlock()
		return
	}
	c.ready = true
	s.conn = c
	s.notify()
	s.mu.Unlock()

	for {
		var f struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := ws.ReadJSON(&f); err != nil {
			break
		}
		if f.Op == 1 {
			s.mu.Lock()
			s.heartbeats++
			s.notify()
			s.mu.Unlock()
			if c.write(map[string]any{"op": 11}) != nil {
				break
			}
		}
	}
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	s.notify()
	s.mu.Unlock()
}

// ready starts a session (s.mu held): READY with a resume gateway.
func (s *Server) ready(c *gwConn, host string) error {
	s.seq++
	sid := "session-" + s.ID()
	s.sessions[sid] = true
	return c.write(map[string]any{"op": 0, "t": "READY", "s": s.seq, "d": map[string]any{
		"v": 9, "session_id": sid, "user": s.botUser(),
		"application": map[string]any{"id": s.AppID, "flags": 0},
		"guilds":      []any{}, "private_channels": []any{},
		"resume_gateway_url": "ws://" + strings.TrimPrefix(s.resumeSrv.URL, "http://"),
	}})
}

// CloseWith closes the live gateway connection with a close code, as
// Discord does: 4004 also revokes the token (every later handshake gets
// 4004), 4007 and 4009 forget the session (a resume gets op 9).
func (s *Server) CloseWith(code int, reason string) {
	s.t.Helper()
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	switch code {
	case 4004:
		s.revoked = true
	case 4007, 4009:
		clear(s.sessions)
	}
	s.mu.Unlock()
	if c == nil {
		s.t.Fatalf("discordtest: close %d: bot not connected", code)
	}
	c.mu.Lock()
	_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
	c.mu.Unlock()
	time.AfterFunc(200*time.Millisecond, func() { c.ws.Close() })
}

// DisallowIntents makes every identify asking for one of these intent bits
// end with 4014, as for a privileged intent not enabled in the portal.
func (s *Server) DisallowIntents(mask int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disallowed = mask
}

// ViaResume is how many connections reached the resume gateway.
func (s *Server) ViaResume() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viaResume
}

// Connections is how many sessions the bot opened (identify) and resumed.
func (s *Server) Connections() (identifies, resumes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.identifies), s.resumes
}

// WaitHeartbeats waits until the bot has sent n heartbeats (op 1), each
// answered with op 11.
func (s *Server) WaitHeartbeats(n int, timeout time.Duration) {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		got := s.heartbeats
		ch := s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("discordtest: %d heartbeats within %v, want %d", got, timeout, n)
		}
	}
}

// Identifies returns the identify payloads received.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.identifies...)
}

// Drop closes the gateway connection abruptly, forcing the bot to reconnect.
func (s *Server) Drop() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.ws.Close()
	}
}

// WaitConnected waits until the bot has completed n handshakes (identify or
// resume) and holds a live connection.
func (s *Server) WaitConnected(n int, timeout time.Duration) {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ok := s.conn != nil && len(s.identifies)+s.resumes >= n
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("discordtest: no gateway connection #%d within %v", n, timeout)
		}
	}
}

// Dispatch sends a gateway event (op 0) to the connected bot.
func (s *Server) Dispatch(event string, data any) {
	s.t.Helper()
	s.mu.Lock()
	c := s.conn
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if c == nil {
		s.t.Fatalf("discordtest: dispatch %s: bot not connected", event)
	}
	if err := c.write(map[string]any{"op": 0, "t": event, "s": seq, "d": data}); err != nil {
		s.t.Fatalf("discordtest: dispatch %s: %v", event, err)
	}
}

// Calls returns every REST call so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Wait returns the first call (from the start of the test) for which match
// is true, waiting up to timeout for it.
func (s *Server) Wait(timeout time.Duration, what string, match func(Call) bool) Call {
	s.t.Helper()
	c, ok := s.WaitN(timeout, 1, match)
	if !ok {
		var b bytes.Buffer
		for _, c := range s.Calls() {
			fmt.Fprintf(&b, "  %s\n", c)
		}
		s.t.Fatalf("discordtest: no %s within %v; calls:\n%s", what, timeout, b.String())
	}
	return c[0]
}

// WaitN waits until n calls match and returns them; ok is false on timeout.
func (s *Server) WaitN(timeout time.Duration, n int, match func(Call) bool) ([]Call, bool) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		var got []Call
		for _, c := range s.calls {
			if match(c) {
				got = append(got, c)
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got[:n], true
		}
		select {
		case <-ch:
		case <-deadline:
			return got, false
		}
	}
}

// Is matches calls by method and exact path.
func Is(method, path string) func(Call) bool {
	return func(c Call) bool { return c.Method == method && c.Path == path && c.Status < 300 }
}

// Member is a guild member in an interaction or message.
type Member struct {
	UserID string
	Name   string
	Roles  []string
}

func (m Member) user() map[string]any {
	name := m.Name
	if name == "" {
		name = "user" + m.UserID
	}
	return map[string]any{"id": m.UserID, "username": name, "discriminator": "0"}
}

// Where is where an interaction happens: a guild channel or, with Guild
// empty, a DM.
type Where struct {
	Guild   string
	Channel string
}

func (s *Server) interaction(typ int, id, token string, who Member, where Where, data map[string]any, msg map[string]any) map[string]any {
	i := map[string]any{
		"id": id, "application_id": s.AppID, "type": typ, "token": token, "version": 1,
		"channel_id": where.Channel, "data": data, "locale": "zh-CN",
	}
	if where.Guild != "" {
		roles := who.Roles
		if roles == nil {
			roles = []string{}
		}
		i["guild_id"] = where.Guild
		i["member"] = map[string]any{"user": who.user(), "roles": roles}
	} else {
		i["user"] = who.user()
	}
	if msg != nil {
		i["message"] = msg
	}
	return i
}

// Command delivers a slash command; it returns the interaction id and token.
func (s *Server) Command(who Member, where Where, name string, options map[string]string) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	var opts []any
	for k, v := range options {
		opts = append(opts, map[string]any{"name": k, "type": 3, "value": v})
	}
	data := map[string]any{"id": s.ID(), "name": name, "type": 1, "options": opts}
	s.Dispatch("INTERACTION_CREATE", s.interaction(2, id, token, who, where, data, nil))
	return id, token
}

// MessageRef is the message a component sits on: its id, flags (64 for
// ephemeral) and, optionally, the interaction that made it.
type MessageRef struct {
	ID    string
	Flags int
}

// Click delivers a button press (custom_id) on a message with the given flags.
func (s *Server) Click(who Member, where Where, customID string, msgFlags int) (id, token string) {
	s.t.Helper()
	return s.Press(who, where, customID, MessageRef{ID: s.ID(), Flags: msgFlags})
}

// Press delivers a button press on the message msg.
func (s *Server) Press(who Member, where Where, customID string, msg MessageRef) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	data := map[string]any{"custom_id": customID, "component_type": 2}
	s.Dispatch("INTERACTION_CREATE", s.interaction(3, id, token, who, where, data, s.onMessage(where, msg)))
	return id, token
}

func (s *Server) onMessage(where Where, msg MessageRef) map[string]any {
	if msg.ID == "" {
		msg.ID = s.ID()
	}
	return map[string]any{"id": msg.ID, "channel_id": where.Channel, "flags": msg.Flags, "content": "",
		"author": s.botUser(), "timestamp": time.Now().UTC().Format(time.RFC3339)}
}

// Select delivers a select-menu choice.
func (s *Server) Select(who Member, where Where, customID, value string, msgFlags int) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	data := map[string]any{"custom_id": customID, "component_type": 3, "values": []string{value}}
	s.Dispatch("INTERACTION_CREATE", s.interaction(3, id, token, who, where, data, s.onMessage(where, MessageRef{Flags: msgFlags})))
	return id, token
}

// Submit delivers a modal submission with the text inputs' values.
func (s *Server) Submit(who Member, where Where, customID string, values map[string]string) (id, token string) {
	s.t.Helper()
	return s.SubmitOn(who, where, customID, values, nil)
}

// SubmitOn delivers a modal submission; msg, when set, is the message
// whose button opened the modal (Discord then allows an update of it).
func (s *Server) SubmitOn(who Member, where Where, customID string, values map[string]string, msg *MessageRef) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	var rows []any
	for k, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 4, "custom_id": k, "value": v},
		}})
	}
	data := map[string]any{"custom_id": customID, "components": rows}
	var m map[string]any
	if msg != nil {
		m = s.onMessage(where, *msg)
	}
	s.Dispatch("INTERACTION_CREATE", s.interaction(5, id, token, who, where, data, m))
	return id, token
}

// Autocomplete delivers an autocomplete request for command name while the
// user types value into option focused (other options as given).
func (s *Server) Autocomplete(who Member, where Where, name, focused, value string, others map[string]string) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	opts := []any{map[string]any{"name": focused, "type": 3, "value": value, "focused": true}}
	for k, v := range others {
		opts = append(opts, map[string]any{"name": k, "type": 3, "value": v})
	}
	data := map[string]any{"id": s.ID(), "name": name, "type": 1, "options": opts}
	s.Dispatch("INTERACTION_CREATE", s.interaction(4, id, token, who, where, data, nil))
	return id, token
}

// Message delivers MESSAGE_CREATE; mention adds a mention of the bot.
func (s *Server) Message(who Member, where Where, content string, mention bool) (id string) {
	s.t.Helper()
	id = s.ID()
	m := map[string]any{
		"id": id, "channel_id": where.Channel, "author": who.user(), "content": content,
		"timestamp": time.Now().UTC().Format(time.RFC3339), "type": 0, "mentions": []any{},
	}
	if mention {
		m["content"] = "<@" + s.BotID + "> " + content
		m["mentions"] = []any{s.botUser()}
	}
	if where.Guild != "" {
		m["guild_id"] = where.Guild
		m["member"] = map[string]any{"roles": []string{}}
		s.mu.Lock()
		intents := s.intents
		s.mu.Unlock()
		if !mention && intents&MessageContentIntent == 0 {
			m["content"] = "" // without the privileged intent, as Discord sends it
		}
	}
	s.Dispatch("MESSAGE_CREATE", m)
	return id
}

// MessageContentIntent is the privileged intent without which Discord
// leaves out the content of guild messages that do not mention the bot.
const MessageContentIntent = 1 << 15

// BotMessage delivers a message written by another bot (to be ignored).
func (s *Server) BotMessage(where Where, content string) {
	s.t.Helper()
	m := map[string]any{
		"id": s.ID(), "channel_id": where.Channel, "content": content, "type": 0,
		"author": map[string]any{"id": "999", "username": "otherbot", "bot": true}, "mentions": []any{},
	}
	if where.Guild != "" {
		m["guild_id"] = where.Guild
	}
	s.Dispatch("MESSAGE_CREATE", m)
}
