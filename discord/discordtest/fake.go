// Package discordtest is a fake Discord for tests: a REST server and a
// websocket gateway on 127.0.0.1 that speak enough of Discord's API v9 for
// github.com/bwmarrin/discordgo v0.29.0. It records every REST call so tests
// can assert on what a bot sent, and lets tests deliver gateway events, force
// a 429 and drop the connection.
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

	mu         sync.Mutex
	calls      []Call
	changed    chan struct{} // closed and replaced on every new call or connection
	conn       *gwConn
	identifies []Identify
	resumes    int
	heartbeats int
	limits     []rateLimit
	seq        int64
	ids        atomic.Int64
}

type rateLimit struct {
	method, prefix string
	retryAfter     float64
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
		HeartbeatMS: 41250, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
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
	s.srv.CloseClientConnections()
	s.srv.Close()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, rateLimit{method, prefix, retryAfter})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		s.gateway(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	call := Call{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body, At: time.Now()}
	status, resp := s.route(r, path, body)
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", resp.(map[string]any)["retry_after_header"].(string))
		delete(resp.(map[string]any), "retry_after_header")
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// route answers one REST call.
func (s *Server) route(r *http.Request, path string, body []byte) (int, any) {
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		return http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0}
	}
	s.mu.Lock()
	for i, l := range s.limits {
		if l.method == r.Method && strings.HasPrefix(path, l.prefix) {
			s.limits = append(s.limits[:i], s.limits[i+1:]...)
			s.mu.Unlock()
			return http.StatusTooManyRequests, map[string]any{
				"message": "You are being rate limited.", "retry_after": l.retryAfter, "global": false,
				"retry_after_header": strconv.FormatFloat(l.retryAfter, 'f', -1, 64),
			}
		}
	}
	s.mu.Unlock()
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
		return 200, s.message(seg[1], body)
	}
	return http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0}
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.BotID, "username": "huiqi", "discriminator": "0", "bot": true}
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
	return m
}

// gateway speaks the websocket protocol: Hello, Identify/Resume, READY or
// RESUMED, heartbeats, then the events the test dispatches.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	defer ws.Close()
	s.mu.Lock()
	interval := s.HeartbeatMS
	s.mu.Unlock()
	if err := c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": interval}}); err != nil {
		return
	}
	var first struct {
		Op int             `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if err := ws.ReadJSON(&first); err != nil {
		return
	}
	s.mu.Lock()
	switch first.Op {
	case 2:
		var id Identify
		_ = json.Unmarshal(first.D, &id)
		s.identifies = append(s.identifies, id)
		if id.Token != "Bot "+s.Token {
			s.mu.Unlock()
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
			return
		}
		s.seq++
		err = c.write(map[string]any{"op": 0, "t": "READY", "s": s.seq, "d": map[string]any{
			"v": 9, "session_id": "session-" + s.ID(), "user": s.botUser(),
			"application": map[string]any{"id": s.AppID, "flags": 0},
			"guilds":      []any{}, "private_channels": []any{},
			"resume_gateway_url": "ws://" + r.Host,
		}})
	case 6:
		s.resumes++
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
	s.mu.Unlock()
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

// Click delivers a button press (custom_id) on a message with the given flags.
func (s *Server) Click(who Member, where Where, customID string, msgFlags int) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	data := map[string]any{"custom_id": customID, "component_type": 2}
	msg := map[string]any{"id": s.ID(), "channel_id": where.Channel, "flags": msgFlags, "content": ""}
	s.Dispatch("INTERACTION_CREATE", s.interaction(3, id, token, who, where, data, msg))
	return id, token
}

// Select delivers a select-menu choice.
func (s *Server) Select(who Member, where Where, customID, value string, msgFlags int) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	data := map[string]any{"custom_id": customID, "component_type": 3, "values": []string{value}}
	msg := map[string]any{"id": s.ID(), "channel_id": where.Channel, "flags": msgFlags, "content": ""}
	s.Dispatch("INTERACTION_CREATE", s.interaction(3, id, token, who, where, data, msg))
	return id, token
}

// Submit delivers a modal submission with the text inputs' values.
func (s *Server) Submit(who Member, where Where, customID string, values map[string]string) (id, token string) {
	s.t.Helper()
	id, token = s.ID(), "tok-"+s.ID()
	var rows []any
	for k, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 4, "custom_id": k, "value": v},
		}})
	}
	data := map[string]any{"custom_id": customID, "components": rows}
	s.Dispatch("INTERACTION_CREATE", s.interaction(5, id, token, who, where, data, nil))
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
	}
	s.Dispatch("MESSAGE_CREATE", m)
	return id
}

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
