// Package wechat is the WeChat channel of the conversation engine: the
// message server (服务器配置) of a WeChat official account, which verifies
// and decrypts WeChat's callbacks, hands each user's messages and menu
// clicks to the engine, and answers within WeChat's 5 seconds, passively
// when the answer is ready and through the customer-service API when it is
// not. It also sends ticket notices to users (template, subscribe or
// customer-service messages) and unit alerts to WeChat Work group robots.
//
// One conversation per follower: the key is bot.Key{Channel: "wechat",
// User: <OpenID>}.
package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"huiqi/bot"
)

// Engine is the conversation engine (*bot.Engine).
type Engine interface {
	Handle(ctx context.Context, key bot.Key, in bot.Input) ([]bot.Reply, error)
}

// Channel is the engine key's channel for WeChat users.
const Channel = "wechat"

// Key is the engine's conversation key of a follower.
func Key(openID string) bot.Key { return bot.Key{Channel: Channel, User: openID} }

// OpenID returns the follower of a ticket's reporter key ("wechat:OPENID",
// as the engine stores it), and false for a reporter of another channel.
func OpenID(reporterKey string) (string, bool) {
	id, ok := strings.CutPrefix(reporterKey, Channel+":")
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// Server is the callback server of one official account. Create it with
// NewServer; serve Handler yourself or call Run.
type Server struct {
	cfg      Config
	engine   Engine
	client   *Client
	cipher   *Cipher // nil in plain mode
	log      *slog.Logger
	nonces   *ttlCache[[32]byte] // timestamp+nonce → digest of the body signed with them
	seen     *ttlCache[*pending] // message id → its answer
	sessions *sessions
	locks    *keyLocks
	wg       sync.WaitGroup // turns still running (answers to deliver)
}

// NewServer checks the configuration and returns the server. A missing or
// malformed setting is an error naming its environment variable.
func NewServer(cfg Config, engine Engine) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Token = strings.TrimSpace(cfg.Token)
	if engine == nil {
		return nil, errors.New("wechat: engine is required")
	}
	client, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, engine: engine, client: client, log: cfg.Log,
		nonces:   newTTLCache[[32]byte](cfg.MaxSeen, 2*cfg.Window),
		seen:     newTTLCache[*pending](cfg.MaxSeen, 2*cfg.Window),
		sessions: newSessions(cfg.MaxSessions, cfg.SessionTTL, cfg.Sessions, cfg.Log),
		locks:    newKeyLocks(),
	}
	if key := strings.TrimSpace(cfg.EncodingAESKey); key != "" {
		if s.cipher, err = NewCipher(key, client.appID); err != nil {
			return nil, fmt.Errorf("%w (%s)", err, EnvAESKey)
		}
	}
	return s, nil
}

// Client is the server's API client (for notices and the menu).
func (s *Server) Client() *Client { return s.client }

// SafeMode reports whether callbacks are encrypted (EncodingAESKey set).
func (s *Server) SafeMode() bool { return s.cipher != nil }

// Handler serves the callback at Path.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(Path, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			s.verifyURL(w, r)
		case http.MethodPost:
			s.receive(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
	return mux
}

// Run serves on addr until ctx is done, then waits for the answers still
// being delivered.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("wechat: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      max(s.cfg.ReplyBudget, 0) + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("wechat: serving", "addr", ln.Addr().String(), "path", Path, "safe_mode", s.SafeMode())
	select {
	case err := <-errc:
		s.Wait()
		return fmt.Errorf("wechat: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		s.log.Warn("wechat: shutdown", "err", err)
	}
	s.Wait()
	return nil
}

// Wait returns when every turn started so far has delivered its answer.
func (s *Server) Wait() { s.wg.Wait() }

// refuse answers a callback that is not WeChat's, or not usable.
func (s *Server) refuse(w http.ResponseWriter, status int, reason string) {
	s.log.Warn("wechat: callback refused", "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}

// fresh checks a callback's timestamp against the clock.
func (s *Server) fresh(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return false
	}
	d := s.cfg.Now().Sub(time.Unix(n, 0))
	return d <= s.cfg.Window && d >= -s.cfg.Window
}

// verifyURL answers WeChat's check of the server URL: echostr back when
// the signature is the token's.
func (s *Server) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce, echo := q.Get("timestamp"), q.Get("nonce"), q.Get("echostr")
	switch {
	case !signatureOK(q.Get("signature"), Signature(s.cfg.Token, ts, nonce)):
		s.refuse(w, http.StatusForbidden, "bad signature on URL verification")
	case !s.fresh(ts):
		s.refuse(w, http.StatusForbidden, "stale timestamp on URL verification")
	case echo == "" || len(echo) > 256:
		s.refuse(w, http.StatusBadRequest, "no echostr")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		io.WriteString(w, echo)
	}
}

