package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"huiqi/discord/discordtest"
	"huiqi/internal/pgtest"
)

// The tests in this file follow a ticket filed on Discord to the
// enterprise's DM, through the shipped binary: huiqi discord against the
// fake Discord and huiqi serve's staff console on the same database.

// botEnv is the environment of one test's processes.
func botEnv(db string) []string {
	return []string{"DISCORD_TOKEN=test", "HUIQI_DB=" + db, "HUIQI_NOW=2026-11-27T10:00:00+08:00"}
}

// startBotProc starts huiqi discord and waits until it has registered its
// commands the n-th time.
func startBotProc(t *testing.T, bin string, fake *discordtest.Server, db string, n int, args ...string) *proc {
	t.Helper()
	args = append([]string{"discord", "--discord-api", fake.URL, "--notify-every", "200ms", "--notify-lease", "2s"}, args...)
	p := startHuiqi(t, bin, botEnv(db), args...)
	isCommands := func(c discordtest.Call) bool { return c.Method == "PUT" && strings.HasSuffix(c.Path, "/commands") }
	if _, ok := fake.WaitN(40*time.Second, n, isCommands); !ok {
		t.Fatalf("no command registration; stderr:\n%s", p.stderr.String())
	}
	fake.WaitConnected(n, wait)
	return p
}

// fileByModal files a ticket as alice: /report's modal, then 确认提交.
func fileByModal(t *testing.T, fake *discordtest.Server, text string) string {
	t.Helper()
	return fileByModalAs(t, fake, alice, text)
}

// fileByModalAs files a ticket as who.
func fileByModalAs(t *testing.T, fake *discordtest.Server, who discordtest.Member, text string) string {
	t.Helper()
	id, tok := fake.Command(who, guild, "report", nil)
	if r := result(t, fake, fake.AppID, id, tok); r.Type != 9 || r.CustomID != "report:form" {
		t.Fatalf("/report = %s, want the modal", r.All)
	}
	id, tok = fake.Submit(who, guild, "report:form", map[string]string{
		"enterprise": "阳泉某某机械有限公司", "contact": "13800000000", "description": text})
	r := result(t, fake, fake.AppID, id, tok)
	var confirm string
	for _, c := range customIDs(r.Components) {
		if strings.HasPrefix(c, "report:confirm") {
			confirm = c
		}
	}
	if confirm == "" {
		t.Fatalf("form submit = %s, want a confirmation", r.All)
	}
	id, tok = fake.Click(who, guild, confirm, 64)
	r = result(t, fake, fake.AppID, id, tok)
	ticket := regexp.MustCompile(`CQ-20261127-\d{4,12}`).FindString(r.All)
	if ticket == "" || !r.private() {
		t.Fatalf("confirm = %s, want a private ticket id", r.All)
	}
	return ticket
}

