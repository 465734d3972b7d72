package cli

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"huiqi/internal/testbin"
	"huiqi/internal/transcript"
	"huiqi/wechat/wechattest"
)

// The tests in this file drive the shipped binary's `huiqi wechat` against
// wechattest: the fake platform signs (and in safe mode encrypts) the
// callbacks, the fake API issues access tokens and records the
// customer-service, template and robot calls.

const (
	wxToken   = "huiqiToken"
	wxAppID   = "wx1234567890abcdef"
	wxSecret  = "fakeAppSecret"
	wxAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	wxAccount = "gh_huiqi0000001"
	wxClock   = "2026-12-01T09:30:00+08:00"
)

// wxNow is HUIQI_NOW of the binary, and the clock of the fake platform
// and the fake API: one fixed instant, never the real clock.
func wxNow() time.Time {
	t, err := time.Parse(time.RFC3339, wxClock)
	if err != nil {
		panic(err)
	}
	return t
}

// wxProc is a running `huiqi wechat`.
type wxProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr testbin.SyncBuffer
	done   chan error
	url    string // http://127.0.0.1:PORT/wechat
	exited bool
}

// wxRig is a binary on a database, the fake API it calls and the fake
// platform that plays WeChat against it.
type wxRig struct {
	t    *testing.T
	db   string
	env  map[string]string
	fake *wechattest.Server
	p    *wechattest.Platform
	proc *wxProc

	clicks int
}

// newWxRig starts the fake API and `huiqi wechat` on a new database; safe
// sets WECHAT_AES_KEY, env more variables (it may name the fake's URL),
// args more flags.
func newWxRig(t *testing.T, safe bool, env func(fake *wechattest.Server) map[string]string, args ...string) *wxRig {
	t.Helper()
	fake := wechattest.New(t, wxAppID, wxSecret, wxNow)
	r := &wxRig{t: t, db: filepath.Join(t.TempDir(), "huiqi.db"), fake: fake, env: map[string]string{
		"HUIQI_NOW": wxClock, "HUIQI_DEBUG": "1",
		"WECHAT_TOKEN": wxToken, "WECHAT_APPID": wxAppID, "WECHAT_SECRET": wxSecret, "WECHAT_API": fake.URL,
	}}
	r.env["HUIQI_DB"] = r.db
	if safe {
		r.env["WECHAT_AES_KEY"] = wxAESKey
	}
	if env != nil {
		for k, v := range env(fake) {
			r.env[k] = v
		}
	}
	r.proc = startWx(t, r.env, args...)
	r.p = wechattest.NewPlatform(r.proc.url, wxToken, wxAppID, wxAccount, wxNow)
	if safe {
		r.p.AESKey = wxAESKey
	}
	return r
}

// restart stops the server and starts another on the same database and
// fake API, with args.
func (r *wxRig) restart(args ...string) {
	r.t.Helper()
	r.proc.stop()
	r.proc = startWx(r.t, r.env, args...)
	r.p.URL = r.proc.url
}

var wxListening = regexp.MustCompile(`listening on (http://\S+/wechat) `)