// receive takes one message or event.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.refuse(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		s.refuse(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if nonce == "" || len(nonce) > 64 {
		s.refuse(w, http.StatusForbidden, "no nonce")
		return
	}
	encrypted := strings.EqualFold(q.Get("encrypt_type"), "aes")
	var raw []byte
	switch {
	case s.cipher != nil:
		if !encrypted {
			s.refuse(w, http.StatusForbidden, "plain callback while safe mode is on (WeChat encrypts every message in safe mode)")
			return
		}
		env, err := parseEnvelope(body)
		if err != nil {
			s.refuse(w, http.StatusBadRequest, err.Error())
			return
		}
		if !signatureOK(q.Get("msg_signature"), Signature(s.cfg.Token, ts, nonce, env.Encrypt)) {
			s.refuse(w, http.StatusForbidden, "bad msg_signature")
			return
		}
		if sig := q.Get("signature"); sig != "" && !signatureOK(sig, Signature(s.cfg.Token, ts, nonce)) {
			s.refuse(w, http.StatusForbidden, "bad signature")
			return
		}
		if !s.fresh(ts) {
			s.refuse(w, http.StatusForbidden, "stale timestamp")
			return
		}
		if raw, err = s.cipher.Decrypt(env.Encrypt); err != nil {
			s.refuse(w, http.StatusForbidden, err.Error())
			return
		}
	default:
		if encrypted {
			s.refuse(w, http.StatusBadRequest, "encrypted callback but "+EnvAESKey+" is not set: the account is in safe mode")
			return
		}
		if !signatureOK(q.Get("signature"), Signature(s.cfg.Token, ts, nonce)) {
			s.refuse(w, http.StatusForbidden, "bad signature")
			return
		}
		if !s.fresh(ts) {
			s.refuse(w, http.StatusForbidden, "stale timestamp")
			return
		}
		raw = body
	}
	// A signature is good for one body: the same timestamp and nonce on a
	// different body is a replay (in plain mode the signature does not
	// cover the body). The same body again is a resend, answered below
	// from what the first delivery produced.
	now := s.cfg.Now()
	digest := sha256.Sum256(body)
	if prev, first := s.nonces.putIfAbsent(ts+"\x00"+nonce, digest, now); !first && prev != digest {
		s.refuse(w, http.StatusForbidden, "replayed timestamp and nonce")
		return
	}
	msg, err := ParseMessage(raw)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	in, ok := inboundFor(msg)
	switch {
	case !ok:
		s.success(w)
		return
	case in.fixed != "":
		s.reply(w, msg, in.fixed)
		return
	}
	p, first := s.seen.putIfAbsent(dedupKey(msg), newPending(), now)
	if first && s.cfg.ReplyBudget < 0 {
		p.giveUp() // before the turn starts, so it cannot settle passive
	}
	if first {
		s.start(r.Context(), msg.FromUserName, in, p)
	} else {
		s.log.Info("wechat: repeated delivery answered without a new turn", "msg_id", msg.MsgID, "type", msg.MsgType)
	}
	s.await(w, r, msg, p)
}

// dedupKey identifies a delivery across WeChat's retries: the MsgId of a
// message, FromUserName + CreateTime (and the event) of an event.
func dedupKey(m Message) string {
	if m.MsgID != "" {
		return "m\x00" + m.MsgID
	}
	return "e\x00" + m.FromUserName + "\x00" + strconv.FormatInt(m.CreateTime, 10) + "\x00" + m.Event + "\x00" + m.EventKey
}

// inbound is what a callback asks of the adapter.
type inbound struct {
	text  string    // typed text (numbers and forms apply)
	input bot.Input // a menu click or a follow: straight to the engine
	fixed string    // an answer that needs no engine
}

// msgTextOnly answers what the engine cannot read (pictures, voice without
// recognition, locations, links).
const msgTextOnly = "目前只能处理文字消息。请用文字描述您的问题，或点下方菜单选择功能。"

// msgInternal is all a user sees of an internal failure (the engine's own words).
const msgInternal = "系统出了点问题，请稍后再试。"

