package discord

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/discord/discordtest"
	"huiqi/internal/testbin"
)

// The tests in this file drive the shipped binary: `huiqi discord` built from
// the module root, on the real engine, knowledge base and ticket store,
// pointed at the fake Discord with --discord-api.

var huiqiBin struct {
	once sync.Once
	path string
	err  error
}

func buildHuiqi(t *testing.T) string {
	t.Helper()
	huiqiBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "huiqi-discord-test")
		if err != nil {
			huiqiBin.err = err
			return
		}
		huiqiBin.path = filepath.Join(dir, "huiqi")
		huiqiBin.err = testbin.BuildTo(context.Background(), huiqiBin.path)
	})
	if huiqiBin.err != nil {
		t.Fatal(huiqiBin.err)
	}
	return huiqiBin.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if huiqiBin.path != "" {
		os.RemoveAll(filepath.Dir(huiqiBin.path))
	}
	os.Exit(code)
}

// testbin.SyncBuffer is a bytes.Buffer safe for the process's writes and our reads.
type proc struct {
	cmd    *exec.Cmd
	stdout testbin.SyncBuffer
	stderr testbin.SyncBuffer
	done   chan error
}

// startHuiqi runs the binary with exactly env (plus PATH and HOME).
func startHuiqi(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exit waits for the process and returns its status.
func (p *proc) exit(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(20 * time.Second):
		t.Fatalf("huiqi did not exit; stderr:\n%s", p.stderr.String())
	}
	return -1
}

// stop interrupts the bot as an operator's Ctrl-C would.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(t); code != 0 {
		t.Fatalf("huiqi discord exited %d after interrupt; stderr:\n%s", code, p.stderr.String())
	}
}

func TestBinaryMissingOrRejectedToken(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"missing", nil, "DISCORD_TOKEN is not set"},
		{"blank", []string{"DISCORD_TOKEN= "}, "DISCORD_TOKEN is not set"},
		{"rejected", []string{"DISCORD_TOKEN=wrong", "DISCORD_API=" + fake.URL}, "DISCORD_TOKEN was rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append([]string{"HUIQI_DB=" + filepath.Join(t.TempDir(), "h.db")}, tt.env...)
			p := startHuiqi(t, bin, env, "discord")
			if code := p.exit(t); code != 2 {
				t.Errorf("exit = %d, want 2; stderr:\n%s", code, p.stderr.String())
			}
			stderr := p.stderr.String()
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "huiqi discord: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want one line with %q", stderr, tt.want)
			}
			if p.stdout.String() != "" {
				t.Errorf("stdout = %q, want nothing", p.stdout.String())
			}
		})
	}
}

// turnResult is what the bot answered to one interaction, however it did.
type turnResult struct {
	Type       int
	Content    string
	Flags      int
	CustomID   string
	Embeds     []map[string]any
	Components []component
	All        string // every body sent for the interaction
}

// private reports whether the answer was seen by the user alone: an
// ephemeral message, or an update of the private message pressed.
func (r turnResult) private() bool { return r.Flags&64 != 0 || r.Type == 7 || r.Type == 6 }

// result waits for the answer to interaction id/tok: an immediate response,
// or a deferral and the edit of @original; plus any follow-ups sent so far.
func result(t *testing.T, fake *discordtest.Server, appID, id, tok string) turnResult {
	t.Helper()
	c := fake.Wait(wait, "callback of "+id, callback(id, tok))
	r := decode[response](t, c)
	out := turnResult{Type: r.Type, Content: r.Data.Content, Flags: r.Data.Flags, CustomID: r.Data.CustomID,
		Embeds: r.Data.Embeds, Components: r.Data.Components, All: string(c.Body)}
	if r.Type == 5 || r.Type == 6 {
		e := fake.Wait(wait, "edit of "+id, discordtest.Is("PATCH", "/webhooks/"+appID+"/"+tok+"/messages/@original"))
		var m struct {
			Content    string           `json:"content"`
			Embeds     []map[string]any `json:"embeds"`
			Components []component      `json:"components"`
		}
		_ = json.Unmarshal(e.Body, &m)
		out.Content, out.Embeds, out.Components, out.All = m.Content, m.Embeds, m.Components, out.All+string(e.Body)
	}
	for _, f := range fake.Calls() {
		if f.Method == "POST" && f.Path == "/webhooks/"+appID+"/"+tok {
			out.All += string(f.Body)
		}
	}
	return out
}

var questionNo = regexp.MustCompile(`第(\d+)题：`)

