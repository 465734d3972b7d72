package wechat_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/intake"
	"huiqi/internal/transcript"
	"huiqi/knowledge"
	"huiqi/notify"
	"huiqi/sqlite"
	"huiqi/wechat"
)

// real is the engine as huiqi's channels wire it (bot/wire), on a fresh
// SQLite database and the test's clock, with the ticket store at hand.
type real struct {
	*rig
	engine *bot.Engine
	store  *intake.Store
}

func newReal(t *testing.T, safe bool, opts ...func(*wechat.Config)) *real {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: start}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = c.Now
	base, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{Router: intake.NewRouter(base)}, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	e, err := wire.NewEngine(db, base, st, c.Now, nil, bot.Deps{RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &real{rig: newRigAt(t, c, e, safe, opts...), engine: e, store: st}
}

// deliver sends one delivery and returns what the user sees: the passive
// reply, or the customer-service messages the turn sent.
func (r *real) deliver(user string, send func() (string, bool)) []string {
	r.t.Helper()
	before := len(r.fake.Custom())
	if text, passive := send(); passive {
		return []string{text}
	}
	r.s.Wait()
	var out []string
	for _, m := range r.fake.Custom()[before:] {
		if m.To != user {
			r.t.Fatalf("a message for %s went to %s", user, m.To)
		}
		out = append(out, m.Content)
	}
	if len(out) == 0 {
		r.t.Fatalf("no answer for %s, passive or otherwise", user)
	}
	return out
}

func (r *real) text(user, text string) []string {
	r.t.Helper()
	return r.deliver(user, func() (string, bool) {
		resp := r.send(r.p.Text(user, text))
		if resp.Reply != nil {
			return resp.Reply.Content, true
		}
		return "", false
	})
}

func (r *real) click(user, key string) []string {
	r.t.Helper()
	r.clock.Add(time.Second) // a new CreateTime: a new click
	return r.deliver(user, func() (string, bool) {
		resp := r.send(r.p.Click(user, key))
		if resp.Reply != nil {
			return resp.Reply.Content, true
		}
		return "", false
	})
}

// numbered finds "N. label" in what the user saw last.
func numbered(msgs []string, label string) (string, bool) {
	re := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `$`)
	last := msgs[len(msgs)-1]
	if m := re.FindStringSubmatch(last); m != nil {
		return m[1], true
	}
	return "", false
}

func TestRealQuestionAnsweredPassively(t *testing.T) {
	r := newReal(t, false)
	got := r.text("oUserQ", "担保费率是多少？")
	if len(got) != 1 || !has(got[0], "【二十条第12条", "0.8%", "回复数字选择：", "1. 反映问题", "2. 算奖励") {
		t.Fatalf("the answer:\n%s", strings.Join(got, "\n---\n"))
	}
	if strings.ContainsAny(got[0], "*#`") {
		t.Errorf("Markdown in the answer:\n%s", got[0])
	}
	if n := len(r.fake.Calls("")); n != 0 {
		t.Errorf("a passive answer made %d API calls", n)
	}
	// "2" picks 算奖励 from the answer's choices.
	if got := r.text("oUserQ", "2"); !has(got[0], "我们来测算企业可能拿到的奖励", "第1题") {
		t.Errorf("\"2\" after the answer:\n%s", got[0])
	}
}

// TestRealAwardDialogByNumbers runs bot/testdata/award_full.in through
// WeChat, answering every 是/否 and choice question by its number, and
// checks the report against the terminal's golden transcript of the same
// answers.
func TestRealAwardDialogByNumbers(t *testing.T) {
	for _, safe := range []bool{false, true} {
		r := newReal(t, safe)
		const user = "oUserAward"
		answers := transcript.MustAnswers(t, "../bot/testdata/award_full.in")
		if answers[0] != "算奖励" {
			t.Fatalf("the script starts with %q", answers[0])
		}
		seen := r.click(user, "huiqi_award")
		byNumber := 0
		for _, a := range answers[1:] {
			send := a
			if n, ok := numbered(seen, a); ok {
				send, byNumber = n, byNumber+1
			}
			seen = r.text(user, send)
		}
		if byNumber < 6 {
			t.Errorf("safe=%v: only %d answers went by number", safe, byNumber)
		}
		all := strings.Join(seen, "\n")
		for _, m := range seen {
			if len(m) > wechat.MaxTextBytes {
				t.Errorf("safe=%v: a message of %d bytes", safe, len(m))
			}
		}
		if len(seen) > 5 || strings.Contains(all, "内容较长") {
			t.Errorf("safe=%v: the report took %d messages or was cut", safe, len(seen))
		}
		for _, line := range reportLines(t, "../bot/testdata/award_full.txt") {
			if !strings.Contains(all, line) {
				t.Errorf("safe=%v: the report lacks the terminal's line %q", safe, line)
			}
		}
		if n, ok := numbered(seen, "反映问题"); !ok || n != "1" {
			t.Errorf("safe=%v: the dialog's end offers no numbered 反映问题:\n%s", safe, seen[len(seen)-1])
		}
		t.Logf("safe=%v: the report came in %d messages of %v bytes", safe, len(seen), lens(seen))
	}
}

func lens(ss []string) []int {
	var out []int
	for _, s := range ss {
		out = append(out, len(s))
	}
	return out
}

// reportLines are the totals and items of the report in a terminal
// transcript: the lines that must read the same on WeChat.
func reportLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "【") || strings.HasPrefix(l, "计算：") || strings.HasPrefix(l, "测算完成") {
			out = append(out, l)
		}
	}
	if len(out) < 8 {
		t.Fatalf("%s: only %d report lines", path, len(out))
	}
	return out
}

