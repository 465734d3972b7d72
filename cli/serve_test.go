package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/sqlite"
	"huiqi/web"
)

func runStdin(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(env, stdin, args...)
}

// runIn runs huiqi in-process; safe from any goroutine.
func runIn(env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestUserCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	env := map[string]string{"HUIQI_NOW": "2026-11-27T10:00:00+08:00"}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string
		wantErr  []string // on stderr: the message in Chinese and in English
	}{
		{"add hotline", "s3cret-pass\n", []string{"user", "add", "--name", "张坐席", "--role", "hotline", "--db", db}, 0, "已创建账号 张坐席（热线坐席）/ created 张坐席 (hotline)", nil},
		{"add unit canonical", "s3cret-pass\n", []string{"user", "add", "--db", db, "--name", "审批", "--role", "unit", "--unit", "区审批局"}, 0, "区行政审批局", nil},
		{"duplicate", "s3cret-pass\n", []string{"user", "add", "--name", "张坐席", "--role", "hotline", "--db", db}, 2, "", []string{"已存在", "already exists"}},
		{"no password", "", []string{"user", "add", "--name", "李", "--role", "admin", "--db", db}, 2, "", []string{"密码", "give the password"}},
		{"short password", "short\n", []string{"user", "add", "--name", "李", "--role", "admin", "--db", db}, 2, "", []string{"密码太短", "at least 8 bytes"}},
		{"password in argv refused", "", []string{"user", "add", "--name", "李", "--role", "admin", "--password", "x", "--db", db}, 2, "", nil},
		{"unit without unit", "s3cret-pass\n", []string{"user", "add", "--name", "王", "--role", "unit", "--db", db}, 2, "", []string{"须用 --unit", "needs --unit"}},
		{"bad role", "s3cret-pass\n", []string{"user", "add", "--name", "王", "--role", "boss", "--db", db}, 2, "", []string{"角色须为", "role must be"}},
		{"no subcommand", "", []string{"user"}, 2, "", nil},
		{"list", "", []string{"user", "list", "--db", db}, 0, "热线坐席 hotline", nil},
		{"passwd", "a-new-pass\n", []string{"user", "passwd", "--name", "张坐席", "--db", db}, 0, "已为 张坐席 设置新密码", nil},
		{"passwd short", "short\n", []string{"user", "passwd", "--name", "张坐席", "--db", db}, 2, "", []string{"密码太短", "at least 8 bytes"}},
		{"passwd missing", "a-new-pass\n", []string{"user", "passwd", "--name", "无此人", "--db", db}, 2, "", []string{"没有账号", "no user"}},
		{"passwd no name", "", []string{"user", "passwd", "--db", db}, 2, "", []string{"--name"}},
		{"remove", "", []string{"user", "remove", "--name", "审批", "--db", db}, 0, "已删除账号 审批", nil},
		{"remove missing", "", []string{"user", "remove", "--name", "审批", "--db", db}, 2, "", []string{"没有账号", "no user"}},
		{"remove no name", "", []string{"user", "remove", "--db", db}, 2, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runStdin(t, env, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("huiqi %q = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, errs)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("huiqi %q stdout = %q, want %q", tt.args, out, tt.wantOut)
			}
			if tt.wantCode != 0 && out != "" {
				t.Errorf("huiqi %q failed but printed %q", tt.args, out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errs, w) {
					t.Errorf("huiqi %q stderr = %q, want %q", tt.args, errs, w)
				}
			}
		})
	}
	// The new password signs in, the old one does not.
	ctx := context.Background()
	sdb, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	acc, err := web.OpenAccounts(ctx, sdb, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(ctx, "张坐席", "a-new-pass"); err != nil {
		t.Errorf("after user passwd the new password = %v", err)
	}
	if _, err := acc.Authenticate(ctx, "张坐席", "s3cret-pass"); err == nil {
		t.Error("after user passwd the old password still signs in")
	}
}

// lineWriter hands the first "listening on" address to a channel.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

var listenLine = regexp.MustCompile(`listening on (http://\S+)`)

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := listenLine.FindStringSubmatch(w.buf.String()); m != nil && !w.sent {
		w.sent = true
		w.addr <- m[1]
	}
	return len(p), nil
}

func TestServeEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	env := map[string]string{"HUIQI_NOW": "2026-11-27T10:00:00+08:00", "HUIQI_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lineWriter{addr: make(chan string, 1)}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, stderr, func(k string) string { return env[k] })
	}()
	var base string
	select {
	case base = <-stderr.addr:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.buf.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	call := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if code, _ := call("GET", "/healthz", "", ""); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	code, ask := call("POST", "/api/ask", "", `{"question":"小升规有什么奖励"}`)
	if code != 200 || ask["answered"] != true {
		t.Errorf("ask = %d %v", code, ask)
	}
	code, award := call("POST", "/api/award", "", `{"above_scale_industrial":true,"has_rd_institution":true}`)
	if code != 200 || award["district_total_yuan"] != float64(20000) {
		t.Errorf("award = %d %v", code, award)
	}
	if code, _ := call("POST", "/api/award", "", `{"nonsense":1}`); code != 400 {
		t.Errorf("bad profile = %d, want 400", code)
	}
	code, rt := call("POST", "/api/route", "", `{"text":"银行不给延期还款还收罚息"}`)
	if code != 200 || rt["matched"] != true {
		t.Errorf("route = %d %v", code, rt)
	}
	code, chat := call("POST", "/api/chat", "", `{"text":"小升规有什么奖励"}`)
	if code != 200 || chat["conversation"] == "" || len(chat["replies"].([]any)) == 0 {
		t.Errorf("chat = %d %v", code, chat)
	}
	code, rep := call("POST", "/api/tickets", "", `{"text":"招工难，想了解稳岗用工政策","enterprise":"某机械公司","contact":"张经理"}`)
	if code != 201 || rep["secret"] == nil || rep["lead_unit"] == "" {
		t.Fatalf("file = %d %v", code, rep)
	}
	id, secret, lead := rep["id"].(string), rep["secret"].(string), rep["lead_unit"].(string)
	if code, tk := call("GET", "/api/tickets/"+id+"?secret="+secret, "", ""); code != 200 || tk["status"] != "已受理" || tk["enterprise"] != nil ||
		strings.Contains(fmt.Sprint(tk), "张经理") || strings.Contains(fmt.Sprint(tk), "招工难") {
		t.Errorf("lookup with secret = %d %v, want the public view only", code, tk)
	}
	for _, q := range []string{"", "?secret=WRONG"} {
		if code, _ := call("GET", "/api/tickets/"+id+q, "", ""); code != 404 {
			t.Errorf("lookup %q = %d, want 404", q, code)
		}
	}
	// Staff: the hotline dispatches, the lead unit signs.
	for _, u := range [][]string{{"hl", "hotline"}, {"unit1", "unit", lead}, {"other", "unit", "区应急局"}} {
		args := []string{"user", "add", "--name", u[0], "--role", u[1], "--db", db}
		if len(u) > 2 {
			args = append(args, "--unit", u[2])
		}
		if code, _, errs := runStdin(t, env, "s3cret-pass\n", args...); code != 0 {
			t.Fatalf("user add %v = %d %s", u, code, errs)
		}
	}
	login := func(name string) string {
		code, m := call("POST", "/api/staff/login", "", `{"name":"`+name+`","password":"s3cret-pass"}`)
		if code != 200 {
			t.Fatalf("login %s = %d %v", name, code, m)
		}
		return m["token"].(string)
	}
	hl, unit, other := login("hl"), login("unit1"), login("other")
	co := "区财政局"
	if lead == co {
		co = "区工信局"
	}
	if code, m := call("POST", "/api/staff/tickets/"+id+"/reroute", hl, `{"lead_unit":"`+lead+`","co_units":["`+co+`"],"note":"加配合单位"}`); code != 200 || m["mode"] != "综合" {
		t.Fatalf("reroute = %d %v", code, m)
	}
	if code, m := call("POST", "/api/staff/tickets/"+id+"/move", hl, `{"to":"已派单"}`); code != 200 || m["status"] != "已派单" {
		t.Fatalf("dispatch = %d %v", code, m)
	}
	if lead != "区应急局" {
		if code, _ := call("GET", "/api/staff/tickets/"+id, other, ""); code != 404 {
			t.Errorf("another unit reads the ticket = %d, want 404", code)
		}
	}
	code, m := call("POST", "/api/staff/tickets/"+id+"/move", unit, `{"to":"已签收","note":"收到"}`)
	if code != 200 || m["status"] != "已签收" {
		t.Fatalf("sign = %d %v", code, m)
	}
	if code, m := call("POST", "/api/staff/tickets/"+id+"/move", unit, `{"to":"已回访","note":"满意"}`); code != 400 && code != 403 {
		t.Errorf("a refused move = %d %v, want 400 or 403", code, m)
	}
	// An unanswered question is kept, attached to a measure in one call,
	// stored in the lexicon table and gone from the review list.
	const odd = "厂区门口的路灯坏了归谁管"
	if code, m := call("POST", "/api/ask", "", `{"question":"`+odd+`"}`); code != 200 || m["answered"] != false {
		t.Logf("ask %q = %d %v (expected out of scope; attach test continues if listed)", odd, code, m)
	}
	var qid string
	for i := 0; i < 50 && qid == ""; i++ { // stored by the background writer
		_, m := call("GET", "/api/staff/unanswered", hl, "")
		qs, _ := m["questions"].([]any)
		for _, q := range qs {
			if q.(map[string]any)["text"] == odd {
				qid = q.(map[string]any)["id"].(string)
			}
		}
		if qid == "" {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if qid == "" {
		t.Fatalf("unanswered question %q not listed", odd)
	}
	if code, m := call("POST", "/api/staff/unanswered/"+qid+"/attach", hl, `{"measure":"ind-06"}`); code != 200 || m["measure"] != "ind-06" {
		t.Fatalf("attach = %d %v", code, m)
	}
	_, m = call("GET", "/api/staff/unanswered", hl, "")
	if strings.Contains(fmt.Sprint(m), odd) {
		t.Errorf("attached question still listed: %v", m)
	}
	if code, m := call("GET", "/api/staff/stats", hl, ""); code != 200 || m["total"] != float64(1) {
		t.Errorf("stats = %d %v", code, m)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve after cancel = %d, want 0 (%s)", code, stderr.buf.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestServeOrigins(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{"https://platform.example", "https://platform.example", false},
		{"https://a.example/, http://b.example:8080", "https://a.example http://b.example:8080", false},
		{"platform.example", "", true},
		{"https://a.example/path", "", true},
		{"https://a.example; script-src *", "", true},
		{"javascript://x", "", true},
	}
	for _, tt := range tests {
		got, err := serveOrigins(tt.in)
		if (err != nil) != tt.wantErr || strings.Join(got, " ") != tt.want {
			t.Errorf("serveOrigins(%q) = %q, %v, want %q (err %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