// answerAward plays the award dialog from r until the report, clicking the
// first answer button and typing numbers in the private modal; it stops
// early after stopAt questions (0: never). It returns the last result.
func answerAward(t *testing.T, fake *discordtest.Server, who discordtest.Member, r turnResult, stopAt int) turnResult {
	t.Helper()
	guesses := []string{"10%", "500万元", "12", "2020", "100"}
	g, asked := 0, map[string]bool{}
	for step := 0; step < 120; step++ {
		if !r.private() {
			t.Fatalf("award turn neither ephemeral nor an update of the private message: %s", r.All)
		}
		m := questionNo.FindStringSubmatch(r.Content)
		if m == nil {
			return r
		}
		asked[m[1]] = true
		if stopAt > 0 && len(asked) > stopAt {
			return r
		}
		ids := customIDs(r.Components)
		var id, tok string
		pick := ""
		for _, c := range ids {
			if c == "award:skip" {
				pick = c
				break
			}
			if strings.HasPrefix(c, "award:ans:") && pick == "" {
				pick = c
			}
		}
		if pick != "" {
			id, tok = fake.Click(who, guild, pick, 64)
		} else {
			// The modal opened from the private message's 输入答案 button:
			// Discord's submission carries that message.
			id, tok = fake.SubmitOn(who, guild, answerID, map[string]string{"answer": guesses[g%len(guesses)]},
				&discordtest.MessageRef{Flags: 64})
			g++
		}
		r = result(t, fake, fake.AppID, id, tok)
	}
	t.Fatalf("award dialog did not end: %s", r.All)
	return r
}