// inboundFor maps a message to the adapter's work; ok is false for what
// needs no answer (unfollow, link menus, delivery reports).
func inboundFor(m Message) (inbound, bool) {
	switch m.MsgType {
	case "text":
		return inbound{text: m.Content}, true
	case "voice":
		if strings.TrimSpace(m.Recognition) != "" {
			return inbound{text: m.Recognition}, true
		}
		return inbound{fixed: msgTextOnly}, true
	case "event":
		switch strings.ToLower(m.Event) {
		case "subscribe":
			return inbound{input: bot.Input{Action: bot.ActionStart}}, true
		case "click":
			return inbound{input: menuInput(m.EventKey)}, true
		}
		return inbound{}, false
	}
	return inbound{fixed: msgTextOnly}, true
}

// pending is one delivery's answer: running, then passive (ready as the
// reply to the callback), via the API (the callback gave up waiting, or
// the answer is several messages), or nothing to say.
type pending struct {
	mu    sync.Mutex
	ready chan struct{} // closed when the state leaves running
	state int
	text  string // the passive reply
}

const (
	running = iota
	passive
	viaAPI
	silent
)

func newPending() *pending { return &pending{ready: make(chan struct{})} }

// settle records the turn's messages; it reports whether the turn must
// send them itself through the API.
func (p *pending) settle(parts []string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != running {
		return p.state == viaAPI
	}
	switch len(parts) {
	case 0:
		p.state = silent
	case 1:
		p.state, p.text = passive, parts[0]
	default:
		// Several messages go in order through the API: a passive reply
		// could arrive after the API's messages.
		p.state = viaAPI
	}
	close(p.ready)
	return p.state == viaAPI
}

// giveUp moves a running answer to the API and returns the state.
func (p *pending) giveUp() (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == running {
		p.state = viaAPI
		close(p.ready)
	}
	return p.state, p.text
}

// start runs the turn in the background: it outlives the callback when
// the answer is slow, and then delivers it through the API.
func (s *Server) start(ctx context.Context, user string, in inbound, p *pending) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.TurnTimeout)
		defer cancel()
		// The user's lock is held through the deliveries, so the next
		// message's answer comes after this one's.
		unlock := s.locks.lock(user)
		defer unlock()
		parts := s.turn(ctx, user, in)
		if !p.settle(parts) {
			return
		}
		for i, part := range parts {
			if err := s.client.SendText(ctx, user, part); err != nil {
				s.log.Error("wechat: deliver through the customer-service API", "user", user, "part", i+1, "of", len(parts), "err", err)
				return
			}
		}
		s.log.Info("wechat: answer delivered through the customer-service API", "user", user, "messages", len(parts))
	}()
}

// await answers the callback: the passive reply if the turn settles within
// the budget, else success (the turn then sends the answer itself).
func (s *Server) await(w http.ResponseWriter, r *http.Request, msg Message, p *pending) {
	t := time.NewTimer(max(s.cfg.ReplyBudget, 0))
	defer t.Stop()
	select {
	case <-p.ready:
	case <-t.C:
	case <-r.Context().Done():
	}
	state, text := p.giveUp()
	if state == passive {
		s.reply(w, msg, text)
		return
	}
	s.success(w)
}

// success is the answer that tells WeChat "received, no reply".
func (s *Server) success(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "success")
}