// startWx runs the binary and waits for its "listening on" line.
func startWx(t *testing.T, env map[string]string, args ...string) *wxProc {
	t.Helper()
	p := &wxProc{t: t, done: make(chan error, 1)}
	p.cmd = exec.Command(sharedBinary(t), append([]string{"wechat", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if !p.exited {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for p.url == "" {
		if m := wxListening.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = m[1]
			break
		}
		select {
		case err := <-p.done:
			p.exited = true
			t.Fatalf("huiqi wechat exited (%v) before listening:\n%s", err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("huiqi wechat did not start:\n%s", p.stderr.String())
		}
	}
	return p
}

// stop interrupts the server as an operator's Ctrl-C would: it answers
// what it started and exits 0. After stop, every answer has been sent.
func (p *wxProc) stop() {
	p.t.Helper()
	if p.exited {
		return
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.exited = true
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			p.t.Fatalf("huiqi wechat after an interrupt: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		p.t.Fatalf("huiqi wechat did not stop:\n%s", p.stderr.String())
	}
}

func (r *wxRig) send(d wechattest.Delivery) wechattest.Response {
	r.t.Helper()
	resp, err := r.p.Send(d)
	if err != nil {
		r.t.Fatalf("%v\nstderr:\n%s", err, r.proc.stderr.String())
	}
	return resp
}

// passive sends d and returns the passive reply, which it must get.
func (r *wxRig) passive(d wechattest.Delivery) string {
	r.t.Helper()
	resp := r.send(d)
	if resp.Status != 200 || resp.Reply == nil {
		r.t.Fatalf("status %d body %q, want a passive reply\nstderr:\n%s", resp.Status, resp.Body, r.proc.stderr.String())
	}
	if resp.Reply.MsgType != "text" || resp.Reply.FromUserName != wxAccount || resp.Reply.ToUserName != openIDOf(d) {
		r.t.Fatalf("reply %+v, want text from %s", resp.Reply, wxAccount)
	}
	return resp.Reply.Content
}

func openIDOf(d wechattest.Delivery) string { return d.Query.Get("openid") }

// delivered counts the turns whose answer went to user through the
// customer-service API (the server logs each once all its messages are
// sent; HUIQI_DEBUG shows info lines).
func (r *wxRig) delivered(user string) int {
	return strings.Count(r.proc.stderr.String(), `"wechat: answer delivered through the customer-service API" user=`+user+" ")
}

// turn sends d and returns what the user sees: the passive reply, or the
// customer-service messages of the turn once it has sent them all.
func (r *wxRig) turn(d wechattest.Delivery) []string {
	r.t.Helper()
	user := openIDOf(d)
	before, turns := len(r.custom(user)), r.delivered(user)
	resp := r.send(d)
	if resp.Status != 200 {
		r.t.Fatalf("status %d body %q\nstderr:\n%s", resp.Status, resp.Body, r.proc.stderr.String())
	}
	if resp.Reply != nil {
		return []string{resp.Reply.Content}
	}
	if resp.Body != "success" {
		r.t.Fatalf("body %q, want a passive reply or success", resp.Body)
	}
	r.waitDelivered(user, turns+1)
	return r.custom(user)[before:]
}

// waitDelivered waits until n turns of user went through the API.
func (r *wxRig) waitDelivered(user string, n int) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.delivered(user) < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 30s for %d answers to %s through the API; messages %v\nstderr:\n%s",
				n, user, r.custom(user), r.proc.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// custom is the accepted customer-service texts to user, in order.
func (r *wxRig) custom(user string) []string {
	var out []string
	for _, m := range r.fake.Custom() {
		if m.To == user {
			out = append(out, m.Content)
		}
	}
	return out
}

func (r *wxRig) click(user, key string) wechattest.Delivery {
	// A new click has its own CreateTime (an event's identity across
	// retries): a second later each (the server allows 5 minutes of skew).
	r.clicks++
	p := r.p.Copy()
	at := wxNow().Add(time.Duration(r.clicks) * time.Second)
	p.Now = func() time.Time { return at }
	return p.Click(user, key)
}

func TestWechatConfigErrors(t *testing.T) {
	fake := wechattest.New(t, wxAppID, wxSecret, wxNow)
	good := map[string]string{"HUIQI_NOW": wxClock, "WECHAT_TOKEN": wxToken, "WECHAT_APPID": wxAppID, "WECHAT_SECRET": wxSecret, "WECHAT_API": fake.URL}
	hooks := filepath.Join(t.TempDir(), "hooks.json")
	if err := os.WriteFile(hooks, []byte(`{"区宣传局": "abcd-1234-efgh"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"nothing set", map[string]string{"WECHAT_TOKEN": "", "WECHAT_APPID": "", "WECHAT_SECRET": " "}, nil, "WECHAT_APPID and WECHAT_SECRET and WECHAT_TOKEN are required"},
		{"no token", map[string]string{"WECHAT_TOKEN": ""}, nil, "WECHAT_TOKEN is required"},
		{"token with a space", map[string]string{"WECHAT_TOKEN": "my token"}, nil, "WECHAT_TOKEN must be 3 to 32 letters or digits"},
		{"short AES key", map[string]string{"WECHAT_AES_KEY": "abc"}, nil, "EncodingAESKey must be 43 characters, got 3 (WECHAT_AES_KEY)"},
		{"bad API", map[string]string{"WECHAT_API": "ftp://x"}, nil, "WECHAT_API \"ftp://x\" is not an http(s) base URL"},
		{"bad API flag", nil, []string{"--wechat-api", "nonsense"}, "WECHAT_API \"nonsense\""},
		{"bad template", map[string]string{"WECHAT_TICKET_TEMPLATE": "TPL"}, nil, "WECHAT_TICKET_TEMPLATE: want a template id"},
		{"wrong secret", map[string]string{"WECHAT_SECRET": "wrong"}, nil, "errcode 40125"},
		{"wrong appid flag", nil, []string{"--appid", "wx0000000000000000"}, "errcode 40013"},
		{"budget over 5s", nil, []string{"--reply-budget", "5s"}, "--reply-budget must be at least 0 and under WeChat's 5s"},
		{"webhook of no unit", map[string]string{"WECOM_WEBHOOK_FILE": hooks}, nil, "\"区宣传局\" is not a unit huiqi knows"},
		{"webhook off this machine over http", map[string]string{"WECOM_WEBHOOK_QGXJ": "http://example.com/hook"}, nil, "WECOM_WEBHOOK_QGXJ: a webhook must be https"},
		{"missing webhook file", nil, []string{"--webhooks", filepath.Join(t.TempDir(), "none.json")}, "WECOM_WEBHOOK_FILE: open"},
		{"an argument", nil, []string{"now"}, "unexpected argument \"now\""},
		{"cannot listen", nil, []string{"--addr", "256.0.0.1:1"}, "cannot listen on 256.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HUIQI_DB": filepath.Join(t.TempDir(), "h.db")}
			for k, v := range good {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			// A case that starts by mistake stops after 30s instead of
			// serving on.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			args := append([]string{"wechat", "--addr", "127.0.0.1:0"}, tt.args...)
			code := Run(ctx, args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
			stdout, stderr := out.String(), errb.String()
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q, want 2 and nothing; stderr:\n%s", code, stdout, stderr)
			}
			if !strings.HasPrefix(stderr, "huiqi wechat: ") || !strings.HasSuffix(stderr, "\n") ||
				strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want one line with %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "wrong") || strings.Contains(stderr, wxSecret) {
				t.Errorf("stderr shows the secret: %q", stderr)
			}
		})
	}
}

func TestWechatMenuCommand(t *testing.T) {
	fake := wechattest.New(t, wxAppID, wxSecret, wxNow)
	env := map[string]string{"HUIQI_NOW": wxClock, "WECHAT_APPID": wxAppID, "WECHAT_SECRET": wxSecret, "WECHAT_API": fake.URL}
	code, stdout, stderr := execHuiqi(t, map[string]string{}, "", "wechat", "menu")
	if code != 0 || !strings.Contains(stdout, `"name":"政策问答"`) || !strings.Contains(stdout, `"sub_button":[{"type":"click","name":"反映问题","key":"huiqi_report"}`) {
		t.Fatalf("huiqi wechat menu = %d\n%s\n%s", code, stdout, stderr)
	}
	if n := len(fake.Calls("")); n != 0 {
		t.Errorf("printing the menu made %d API calls", n)
	}
	code, applied, stderr := execHuiqi(t, env, "", "wechat", "menu", "--apply")
	if code != 0 || applied != stdout || !strings.Contains(stderr, "applied to account "+wxAppID) {
		t.Fatalf("huiqi wechat menu --apply = %d\n%s\n%s", code, applied, stderr)
	}
	calls := fake.Calls("/cgi-bin/menu/create")
	if len(calls) != 1 || calls[0].ErrCode != 0 || strings.TrimSpace(string(calls[0].Body)) != strings.TrimSpace(stdout) {
		t.Fatalf("menu/create calls %+v, want the printed menu accepted", calls)
	}
	env["WECHAT_SECRET"] = "wrong"
	code, out, stderr := execHuiqi(t, env, "", "wechat", "menu", "--apply")
	if code != 2 || out != "" || !strings.Contains(stderr, "errcode 40125") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--apply with a wrong secret = %d %q %q, want 2 and one line", code, out, stderr)
	}
	code, _, stderr = execHuiqi(t, map[string]string{}, "", "wechat", "menu", "--apply")
	if code != 2 || !strings.Contains(stderr, "WECHAT_APPID and WECHAT_SECRET are required") {
		t.Errorf("--apply without settings = %d %q", code, stderr)
	}
}

// TestWechatBinaryPlain: URL verification, a question answered passively,
// a whole award dialog by numbered replies, a retried MsgId answered once,
// and the refusals: bad signatures, stale timestamps, replays, a safe-mode
// callback to a plain server.
func TestWechatBinaryPlain(t *testing.T) {
	r := newWxRig(t, false, nil)

	status, body, err := r.p.Verify("7242340951234567890")
	if err != nil || status != 200 || body != "7242340951234567890" {
		t.Fatalf("URL verification: %d %q %v", status, body, err)
	}

	got := r.passive(r.p.Text("oUserQ", "担保费率是多少？"))
	if !strings.Contains(got, "0.8%") || !strings.Contains(got, "回复数字选择：") || strings.ContainsAny(got, "*`#") {
		t.Errorf("the answer to a question:\n%s", got)
	}
	if n := len(r.fake.Calls("/cgi-bin/message/custom/send")); n != 0 {
		t.Errorf("a passive answer sent %d customer-service messages", n)
	}

	// A retried MsgId gets the first answer without a second turn: in a
	// dialog a second turn would take the retried "1" as the next answer.
	const user = "oUserAward"
	seen := r.turn(r.click(user, "huiqi_award"))
	answers := transcript.MustAnswers(t, "../bot/testdata/award_full.in")
	byNumber, retried := 0, false
	for _, a := range answers[1:] {
		send := a
		if n, ok := numberedChoice(seen, a); ok {
			send, byNumber = n, byNumber+1
		}
		d := r.p.Text(user, send)
		seen = r.turn(d)
		if !retried && send != a {
			retried = true
			if again := r.passive(r.p.Sign(d.XML)); again != seen[0] {
				t.Errorf("the retry of %q got\n%s\nwant the first answer\n%s", send, again, seen[0])
			}
		}
	}
	if byNumber < 6 {
		t.Errorf("only %d answers went by number", byNumber)
	}
	all := strings.Join(seen, "\n")
	for _, line := range []string{"【区级奖励】", "营业收入首次突破奖励（二十条第15条，区级）：5万元", "【市级、省级奖励】2023政策年度合计 30万元", "还需要什么帮助？"} {
		if !strings.Contains(all, line) {
			t.Errorf("the report lacks %q:\n%s", line, all)
		}
	}
	if len(seen) < 2 || len(seen) > 5 {
		t.Errorf("the report came in %d messages, want 2 to 5 through the API", len(seen))
	}
	if n, ok := numberedChoice(seen, "反映问题"); !ok || n != "1" {
		t.Errorf("the dialog's end offers no numbered 反映问题:\n%s", seen[len(seen)-1])
	}

	// Refusals.
	d := r.p.Text("oUserBad", "你好")
	bad := d
	bad.Query = cloneQuery(d.Query)
	bad.Query.Set("signature", strings.Repeat("0", 40))
	stale := r.p.Copy()
	stale.Now = func() time.Time { return wxNow().Add(-6 * time.Minute) }
	future := r.p.Copy()
	future.Now = func() time.Time { return wxNow().Add(6 * time.Minute) }
	replay := r.p.Text("oUserBad", "换了内容") // the first's signature on another body
	replay.Query = d.Query
	safe := r.p.Copy()
	safe.AESKey = wxAESKey
	for _, tt := range []struct {
		name string
		d    wechattest.Delivery
		want int
	}{
		{"bad signature", bad, 403},
		{"stale timestamp", stale.Text("oUserBad", "你好"), 403},
		{"timestamp from the future", future.Text("oUserBad", "你好"), 403},
		{"the real one", d, 200},
		{"replayed timestamp and nonce", replay, 403},
		{"encrypted to a plain server", safe.Text("oUserBad", "你好"), 400},
	} {
		if resp := r.send(tt.d); resp.Status != tt.want {
			t.Errorf("%s: status %d %q, want %d", tt.name, resp.Status, resp.Body, tt.want)
		}
	}
	q := url.Values{"timestamp": {"1"}, "nonce": {"1"}, "echostr": {"x"}, "signature": {"bad"}}
	if status, _, _ := r.p.VerifyQuery(q); status != 403 {
		t.Errorf("URL verification with a bad signature: %d, want 403", status)
	}
	r.proc.stop()
	log := r.proc.stderr.String()
	for _, reason := range []string{"reason=\"bad signature\"", "reason=\"stale timestamp\"", "reason=\"replayed timestamp and nonce\""} {
		if !strings.Contains(log, reason) {
			t.Errorf("the log lacks %s", reason)
		}
	}
	if n := len(r.custom("oUserBad")); n != 0 {
		t.Errorf("refused callbacks made %d customer-service messages", n)
	}
}

// TestWechatBinarySafeSlow: safe mode both ways (encrypted callbacks in,
// encrypted passive replies out), with --reply-budget 0 so every answer is
// a slow one, delivered through the customer-service API; a retried MsgId
// is answered once, and an expired access token is fetched again.
func TestWechatBinarySafeSlow(t *testing.T) {
	r := newWxRig(t, true, nil, "--reply-budget", "0")
	if !strings.Contains(r.proc.stderr.String(), "(safe mode, account "+wxAppID+")") {
		t.Errorf("the start line does not say safe mode:\n%s", r.proc.stderr.String())
	}
	status, body, err := r.p.Verify("echo-safe")
	if err != nil || status != 200 || body != "echo-safe" {
		t.Fatalf("URL verification in safe mode: %d %q %v", status, body, err)
	}
	// A picture gets its fixed answer passively, encrypted (the platform
	// checks the reply's MsgSignature and decrypts it with the key).
	if got := r.passive(r.p.Image("oUserSafe")); !strings.Contains(got, "目前只能处理文字消息") {
		t.Errorf("a picture in safe mode: %q", got)
	}

	const user = "oUserSlow"
	d := r.p.Text(user, "担保费率是多少？")
	if resp := r.send(d); resp.Status != 200 || resp.Body != "success" {
		t.Fatalf("a slow answer: %d %q, want success", resp.Status, resp.Body)
	}
	if resp := r.send(r.p.Sign(d.XML)); resp.Status != 200 || resp.Body != "success" {
		t.Errorf("its retry: %d %q, want success", resp.Status, resp.Body)
	}
	r.waitDelivered(user, 1)
	if got := r.custom(user); len(got) != 1 || !strings.Contains(got[0], "0.8%") {
		t.Fatalf("the slow answer through the API: %q", got)
	}
	tokens := r.fake.TokensIssued()

	// WeChat expires the token: the next answer fetches another and is
	// delivered all the same.
	r.fake.ExpireTokens()
	if got := r.turn(r.p.Text(user, "贷款贴息")); len(got) != 1 || got[0] == "" {
		t.Fatalf("after the token expired: %q", got)
	}
	if n := r.fake.TokensIssued(); n != tokens+1 {
		t.Errorf("tokens issued %d, want %d", n, tokens+1)
	}
	var codes []int
	for _, c := range r.fake.Calls("/cgi-bin/message/custom/send") {
		codes = append(codes, c.ErrCode)
	}
	if len(codes) != 3 || codes[0] != 0 || codes[1] != 42001 || codes[2] != 0 {
		t.Errorf("customer-service errcodes %v, want [0 42001 0]", codes)
	}

	// A plain callback to a safe-mode server is refused.
	plain := r.p.Copy()
	plain.AESKey = ""
	if resp := r.send(plain.Text(user, "你好")); resp.Status != 403 {
		t.Errorf("a plain callback in safe mode: %d, want 403", resp.Status)
	}
	// A bad msg_signature is refused.
	bad := r.p.Text(user, "你好")
	bad.Query = cloneQuery(bad.Query)
	bad.Query.Set("msg_signature", strings.Repeat("a", 40))
	if resp := r.send(bad); resp.Status != 403 {
		t.Errorf("a bad msg_signature: %d, want 403", resp.Status)
	}
	r.proc.stop()
	// Stopped, every turn started has been answered: the retry ran none.
	if got := r.custom(user); len(got) != 2 {
		t.Errorf("%d answers to %s, want 2 (the retry answered once):\n%q", len(got), user, got)
	}
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// numberedChoice finds "N. label" in the last message the user saw.
func numberedChoice(msgs []string, label string) (string, bool) {
	re := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `$`)
	if m := re.FindStringSubmatch(msgs[len(msgs)-1]); m != nil {
		return m[1], true
	}
	return "", false
}

// TestWechatBinaryReport: a report filed field by field through WeChat,
// moved by staff with `huiqi ticket --set` on the same database while the
// server runs; the outbox tells the enterprise by template message and the
// units' WeChat Work groups by robot, each once. A move made while no
// server runs is told by the next one, which with --demo also warns of a
// TestWechatBinaryRestartMidForm: a follower halfway through the report
// form when the server restarts goes on where they were — the next reply
// is the field asked, not a new question — and numbered choices shown
// before the restart still pick what they showed.
func TestWechatBinaryRestartMidForm(t *testing.T) {
	r := newWxRig(t, false, nil, "--notify-every", "100ms")
	const user = "oUserRestart"
	seen := r.turn(r.click(user, "huiqi_report"))
	if !strings.Contains(seen[0], "企业名称") {
		t.Fatalf("the report's first prompt:\n%s", seen[0])
	}
	r.turn(r.p.Text(user, "车间用工缺口较大，招不到数控技工，想了解有什么支持。"))
	r.restart("--notify-every", "100ms")
	seen = r.turn(r.p.Text(user, "阳泉某某精密机械有限公司"))
	if all := strings.Join(seen, "\n"); !strings.Contains(all, "联系") || strings.Contains(all, "不在惠企助手能回答的范围") {
		t.Fatalf("after the restart the company name was not taken as the form's answer:\n%s", all)
	}
	seen = r.turn(r.p.Text(user, "13800000001"))
	n, ok := numberedChoice(seen, "确认提交")
	if !ok || !strings.Contains(seen[0], "企业名称：阳泉某某精密机械有限公司") {
		t.Fatalf("the confirmation:\n%s", seen[0])
	}
	r.restart("--notify-every", "100ms")
	seen = r.turn(r.p.Text(user, n)) // the number shown before the restart
	if id := regexp.MustCompile(`CQ-\d{8}-\d{4,}`).FindString(seen[0]); id == "" || !strings.Contains(seen[0], "已提交") {
		t.Fatalf("the confirm number after a restart filed nothing:\n%s", seen[0])
	}
	r.proc.stop()
}

// deadline about to pass.
func TestWechatBinaryReport(t *testing.T) {
	r := newWxRig(t, false, func(fake *wechattest.Server) map[string]string {
		return map[string]string{
			"WECHAT_TICKET_TEMPLATE":  "TPL_TICKET ticket=character_string1 status=phrase2 unit=thing3 reply=thing4 due=time5",
			"WECOM_WEBHOOK_QGXJ":      fake.RobotURL("key-gxj"),
			"WECOM_WEBHOOK_QZXQYFZZX": fake.RobotURL("key-desk"),
		}
	}, "--notify-every", "100ms")
	if !strings.Contains(r.proc.stderr.String(), "huiqi wechat: WeChat Work group robots for 区中小企业发展中心、区工信局\n") {
		t.Errorf("the start does not list the robots:\n%s", r.proc.stderr.String())
	}
	const user = "oUserReport"
	seen := r.turn(r.click(user, "huiqi_report"))
	if !strings.Contains(seen[0], "【反映问题】（逐项回复，回复“取消”放弃）") || !strings.Contains(seen[0], "企业名称") ||
		strings.Contains(seen[0], "表单") {
		t.Fatalf("the report's first prompt:\n%s", seen[0])
	}
	// The form asks what happened first, then who and how to reach them.
	r.turn(r.p.Text(user, "申请小升规奖励时材料交了两个月，一直没有回音，不知道卡在哪个环节。"))
	r.turn(r.p.Text(user, "阳泉某某机械有限公司"))
	seen = r.turn(r.p.Text(user, "13800000000"))
	n, ok := numberedChoice(seen, "确认提交")
	if !ok || !strings.Contains(seen[0], "企业名称：阳泉某某机械有限公司") {
		t.Fatalf("the confirmation:\n%s", seen[0])
	}
	seen = r.turn(r.p.Text(user, n))
	id := regexp.MustCompile(`CQ-\d{8}-\d{4,}`).FindString(seen[0])
	if id == "" || !strings.Contains(seen[0], "已提交") {
		t.Fatalf("no ticket filed:\n%s", seen[0])
	}
	// The desk's group hears of the new ticket.
	r.waitRobot("key-desk", 1)

	// Staff move it from the command line, on the server's database.
	env := map[string]string{"HUIQI_NOW": wxClock, "HUIQI_DB": r.db}
	ticket := func(args ...string) {
		t.Helper()
		if code, out, stderr := execHuiqi(t, env, "", append([]string{"ticket", id}, args...)...); code != 0 {
			t.Fatalf("huiqi ticket %s %q = %d\n%s\n%s", id, args, code, out, stderr)
		}
	}
	ticket("--set", "已派单", "--by", "张坐席")
	ticket("--set", "已签收", "--by", "区工信局")
	notices := r.waitTemplates(2)
	for i, want := range [][]string{{"已派单", "区工信局", "2026年12月8日"}, {"已签收", "区工信局"}} {
		if !hasAll(notices[i], append(want, `"touser":"`+user+`"`, `"template_id":"TPL_TICKET"`, id)...) {
			t.Errorf("notice %d: %s, want %q", i+1, notices[i], want)
		}
	}
	if got := r.waitRobot("key-gxj", 1); !hasAll(got[0], id, "已派至区工信局，请及时签收", "问题：申请小升规奖励") {
		t.Errorf("区工信局's group: %q", got)
	}
	if got := r.waitRobot("key-desk", 2); !hasAll(got[0], id, "已受理，等待派单") || !hasAll(got[1], id, "已派至区中小企业发展中心") {
		t.Errorf("the desk's group: %q", got)
	}
	seen = r.turn(r.click(user, "huiqi_ticket"))
	if all := strings.Join(seen, "\n"); !strings.Contains(all, id) || !strings.Contains(all, "已签收") {
		t.Errorf("查进度 after the moves:\n%s", all)
	}

	// Closed while no server runs; another ticket filed at the desk.
	r.proc.stop()
	ticket("--set", "办理中", "--by", "区工信局")
	ticket("--set", "已办结", "--by", "区工信局", "--note", "材料已补齐，已转区中小企业发展中心审核。")
	code, out, stderr := execHuiqi(t, env, "", "report", "--enterprise", "阳泉某某物流有限公司", "--contact", "13900000000", "--json",
		"企业用电报装一直没有办下来，影响复产。")
	id2 := regexp.MustCompile(`CQ-\d{8}-\d{4,}`).FindString(out)
	if code != 0 || id2 == "" {
		t.Fatalf("huiqi report = %d\n%s\n%s", code, out, stderr)
	}
	if n := len(r.templates()); n != 2 {
		t.Fatalf("%d notices with no server running", n)
	}
	// The server comes back the next morning: the sign deadline's own day.
	r.env["HUIQI_NOW"] = "2026-12-02T09:30:00+08:00"
	r.restart("--notify-every", "100ms", "--demo")
	if got := r.waitTemplates(3); !hasAll(got[2], id, "已办结", "材料已补齐", `"touser":"`+user+`"`) {
		t.Errorf("the 办结 notice after the restart: %s", got[2])
	}
	// The desk: ticket 2 filed, and (--demo lets the fixed clock warn) its
	// sign deadline, today, about to pass while nobody has dispatched it.
	got := r.waitRobot("key-desk", 4)
	if !hasAll(got[2]+got[3], id2, "已受理，等待派单", "期限即将届满") {
		t.Errorf("the desk's group after the restart: %q", got[2:])
	}
	r.proc.stop()
	if n := len(r.templates()); n != 3 {
		t.Errorf("%d notices, want 3: none sent twice", n)
	}
	if got := r.robot("key-desk"); len(got) != 4 {
		t.Errorf("the desk's group got %d alerts, want 4: %q", len(got), got)
	}
	if got := r.robot("key-gxj"); len(got) != 1 {
		t.Errorf("区工信局's group got %d alerts, want 1: %q", len(got), got)
	}
}

func hasAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// templates are the bodies of the accepted template messages, in order.
func (r *wxRig) templates() []string {
	var out []string
	for _, c := range r.fake.Calls("/cgi-bin/message/template/send") {
		if c.ErrCode == 0 {
			out = append(out, string(c.Body))
		}
	}
	return out
}

// robot is the texts a robot's group accepted, in order.
func (r *wxRig) robot(key string) []string {
	var out []string
	for _, c := range r.fake.Calls("/cgi-bin/webhook/send") {
		if c.ErrCode == 0 && c.Token == key {
			if text, ok := c.JSON()["text"].(map[string]any); ok {
				out = append(out, text["content"].(string))
			}
		}
	}
	return out
}

func (r *wxRig) waitTemplates(n int) []string {
	r.t.Helper()
	return r.waitFor(func() []string { return r.templates() }, n, "template messages")
}

func (r *wxRig) waitRobot(key string, n int) []string {
	r.t.Helper()
	return r.waitFor(func() []string { return r.robot(key) }, n, "alerts to robot "+key)
}

func (r *wxRig) waitFor(get func() []string, n int, what string) []string {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got := get(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 30s for %d %s, have %q\nstderr:\n%s", n, what, get(), r.proc.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