func TestBinaryRealEngineAwardRestartReportTicket(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	db := filepath.Join(t.TempDir(), "huiqi.db")
	env := []string{"DISCORD_TOKEN=test", "HUIQI_DB=" + db, "HUIQI_NOW=2026-11-27T10:00:00+08:00"}
	isCommands := func(c discordtest.Call) bool { return c.Method == "PUT" && strings.HasSuffix(c.Path, "/commands") }

	p := startHuiqi(t, bin, env, "discord", "--discord-api", fake.URL, "--shard", "0/1")
	if _, ok := fake.WaitN(40*time.Second, 1, isCommands); !ok {
		t.Fatalf("no command registration; stderr:\n%s", p.stderr.String())
	}
	fake.WaitConnected(1, wait)

	// A question answered with an embed and the 反映问题 button.
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率是多少"})
	r := result(t, fake, fake.AppID, id, tok)
	if len(r.Embeds) == 0 || !strings.Contains(mustJSON(r.Embeds), "0.8%") || r.Flags&64 != 0 {
		t.Errorf("/ask = %s, want a public embed with 0.8%%", r.All)
	}
	if !strings.Contains(strings.Join(customIDs(r.Components), ","), "cmd:report") {
		t.Errorf("/ask buttons = %v, want 反映问题", customIDs(r.Components))
	}
	// A DM conversation.
	fake.Message(bob, dmWith(bob), "你好", false)
	fake.Wait(wait, "DM greeting", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+bob.UserID+"/messages" && strings.Contains(string(c.Body), "惠企助手")
	})

	// The award dialog, half done, then the bot restarts.
	id, tok = fake.Command(alice, guild, "award", nil)
	r = answerAward(t, fake, alice, result(t, fake, fake.AppID, id, tok), 2)
	pending := questionNo.FindStringSubmatch(r.Content)
	if pending == nil {
		t.Fatalf("dialog ended before the restart: %s", r.All)
	}
	p.stop(t)

	p = startHuiqi(t, bin, env, "discord", "--discord-api", fake.URL, "--staff-role", "500000000000000001")
	if _, ok := fake.WaitN(40*time.Second, 2, isCommands); !ok {
		t.Fatalf("no command registration after restart; stderr:\n%s", p.stderr.String())
	}
	fake.WaitConnected(2, wait)
	id, tok = fake.Command(alice, guild, "award", nil)
	r = result(t, fake, fake.AppID, id, tok)
	if m := questionNo.FindStringSubmatch(r.Content); m == nil || m[1] != pending[1] || !strings.Contains(r.Content, "继续") {
		t.Fatalf("after restart /award = %q, want to continue at question %s", r.Content, pending[1])
	}
	before := len(fake.Calls())
	r = answerAward(t, fake, alice, r, 0)
	t.Logf("resumed at question %s; report: %s", pending[1], clip(r.Content, 200))
	if !strings.Contains(r.All, "元") {
		t.Errorf("award report = %s, want amounts", r.All)
	}
	// The dialog is one message updated in place: its answers add no
	// message of their own (modals for typed numbers aside).
	newMessages, updates, modals := 0, 0, 0
	for _, c := range fake.Calls()[before:] {
		switch {
		case strings.HasSuffix(c.Path, "/callback") && strings.HasPrefix(string(c.Body), `{"type":4`):
			newMessages++
		case strings.HasSuffix(c.Path, "/callback") && strings.HasPrefix(string(c.Body), `{"type":7`):
			updates++
		case strings.HasSuffix(c.Path, "/callback") && strings.HasPrefix(string(c.Body), `{"type":9`):
			modals++
		case c.Method == "POST" && strings.HasPrefix(c.Path, "/webhooks/"):
			newMessages++
		}
	}
	t.Logf("rest of the award dialog: %d updates in place, %d new messages, %d modals", updates, newMessages, modals)
	if updates == 0 || newMessages > 1 {
		t.Errorf("award dialog: %d updates, %d new messages; want the dialog message updated in place", updates, newMessages)
	}

	// An issue through the modal, confirmed, then looked up with /ticket.
	id, tok = fake.Command(alice, guild, "report", nil)
	r = result(t, fake, fake.AppID, id, tok)
	if r.Type != 9 || r.CustomID != "report:form" {
		t.Fatalf("/report = %s, want the modal", r.All)
	}
	id, tok = fake.Submit(alice, guild, "report:form", map[string]string{
		"enterprise": "阳泉某某机械有限公司", "contact": "13800000000",
		"description": "我们是规上工业企业，一季度产值增长奖励申报后一直没有到账，想问问进度。",
	})
	r = result(t, fake, fake.AppID, id, tok)
	if r.Flags&64 == 0 || !strings.Contains(strings.Join(customIDs(r.Components), ","), "report:confirm") {
		t.Fatalf("form submit = %s, want an ephemeral confirmation", r.All)
	}
	id, tok = fake.Click(alice, guild, "report:confirm", 64)
	r = result(t, fake, fake.AppID, id, tok)
	ticket := regexp.MustCompile(`CQ-20261127-\d{4,}`).FindString(r.All)
	t.Logf("filed %s", ticket)
	if ticket == "" || !r.private() {
		t.Fatalf("confirm = %s, want an ephemeral ticket id", r.All)
	}
	id, tok = fake.Command(alice, guild, "ticket", map[string]string{"id": ticket})
	r = result(t, fake, fake.AppID, id, tok)
	if r.Flags&64 == 0 || !strings.Contains(r.All, ticket) || !strings.Contains(r.All, "已受理") {
		t.Errorf("/ticket = %s, want the ephemeral ticket", r.All)
	}
	// Staff commands: refused without the role, done with it on the real store.
	id, tok = fake.Command(alice, guild, "move", map[string]string{"id": ticket, "status": "已办结"})
	if r = result(t, fake, fake.AppID, id, tok); r.Content != msgStaffOnly {
		t.Errorf("/move without the role = %s", r.All)
	}
	clerk := discordtest.Member{UserID: "400000000000000009", Name: "clerk", Roles: []string{"500000000000000001"}}
	id, tok = fake.Command(clerk, guild, "move", map[string]string{"id": strings.ToLower(ticket), "status": "已派单", "note": "请尽快办理"})
	if r = result(t, fake, fake.AppID, id, tok); r.Flags&64 == 0 || !strings.Contains(r.Content, "已派单") {
		t.Errorf("staff /move = %s, want the ticket moved", r.All)
	}
	id, tok = fake.Command(clerk, guild, "move", map[string]string{"id": ticket, "status": "已回访"})
	if r = result(t, fake, fake.AppID, id, tok); !strings.HasPrefix(r.Content, "无法办理") {
		t.Errorf("refused move = %s, want 无法办理…", r.All)
	}
	id, tok = fake.Command(clerk, guild, "queue", map[string]string{"unit": "区行政审批局"})
	if r = result(t, fake, fake.AppID, id, tok); r.Flags&64 == 0 || len(r.Embeds) != 1 || !strings.HasPrefix(r.Embeds[0]["title"].(string), "工单队列") {
		t.Errorf("staff /queue = %s", r.All)
	}
	id, tok = fake.Command(alice, guild, "ticket", map[string]string{"id": ticket})
	if r = result(t, fake, fake.AppID, id, tok); !strings.Contains(r.All, "已派单") {
		t.Errorf("/ticket after the move = %s, want 已派单", r.All)
	}
	for _, c := range fake.Calls() {
		if c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages" {
			t.Errorf("something was posted publicly: %s", c)
		}
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "connected as huiqi") {
		t.Errorf("stderr = %q, want the ready line", p.stderr.String())
	}
}