// reply writes a passive text reply, encrypted in safe mode.
func (s *Server) reply(w http.ResponseWriter, msg Message, text string) {
	now := s.cfg.Now().Unix()
	body, err := marshalText(msg.FromUserName, msg.ToUserName, text, now)
	if err == nil && s.cipher != nil {
		body, err = s.seal(body, now)
	}
	if err != nil {
		s.log.Error("wechat: passive reply", "err", err)
		s.success(w)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(body)
}

// seal wraps a reply in safe mode's envelope.
func (s *Server) seal(body []byte, now int64) ([]byte, error) {
	enc, err := s.cipher.Encrypt(body, s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	var nb [8]byte
	if _, err := io.ReadFull(s.cfg.Rand, nb[:]); err != nil {
		return nil, fmt.Errorf("wechat: nonce: %w", err)
	}
	var n uint64
	for _, b := range nb {
		n = n<<8 | uint64(b)
	}
	nonce := strconv.FormatUint(n%1e10, 10)
	ts := strconv.FormatInt(now, 10)
	out, err := xml.Marshal(encryptedReply{Encrypt: cdata{enc}, MsgSignature: cdata{Signature(s.cfg.Token, ts, nonce, enc)},
		TimeStamp: now, Nonce: cdata{nonce}})
	if err != nil {
		return nil, fmt.Errorf("wechat: marshal encrypted reply: %w", err)
	}
	return out, nil
}

// turn runs one message of user through the adapter and the engine and
// returns the messages to send.
func (s *Server) turn(ctx context.Context, user string, in inbound) []string {
	now := s.cfg.Now()
	st := s.sessions.get(ctx, user, now)
	var text string
	switch {
	case in.text == "" && (in.input.Action != "" || in.input.Text != ""):
		// A click or a follow leaves a form half asked.
		st.form = nil
		text = s.engineTurn(ctx, user, in.input, &st)
	case st.form != nil:
		text = s.fillForm(ctx, user, in.text, &st)
	default:
		input := bot.Input{Text: in.text}
		if n, ok := choiceNumber(in.text); ok && n <= len(st.choices) {
			input = bot.Input{Action: st.choices[n-1].ID}
		}
		text = s.engineTurn(ctx, user, input, &st)
	}
	s.sessions.put(ctx, user, st, now)
	return limitParts(split(clean(text), s.cfg.MaxBytes), s.cfg.MaxParts, s.cfg.MaxBytes)
}

// engineTurn asks the engine and renders its answer, updating the
// session: the choices a number picks next, and a form to ask.
func (s *Server) engineTurn(ctx context.Context, user string, in bot.Input, st *session) string {
	replies, err := s.engine.Handle(ctx, Key(user), in)
	if err != nil {
		s.log.Error("wechat: engine", "user", user, "err", err)
		if len(replies) == 0 {
			replies = []bot.Reply{{Text: msgInternal}}
		}
	}
	r := render(replies)
	st.choices = r.choices
	st.form = nil
	text := r.text
	if r.form != nil && len(r.form.Fields) > 0 {
		st.form = &formFill{form: r.form, vals: map[string]string{}}
		text = strings.TrimSpace(text + "\n\n" + formIntro(r.form) + "\n" + fieldPrompt(r.form.Fields[0]))
	}
	return text
}

// formIntro heads a form asked field by field.
func formIntro(f *bot.Form) string {
	title := f.Title
	if title == "" {
		title = "填写"
	}
	return "【" + title + "】（逐项回复，回复“取消”放弃）"
}

// fieldPrompt asks for one field.
func fieldPrompt(fd bot.FormField) string {
	label := fd.Label
	if !fd.Required {
		label += "（可不填，回复“无”跳过）"
	}
	switch {
	case fd.Value != "":
		v := strings.Join(strings.Fields(fd.Value), " ")
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		label += "（回复“沿用”保留：" + v + "）"
	case fd.Placeholder != "":
		label += "（" + fd.Placeholder + "）"
	}
	return label + "："
}

// fillForm takes typed text as the answer to the form field asked, and
// submits the form to the engine after its last field.
func (s *Server) fillForm(ctx context.Context, user, text string, st *session) string {
	ff := st.form
	fd := ff.form.Fields[ff.next]
	v := strings.TrimSpace(text)
	switch strings.TrimRightFunc(v, isPunct) {
	case "取消", "退出":
		st.form = nil
		return s.engineTurn(ctx, user, bot.Input{Text: "取消"}, st)
	case "沿用":
		if fd.Value != "" {
			v = fd.Value
		}
	case "无":
		if !fd.Required {
			v = ""
		}
	}
	if fd.MaxLen > 0 && utf8.RuneCountInString(v) > fd.MaxLen {
		return fmt.Sprintf("这一项最多%d个字，请精简后再回复。\n%s", fd.MaxLen, fieldPrompt(fd))
	}
	ff.vals[fd.Name] = v
	ff.next++
	if ff.next < len(ff.form.Fields) {
		return fieldPrompt(ff.form.Fields[ff.next])
	}
	st.form = nil
	return s.engineTurn(ctx, user, bot.Input{Action: ff.form.ID, Form: ff.vals}, st)
}

// choiceNumber reads "2", "２" or "2." as a choice number.
func choiceNumber(text string) (int, bool) {
	t := strings.TrimRightFunc(strings.TrimSpace(text), isPunct)
	if t == "" || utf8.RuneCountInString(t) > 2 {
		return 0, false
	}
	n := 0
	for _, r := range t {
		if r >= '０' && r <= '９' {
			r = r - '０' + '0'
		}
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n >= 1
}

func isPunct(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r)
}