func TestRealReportThenNotice(t *testing.T) {
	tmpl, err := wechat.ParseTemplate("TPL_TICKET ticket=character_string1 status=phrase2 unit=thing3 reply=thing4 due=time5")
	if err != nil {
		t.Fatal(err)
	}
	r := newReal(t, true, func(c *wechat.Config) { c.TicketTemplate = tmpl })
	const user = "oUserReport"
	seen := r.click(user, "huiqi_report")
	if !has(seen[0], "【反映问题】（逐项回复，回复“取消”放弃）", "企业名称") {
		t.Fatalf("the report's first prompt:\n%s", seen[0])
	}
	// The form asks what happened first, then who and how to reach them.
	r.text(user, "申请小升规奖励时材料交了两个月，一直没有回音，不知道卡在哪个环节。")
	r.text(user, "阳泉某某机械有限公司")
	seen = r.text(user, "13800000000")
	n, ok := numbered(seen, "确认提交")
	if !ok || !has(seen[0], "企业名称：阳泉某某机械有限公司", "联系方式：13800000000") {
		t.Fatalf("the confirmation:\n%s", seen[0])
	}
	seen = r.text(user, n)
	id := regexp.MustCompile(`CQ-\d{8}-\d{4,}`).FindString(seen[0])
	if id == "" || !strings.Contains(seen[0], "已提交") {
		t.Fatalf("no ticket filed:\n%s", seen[0])
	}
	ctx := t.Context()
	list, err := r.store.ListByReporter(ctx, wechat.Key(user).String())
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("tickets of %s: %v, %v", user, list, err)
	}

	// Staff move it; the outbox tells the enterprise of each move, through
	// the dispatcher and the notice sender.
	r.clock.Add(2 * time.Hour)
	for _, to := range []intake.Status{intake.StatusDispatched, intake.StatusSigned, intake.StatusHandling} {
		if _, err := r.store.Move(ctx, id, to, "区工信局", ""); err != nil {
			t.Fatal(err)
		}
	}
	tk, err := r.store.Move(ctx, id, intake.StatusClosed, "区工信局", "材料已补齐，已转区中小企业发展中心审核。")
	if err != nil {
		t.Fatal(err)
	}
	if openID, ok := wechat.OpenID(tk.ReporterKey); !ok || openID != user {
		t.Fatalf("reporter key %q", tk.ReporterKey)
	}
	d, err := notify.New(r.store, notify.Config{Now: r.clock.Now}, wechat.NewNoticeSender(r.s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Drain(ctx)
	if err != nil || res.Sent != 3 {
		t.Fatalf("drain: %+v, %v; want 3 sent (派单, 签收, 办结)", res, err)
	}
	calls := r.fake.Calls("/cgi-bin/message/template/send")
	if len(calls) != 3 {
		t.Fatalf("template calls: %v", calls)
	}
	last := calls[2]
	if last.ErrCode != 0 || !has(string(last.Body), `"touser":"`+user+`"`, id, "已办结", "材料已补齐", tk.Due.Format("2006年1月2日")) {
		t.Fatalf("the 办结 notice: %s", last.Body)
	}
	ns, err := r.store.Notifications(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, n := range ns {
		if n.Channel == wechat.Channel && n.State == intake.NotifySent && strings.HasPrefix(n.Receipt, "template:") {
			sent++
		}
	}
	if sent != 3 {
		t.Errorf("%d notifications recorded as sent with a receipt, want 3: %+v", sent, ns)
	}
	if res, err := d.Drain(ctx); err != nil || res.Sent != 0 {
		t.Errorf("a second drain: %+v, %v; want nothing sent again", res, err)
	}
	// 查进度 shows the new status.
	seen = r.click(user, "huiqi_ticket")
	if !has(seen[0], id, "已办结") {
		t.Errorf("查进度 after the move:\n%s", seen[0])
	}
}

// TestRealMenuMatchesEngine keeps the WeChat menu and the engine's main
// menu in agreement: the same labels in the same order, and a click on a
// button does what picking the engine's choice does.
func TestRealMenuMatchesEngine(t *testing.T) {
	r := newReal(t, false)
	start := r.content(r.send(r.p.Subscribe("oUserMenu")), "follow")
	var labels []string
	for _, l := range strings.Split(start, "\n") {
		if m := regexp.MustCompile(`^(\d+)\. (.+)$`).FindStringSubmatch(l); m != nil {
			labels = append(labels, m[2])
		}
	}
	var menu []string
	var keys []string
	for _, b := range wechat.Menu().Button {
		for _, sb := range append([]wechat.MenuButton{b}, b.SubButton...) {
			if sb.Key != "" {
				menu, keys = append(menu, sb.Name), append(keys, sb.Key)
			}
		}
	}
	if strings.Join(labels, " ") != strings.Join(menu, " ") {
		t.Fatalf("engine menu %q, WeChat menu %q", labels, menu)
	}
	for i, key := range keys {
		a := "oClick" + strconv.Itoa(i)
		b := "oPick" + strconv.Itoa(i)
		clicked := r.click(a, key)
		r.send(r.p.Subscribe(b))
		picked := r.text(b, strconv.Itoa(i+1))
		if strings.Join(clicked, "|") != strings.Join(picked, "|") {
			t.Errorf("%s: a click shows\n%s\npicking %d shows\n%s", key, clicked, i+1, picked)
		}
	}
}