// runOnce runs the binary to completion with stdin and returns stdout.
func runOnce(t *testing.T, bin, db, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, botEnv(db)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("huiqi %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// console is a staff member signed in to huiqi serve's console (cookies
// kept by hand: a cookie jar would compare the server's fixed clock with
// the real one).
type console struct {
	t       *testing.T
	base    string
	cookies map[string]string
	client  *http.Client
}

func (c *console) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	req.Header.Set("Cookie", strings.Join(parts, "; "))
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfIn(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in %s", page)
	}
	return m[1]
}

func signIn(t *testing.T, base, name, password string) *console {
	t.Helper()
	c := &console{t: t, base: base, cookies: map[string]string{},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := c.do("GET", "/console/login", nil)
	code, body := c.do("POST", "/console/login", url.Values{"csrf": {csrfIn(t, page)}, "name": {name}, "password": {password}})
	if code != http.StatusSeeOther || c.cookies["huiqi_session"] == "" {
		t.Fatalf("sign-in = %d %s", code, body)
	}
	return c
}

// move makes a move on the ticket's console page, as staff do; note is what the enterprise is told (the form's told field).
func (c *console) move(id, to, note string) {
	c.t.Helper()
	_, page := c.do("GET", "/console/tickets/"+id, nil)
	code, body := c.do("POST", "/console/tickets/"+id+"/move", url.Values{"csrf": {csrfIn(c.t, page)}, "to": {to}, "told": {note}})
	if code != http.StatusSeeOther {
		c.t.Fatalf("console move %s → %s = %d %s", id, to, code, body)
	}
}

// startServe runs huiqi serve on the database and returns its address.
func startServe(t *testing.T, bin, db string) (*proc, string) {
	t.Helper()
	p := startHuiqi(t, bin, botEnv(db), "serve", "--addr", "127.0.0.1:0")
	listen := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listen.FindStringSubmatch(p.stderr.String()); m != nil {
			return p, m[1]
		}
	}
	t.Fatalf("serve did not start: %s", p.stderr.String())
	return nil, ""
}

// dmNotices are the notification messages the fake holds in alice's DM.
func dmNotices(fake *discordtest.Server) []map[string]any {
	var out []map[string]any
	for _, m := range fake.Messages("dm-" + alice.UserID) {
		if strings.Contains(mustJSON(m), "通知 #") {
			out = append(out, m)
		}
	}
	return out
}

// TestBinaryTicketMovedInConsoleReachesTheDM: a ticket filed by modal,
// moved by staff in the web console while the bot is down, and the DMs
// arriving when the bot is back: 派单, 签收 and 办结 with the reply, each
// once.
func TestBinaryTicketMovedInConsoleReachesTheDM(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	db := filepath.Join(t.TempDir(), "huiqi.db")
	bot := startBotProc(t, bin, fake, db, 1)
	ticket := fileByModal(t, fake, "我们是规上工业企业，招不到数控技工，想了解稳岗用工方面的支持。")
	bot.stop(t) // the bot is down while staff work on it

	runOnce(t, bin, db, "s3cret-pass\n", "user", "add", "--name", "管理员甲", "--role", "admin")
	serve, base := startServe(t, bin, db)
	c := signIn(t, base, "管理员甲", "s3cret-pass")
	const reply = "已为贵企业对接区人社局招聘会，推荐数控技工三名。"
	for _, m := range []struct{ to, note string }{
		{"已派单", ""}, {"已签收", ""}, {"办理中", ""}, {"已办结", reply},
	} {
		c.move(ticket, m.to, m.note)
	}
	serve.stop(t)
	if n := len(dmNotices(fake)); n != 0 {
		t.Fatalf("%d notifications sent while the bot was down", n)
	}

	bot = startBotProc(t, bin, fake, db, 2)
	isNotice := func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "通知 #")
	}
	calls, ok := fake.WaitN(wait, 3, isNotice)
	if !ok {
		t.Fatalf("%d notification DMs after the restart, want 3; stderr:\n%s", len(calls), bot.stderr.String())
	}
	var texts []string
	for _, c := range calls {
		var m struct {
			Embeds []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"embeds"`
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if err := json.Unmarshal(c.Body, &m); err != nil || len(m.Embeds) != 1 || m.Nonce == "" || !m.EnforceNonce {
			t.Fatalf("notification = %s, want one embed with an enforced nonce", c.Body)
		}
		texts = append(texts, m.Embeds[0].Title+"｜"+m.Embeds[0].Description)
	}
	want := []string{"已派单", "已签收", "已办结"}
	for i, w := range want {
		if !strings.Contains(texts[i], ticket) || !strings.Contains(texts[i], w) {
			t.Errorf("notification %d = %q, want %s of %s", i, texts[i], w, ticket)
		}
	}
	if !strings.Contains(texts[2], "答复："+reply) {
		t.Errorf("the 办结 notification = %q, want the reply", texts[2])
	}
	t.Logf("DMs: %q", texts)
	// Nothing more comes: each once.
	time.Sleep(1500 * time.Millisecond)
	if n := len(dmNotices(fake)); n != 3 {
		t.Errorf("%d notification messages in the DM, want 3", n)
	}
	for _, c := range fake.Calls() {
		if c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages" {
			t.Errorf("posted publicly: %s", c)
		}
	}
	bot.stop(t)
}

// TestBinaryCrashBetweenSendAndRecord: the bot dies after Discord accepted
// a notification and before it heard so; the next bot finds it in the DM
// and does not send it again.
func TestBinaryCrashBetweenSendAndRecord(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	db := filepath.Join(t.TempDir(), "huiqi.db")
	bot := startBotProc(t, bin, fake, db, 1)
	ticket := fileByModal(t, fake, "反映一下，去年的稳岗补贴一直没有到账，想问问进度。")
	hold := fake.HoldNext(func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "通知 #")
	})
	runOnce(t, bin, db, "", "ticket", ticket, "--set", "已派单", "--by", "坐席甲")
	select {
	case <-hold.Arrived():
	case <-time.After(wait):
		t.Fatalf("the notification never went out; stderr:\n%s", bot.stderr.String())
	}
	if err := bot.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to record
		t.Fatal(err)
	}
	<-bot.done
	hold.Release()
	if n := len(dmNotices(fake)); n != 1 {
		t.Fatalf("%d messages in the DM after the crash, want the 1 Discord accepted", n)
	}

	bot = startBotProc(t, bin, fake, db, 2)
	// After the dead bot's lease (2 s) the new one takes the notification,
	// uncertain, and looks in the DM first.
	fake.Wait(20*time.Second, "a look at the DM's history", discordtest.Is("GET", "/channels/dm-"+alice.UserID+"/messages"))
	time.Sleep(1500 * time.Millisecond)
	if n := len(dmNotices(fake)); n != 1 {
		t.Errorf("%d notification messages in the DM, want 1 (no duplicate)", n)
	}
	posts := 0
	for _, c := range fake.Calls() {
		if c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "通知 #") {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("the notification was posted %d times, want once", posts)
	}
	out := runOnce(t, bin, db, "", "ticket", ticket, "--json")
	if !strings.Contains(out, ticket) {
		t.Fatalf("ticket --json: %s", out)
	}
	bot.stop(t)
}

// TestBinaryTwoProcessesDeliverEachOnce: two shards of the bot on one
// database file drain the same outbox; every notification is posted once.
func TestBinaryTwoProcessesDeliverEachOnce(t *testing.T) {
	t.Parallel()
	twoShardsDeliverEachOnce(t, filepath.Join(t.TempDir(), "huiqi.db"), func(int) []string { return nil })
}

// TestBinaryTwoShardsOnPostgres: the same with the tickets and their
// outbox in one PostgreSQL database and each process's conversations in a
// SQLite file of its own, as shards on two machines would run (--db
// postgres://… --local-db). Without HUIQI_TEST_POSTGRES it is skipped,
// except in CI (CI=true), where it fails: scripts/test.sh starts one.
func TestBinaryTwoShardsOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t, "discord_")
	dir := t.TempDir()
	twoShardsDeliverEachOnce(t, filepath.Join(dir, "unused.db"), func(i int) []string {
		return []string{"--db", dsn, "--local-db", filepath.Join(dir, fmt.Sprintf("local%d.db", i))}
	})
}

// twoShardsDeliverEachOnce runs two shards of the bot on db (HUIQI_DB)
// with the storage flags store gives process i (0 and 1 the shards, 2 the
// staff's ticket command), files tickets from three reporters, moves each
// once and checks every notification is posted once.
func twoShardsDeliverEachOnce(t *testing.T, db string, store func(i int) []string) {
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	a := startBotProc(t, bin, fake, db, 1, append([]string{"--shard", "0/2"}, store(0)...)...)
	b := startBotProc(t, bin, fake, db, 2, append([]string{"--shard", "1/2"}, store(1)...)...)
	// Three reporters (each may file a few tickets an hour), four tickets each.
	users := []discordtest.Member{alice, bob, {UserID: "400000000000000003", Name: "carol"}}
	const per = 4
	n := per * len(users)
	var tickets []string
	seen := map[string]bool{}
	for i := range n { // distinct texts: the same text again is folded into the first ticket
		id := fileByModalAs(t, fake, users[i%len(users)], fmt.Sprintf("第%d车间用工缺口较大，想了解稳岗用工方面的政策支持。", i+1))
		if seen[id] {
			t.Fatalf("filing %d gave the earlier ticket %s", i+1, id)
		}
		seen[id] = true
		tickets = append(tickets, id)
	}
	for _, id := range tickets { // one move each: one notification each
		runOnce(t, bin, db, "", append([]string{"ticket", id, "--set", "已派单", "--by", "坐席甲"}, store(2)...)...)
	}
	isNotice := func(c discordtest.Call) bool {
		return c.Method == "POST" && strings.HasPrefix(c.Path, "/channels/dm-") && strings.Contains(string(c.Body), "通知 #")
	}
	if calls, ok := fake.WaitN(20*time.Second, n, isNotice); !ok {
		t.Fatalf("%d notifications, want %d", len(calls), n)
	}
	time.Sleep(1500 * time.Millisecond) // time for a duplicate to show
	nonces := map[string]int{}
	for _, c := range fake.Calls() {
		if isNotice(c) {
			var m struct {
				Nonce string `json:"nonce"`
			}
			_ = json.Unmarshal(c.Body, &m)
			nonces[m.Nonce]++
		}
	}
	for nonce, k := range nonces {
		if k != 1 {
			t.Errorf("notification %s posted %d times", nonce, k)
		}
	}
	if len(nonces) != n {
		t.Errorf("%d distinct notifications posted, want %d", len(nonces), n)
	}
	a.stop(t)
	b.stop(t)
}
