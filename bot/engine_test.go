package bot

import (
	"bytes"
	"context"
	"fmt"
	"huiqi/knowledge"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// chat drives one conversation through the engine in a test.
type chat struct {
	tb   testing.TB
	e    *Engine
	key  Key
	last []Reply
}

func newChat(tb testing.TB, e *Engine, user string) *chat {
	return &chat{tb: tb, e: e, key: Key{Channel: "test", User: user}}
}

func (c *chat) send(in Input) string {
	c.tb.Helper()
	replies, err := c.e.Handle(context.Background(), c.key, in)
	if err != nil {
		c.tb.Fatalf("Handle(%+v) error: %v", in, err)
	}
	c.last = replies
	var b strings.Builder
	for _, r := range replies {
		renderReply(&b, r)
	}
	return b.String()
}

func (c *chat) say(text string) string { c.tb.Helper(); return c.send(Input{Text: text}) }

// choose picks the choice labelled label from the last replies.
func (c *chat) choose(label string) string {
	c.tb.Helper()
	for _, r := range c.last {
		for _, ch := range r.Choices {
			if ch.Label == label {
				return c.send(Input{Action: ch.ID})
			}
		}
	}
	c.tb.Fatalf("no choice %q in %+v", label, c.last)
	return ""
}

func mustContain(tb testing.TB, got string, wants ...string) {
	tb.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			tb.Errorf("reply does not contain %q:\n%s", w, got)
		}
	}
}

func mustNotContain(tb testing.TB, got string, nots ...string) {
	tb.Helper()
	for _, w := range nots {
		if strings.Contains(got, w) {
			tb.Errorf("reply contains %q:\n%s", w, got)
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in       string
		cmd, arg string
		ok       bool
	}{
		{"/award", "award", "", true},
		{"/ASK 担保费率", "ask", "担保费率", true},
		{"/ticket CQ-20261127-0001 abc", "ticket", "CQ-20261127-0001 abc", true},
		{"/back", "back", "", true},
		{"cq-20261127-0001", "ticket", "CQ-20261127-0001", true},
		{"CQ-20261127-0001。", "ticket", "CQ-20261127-0001", true},
		{"算奖励", "", "", false}, // words are intents (TestIntents)
		{"/unknown", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cmd, arg, ok := parseCommand(tt.in)
			if cmd != tt.cmd || arg != tt.arg || ok != tt.ok {
				t.Errorf("parseCommand(%q) = %q, %q, %v, want %q, %q, %v", tt.in, cmd, arg, ok, tt.cmd, tt.arg, tt.ok)
			}
		})
	}
}

// TestIntents reads the menu's actions in plain words (intents.json), and
// leaves questions that merely hold the words alone.
func TestIntents(t *testing.T) {
	lg, err := loadLanguage()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, action, arg string
		aloneOnly       bool
	}{
		{"算奖励", "award", "", false},
		{"测算奖励。", "award", "", false},
		{"帮我算算能拿多少奖励", "award", "", false},
		{"再算一次奖励", "award", "", false},
		{"幫我算算能拿多少獎勵", "award", "", false},
		{"我想算一下我们企业能拿多少奖励", "award", "", false},
		{"俺想算算能拿多少钱", "award", "", false}, // the dialect's first person
		{"咱们企业能拿多少", "award", "", false},
		{"俺们厂能拿多少", "award", "", false},
		{"俺要投诉", "report", "", false},
		{"俺反映的那个事咋样了", "ticket", "", false},
		{"咱厂想反映个事", "report", "", false},
		{"帮俺测一测能领多少补贴", "award", "", false},
		{"俺上回反映的事有信儿没", "ticket", "", false},
		{"反映问题", "report", "", false},
		{"投诉", "report", "", false},
		{"我要反映问题", "report", "", false},
		{"我要投诉", "report", "", false},
		{"我要反应个问题", "report", "", false},
		{"帮我提交个工单", "report", "", false},
		{"查进度 CQ-20261127-0001", "ticket", "CQ-20261127-0001", false},
		{"我那个单子咋样了", "ticket", "", false},
		{"我提交的问题有进展没", "ticket", "", false},
		{"投诉的事处理到哪了", "ticket", "", false},
		{"帮助", "help", "", false},
		{"你能做什么", "help", "", false},
		{"取消", "cancel", "", false},
		{"退出", "cancel", "", false},
		{"算了吧", "cancel", "", false},
		{"上一步", "back", "", false},
		{"上一步", "back", "", true},
		{"重新开始", "restart", "", true},
		{"跳过", "skip", "", true},
		{"我之前提的问题有人处理没", "ticket", "", false},
		{"我家企业符合哪些奖励 给估一下", "award", "", false},
		{"我们厂能享受啥政策", "award", "", false},
		{"有个困难想让政府帮忙解决", "report", "", false},
		{"招工难区里能帮忙解决吗", "", "", false},        // a named difficulty is a question
		{"小升规企业符合哪些条件", "", "", false},        // no first person: a question
		{"我想知道小升规符合哪些条件才能拿奖励", "", "", false}, // conditions, not which awards
		{"反映问题很多", "", "", false},
		{"怎么算奖励", "", "", false},
		{"小巨人能拿多少奖励", "", "", false},
		{"审批进度怎么查", "", "", false},
		{"我要投诉窗口态度差", "", "", true}, // inside a dialog only whole phrases count
		{"企业投诉多的话区里怎么处理，有没有专门的渠道，处理的时限是多少天，结果会不会公开", "", "", false},
	}
	for _, tt := range tests {
		it, ok := lg.matchIntent(tt.in, tt.aloneOnly)
		if it.action != tt.action || it.arg != tt.arg || ok != (tt.action != "") {
			t.Errorf("matchIntent(%q, %v) = %+v, %v, want %q %q", tt.in, tt.aloneOnly, it, ok, tt.action, tt.arg)
		}
	}
}

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@everyone 你好", "@\u200beveryone 你好"},
		{"<@123>", "<@\u200b123>"},
		{"a\x00b\u202ec", "abc"},
		{"普通文字", "普通文字"},
	}
	for _, tt := range tests {
		if got := safe(tt.in); got != tt.want {
			t.Errorf("safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInputLimits(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "limits")
	mustContain(t, c.say("   "), "您还没有输入内容")
	mustContain(t, c.say(strings.Repeat("长", 2001)), "内容太长了", "2000字")
	mustContain(t, c.say(strings.Repeat("长", 2000)), "不在")
	mustContain(t, c.say("\xff\xfe"), "您还没有输入内容")
}

func TestAsk(t *testing.T) {
	e, tk := newFakeEngine(t, nil)
	c := newChat(t, e, "ask")
	got := c.say("措施甲是什么？")
	mustContain(t, got, "【测试条第1条 测试措施甲】", "测试措施甲的关键句。", "金额：2万元", "责任单位：测试局", "有效期：测试有效期", "反映问题", "算奖励")
	if c.last[0].Card == nil {
		t.Fatal("answer has no card")
	}

	got = c.say("含糊的问题")
	mustContain(t, got, "您问的是", "1. 测试条第1条 测试措施甲", "2. 测试条第2条 测试措施乙")
	mustContain(t, c.choose("测试条第2条 测试措施乙"), "【测试条第2条 测试措施乙】", "测试措施乙的关键句。")

	got = c.say("明天会下雨吗")
	mustContain(t, got, "不在政策措施的范围内", "记录为问题")
	mustContain(t, c.choose("记录为问题"), "已记录")
	if len(tk.unanswered) != 1 || tk.unanswered[0] != "明天会下雨吗" {
		t.Errorf("unanswered = %q, want the question", tk.unanswered)
	}

	for _, greet := range []string{"你好", "谢谢", "你是谁"} {
		got := c.say(greet)
		mustNotContain(t, got, "【")
		mustContain(t, got, "算奖励")
	}
	// The knowledge base's reply, and what its data says comes next: the
	// menu after an introduction, nothing after goodbye.
	mustContain(t, c.say("你是谁"), "我是测试助手。\n我是惠企助手，可以帮您：", "测试区惠企政策（测政发〔2026〕1号的测试条措施）")
	if got := c.say("再见"); strings.TrimSpace(got) != "再见！" || len(c.last) != 1 || len(c.last[0].Choices) != 0 {
		t.Errorf("再见 = %q with %d replies, want the lexicon's goodbye alone", got, len(c.last))
	}
}

func TestAwardDialog(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "award")
	got := c.say("/award")
	mustContain(t, got, "第1题：是规上企业吗？", "最多可能增加5万元", "1. 是", "2. 否")
	if !c.last[0].Private {
		t.Error("award question is not private")
	}
	// Three misses, then the skip offer.
	mustContain(t, c.say("很多"), "没能理解", "请回答是或否", "回答是或否。", "第1题")
	c.say("很多")
	got = c.say("很多")
	mustContain(t, got, "跳过")
	// A side question is answered and the dialog resumes.
	got = c.say("措施甲是多少？")
	mustContain(t, got, "【测试条第1条 测试措施甲】", "我们继续：", "第1题：是规上企业吗？")
	// An unsure side question is a miss, not an answer.
	mustContain(t, c.say("下雨吗？"), "没能理解")
	mustContain(t, c.choose("是"), "第2题：增速是多少？")
	mustContain(t, c.say("上一步"), "回到上一题", "第1题")
	c.choose("是")
	mustContain(t, c.say("35%"), "第3题：有研发机构吗？")
	mustContain(t, c.say("重新开始"), "从头开始", "第1题")
	c.say("是")
	c.say("120")
	got = c.say("有")
	mustContain(t, got, "测算完成", "测试报告：scale=yes，growth=120，rd=yes", "反映问题", "继续提问")
	mustContain(t, c.say("有"), "不在") // the dialog is over: back to questions
}

func TestAwardCancelAndStaleButtons(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "cancel")
	c.say("算奖励")
	yes := c.last[0].Choices[0].ID
	mustContain(t, c.say("取消"), "已取消奖励测算")
	mustContain(t, c.send(Input{Action: yes}), "已经结束或取消")
	mustContain(t, c.send(Input{Action: "nonsense"}), "已经失效")
	// A button of an earlier question does not answer the current one.
	c.say("算奖励")
	c.choose("是")
	mustContain(t, c.send(Input{Action: yes}), "已经过期", "第2题")
}

func TestAwardSkip(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "skip")
	c.say("/award")
	for range 3 {
		c.say("不好说")
	}
	got := c.choose("跳过")
	mustContain(t, got, "先跳过", "第2题：有研发机构吗？")
}

func TestReportAndTicket(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "reporter")
	got := c.say("反映问题")
	if c.last[0].Form == nil {
		t.Fatal("report does not offer a form")
	}
	// Description, enterprise, contact: each checked as it is typed, and a
	// refused one asked again without losing the others.
	mustContain(t, got, "问题描述", "请描述遇到的问题")
	mustContain(t, c.say("慢"), "太短", "请描述遇到的问题")
	mustContain(t, c.say("@everyone 贷款延期办不下来"), "企业名称")
	mustContain(t, c.say("测"), "2到100个字", "请告诉我企业名称")
	mustContain(t, c.say("测试机械有限公司"), "联系方式")
	mustContain(t, c.say("不告诉你"), "11位手机号", "带区号的座机")
	mustContain(t, c.say("139O3531234"), "字母", "请留下联系方式")
	mustContain(t, c.say("上一步"), "回到上一项", "已填：“测试机械有限公司”")
	mustContain(t, c.say("好"), "请留下联系方式")
	got = c.say("138 0000 0000")
	mustContain(t, got, "请确认", "测试机械有限公司", "13800000000", "@\u200beveryone", "确认提交", "修改", "取消")
	got = c.choose("确认提交")
	mustContain(t, got, "CQ-20261127-0001", "已受理", "测试中心", "2026年12月4日前", "查询码：S00001")
	if !c.last[0].Private {
		t.Error("ticket reply is not private")
	}

	mustContain(t, c.say("查进度 CQ-20261127-0001"), "已受理")
	mustNotContain(t, c.say("查进度 CQ-20261127-0001"), "S00001")
	mustContain(t, c.say("查进度"), "CQ-20261127-0001")
	other := newChat(t, e, "someone-else")
	mustContain(t, other.say("查进度 CQ-20261127-0001"), "没有找到")
	mustContain(t, other.say("查进度 CQ-20261127-0001 S00001"), "已受理")
	mustContain(t, other.say("查进度 123"), "格式")

	// The form path, with a bad field, then an edit and a cancel.
	c.say("/report")
	got = c.send(Input{Action: actForm, Form: map[string]string{fieldEnterprise: "测试公司", fieldContact: "x", fieldProblem: "问题描述足够长"}})
	mustContain(t, got, "联系方式请填写", "保留")
	if f := c.last[0].Form; f == nil || f.Fields[1].Value != "测试公司" || f.Fields[0].Value != "问题描述足够长" {
		t.Fatalf("form after a bad contact = %+v, want what was typed kept", f)
	}
	// Typing goes on at the field to fix, not at the first.
	mustContain(t, c.say("0353-1234567"), "请确认", "0353-1234567", "测试公司")
	mustContain(t, c.choose("修改"), "逐项核对", "已填：“问题描述足够长”")
	mustContain(t, c.say("好"), "已填：“测试公司”")
	mustContain(t, c.say(""), "已填：“0353-1234567”")
	mustContain(t, c.say("13900000000"), "请确认", "13900000000")
	mustContain(t, c.choose("取消"), "没有提交")
}

// TestConfirmTwiceFilesOnce: the confirm button pressed twice (a double
// click, a retried request, a stale copy of the message) files one ticket
// and answers with it again; the button of a later report is its own.
func TestConfirmTwiceFilesOnce(t *testing.T) {
	e, tk := newFakeEngine(t, nil)
	c := newChat(t, e, "clicker")
	c.say("反映问题")
	c.send(Input{Action: actForm, Form: map[string]string{fieldEnterprise: "测试公司", fieldContact: "0353-1234567", fieldProblem: "用电报装一直没人来"}})
	var confirm string
	for _, ch := range c.last[0].Choices {
		if ch.Label == "确认提交" {
			confirm = ch.ID
		}
	}
	if !strings.HasPrefix(confirm, actConfirm+":") || len(confirm) < len(actConfirm)+10 {
		t.Fatalf("confirm button id = %q, want %s:<the confirmation's name>", confirm, actConfirm)
	}
	first := c.send(Input{Action: confirm})
	again := c.send(Input{Action: confirm})
	mustContain(t, first, "CQ-20261127-0001", "查询码：S00001")
	mustContain(t, again, "CQ-20261127-0001", "查询码：S00001")
	if tk.n != 1 {
		t.Errorf("%d tickets filed for one confirmation pressed twice, want 1", tk.n)
	}
	c.say("反映问题")
	c.send(Input{Action: actForm, Form: map[string]string{fieldEnterprise: "测试公司", fieldContact: "0353-1234567", fieldProblem: "另一件事：招工难"}})
	// The first report's button answers with the first ticket again, and
	// leaves the report being confirmed as it was: its own button files it.
	next := c.last
	mustContain(t, c.send(Input{Action: confirm}), "CQ-20261127-0001")
	c.last = next
	mustContain(t, c.choose("确认提交"), "CQ-20261127-0002")
	if tk.n != 2 {
		t.Errorf("%d tickets, want 2", tk.n)
	}
	// A button from before the names (report:confirm alone) still confirms.
	c.say("反映问题")
	c.send(Input{Action: actForm, Form: map[string]string{fieldEnterprise: "测试公司", fieldContact: "0353-1234567", fieldProblem: "第三件事：融资担保"}})
	mustContain(t, c.send(Input{Action: actConfirm}), "CQ-20261127-0003")
}

// TestRestartResumes stops an engine half-way through a dialog and starts
// a new one on the same database file: it asks the same question.
func TestRestartResumes(t *testing.T) {
	path := t.TempDir() + "/huiqi.db"
	db := openTestDB(t, path)
	e, _ := newFakeEngine(t, db)
	c := newChat(t, e, "restart")
	c.say("/award")
	mustContain(t, c.say("是"), "第2题：增速是多少？")
	db.Close()

	db2 := openTestDB(t, path)
	e2, _ := newFakeEngine(t, db2)
	c2 := newChat(t, e2, "restart")
	mustContain(t, c2.send(Input{Action: ActionStart}), "欢迎回来", "第2题：增速是多少？")
	mustContain(t, c2.say("50%"), "第3题：有研发机构吗？")
}

func TestIdleExpiry(t *testing.T) {
	db := openTestDB(t, "")
	now := testNow
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: newFakeTickets(), DB: db,
		Now: func() time.Time { return now }, IdleTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := newChat(t, e, "idle")
	c.say("/award")
	now = now.Add(2 * time.Hour)
	mustContain(t, c.send(Input{Action: ActionStart}), "欢迎使用")
	c.say("/award")
	now = now.Add(3 * time.Hour)
	n, err := e.Prune(context.Background())
	if err != nil || n != 1 {
		t.Errorf("Prune() = %d, %v, want 1, nil", n, err)
	}
}

// TestConcurrentConversations runs 1,000 conversations at once; each checks
// that the engine answers its own dialog, never another's.
func TestConcurrentConversations(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- converse(e, i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// converse runs a full award dialog whose answers depend on i and checks
// the report carries exactly those answers.
func converse(e *Engine, i int) error {
	ctx := context.Background()
	key := Key{Channel: "race", User: fmt.Sprint(i)}
	growth := fmt.Sprint(i)
	steps := []struct{ in, want string }{
		{"/award", "第1题"},
		{"是", "第2题"},
		{growth, "第3题"},
		{[]string{"有", "没有"}[i%2], "scale=yes，growth=" + growth + "，rd=" + []string{"yes", "no"}[i%2]},
	}
	for _, s := range steps {
		replies, err := e.Handle(ctx, key, Input{Text: s.in})
		if err != nil {
			return fmt.Errorf("conversation %d: %w", i, err)
		}
		var b strings.Builder
		for _, r := range replies {
			renderReply(&b, r)
		}
		if !strings.Contains(b.String(), s.want) {
			return fmt.Errorf("conversation %d: after %q got %q, want %q", i, s.in, b.String(), s.want)
		}
	}
	return nil
}

// BenchmarkEngineMessagesFake is the engine alone: fake answerers, real SQLite.
func BenchmarkEngineMessagesFake(b *testing.B) {
	e, _ := newFakeEngine(b, nil)
	ctx := context.Background()
	msgs := []string{"/award", "是", "35", "有", "措施甲是什么", "你好"}
	// Many conversations at once, as a busy channel has: 64 goroutines.
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		key := Key{Channel: "bench", User: fmt.Sprintf("%p", pb)}
		// Each goroutine is its own conversation.
		i := 0
		for pb.Next() {
			if _, err := e.Handle(ctx, key, Input{Text: msgs[i%len(msgs)]}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func FuzzHandle(f *testing.F) {
	for _, s := range []string{"", "你好", "/award", "/ticket CQ-20261127-0001 x", "查进度 ", "反映问题",
		"是", "上一步", "重新开始", "跳过", "取消", "@everyone", "\x00\xff", strings.Repeat("长", 2001), "措施甲？", "含糊"} {
		f.Add(s, "")
	}
	f.Add("", "pick:9")
	f.Add("", "award:ans:scale:是")
	f.Add("", "report:confirm")
	e, _ := newFakeEngine(f, nil)
	f.Fuzz(func(t *testing.T, text, action string) {
		key := Key{Channel: "fuzz", User: "u"}
		for _, in := range []Input{{Text: "/award"}, {Text: text}, {Text: text, Action: action}, {Text: "/report"}, {Text: text}, {Text: text}} {
			replies, err := e.Handle(context.Background(), key, in)
			if err != nil {
				t.Fatalf("Handle(%+v) error: %v", in, err)
			}
			if len(replies) == 0 {
				t.Fatalf("Handle(%+v) gave no reply", in)
			}
			for _, r := range replies {
				if strings.Contains(r.Text, "panic") || strings.Contains(r.Text, "goroutine") || strings.Contains(r.Text, "error") {
					t.Fatalf("Handle(%+v) leaked internals: %q", in, r.Text)
				}
			}
		}
	})
}

// TestPauseAward leaves the award dialog for a report and comes back.
func TestPauseAward(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "pause")
	c.say("/award")
	c.say("是")
	mustContain(t, c.say("反映问题"), "企业名称")
	mustContain(t, c.say("取消"), "没有提交")
	mustContain(t, c.say("算奖励"), "还没做完", "第2题：增速是多少？", "重新开始")
	mustContain(t, c.choose("重新开始"), "第1题")
	mustContain(t, c.send(Input{Form: map[string]string{"x": "y"}}), "您还没有输入内容")
}

func TestHelpInsideAward(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "help")
	c.say("/award")
	c.say("是")
	mustContain(t, c.say("帮助"), "继续测算")
	mustContain(t, c.choose("继续测算"), "我们继续", "第2题")
}

// TestTypedLabels picks choices by typing their labels, as on a channel
// without buttons.
func TestTypedLabels(t *testing.T) {
	e, tk := newFakeEngine(t, nil)
	c := newChat(t, e, "labels")
	c.say("明天会下雨吗")
	mustContain(t, c.say("记录为问题"), "已记录")
	if len(tk.unanswered) != 1 {
		t.Errorf("unanswered = %q, want one", tk.unanswered)
	}
	c.say("含糊")
	mustContain(t, c.say("测试条第2条 测试措施乙"), "【测试条第2条 测试措施乙】")
	// A label offered two turns ago is plain text again.
	mustNotContain(t, c.say("记录为问题"), "已记录")
}

// TestTerminalCancel ends a chat blocked on input when its context ends,
// as Ctrl-C does.
func TestTerminalCancel(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- RunTerminal(ctx, e, pr, &out, Key{Channel: "terminal", User: "cancel"}) }()
	if _, err := io.WriteString(pw, "你好\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunTerminal after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunTerminal did not end when its context was cancelled")
	}
}

// TestReportFromUnanswered starts a report from a question huiqi could not
// answer: the question is the problem, prefilled.
func TestReportFromUnanswered(t *testing.T) {
	e, tk := newFakeEngine(t, nil)
	c := newChat(t, e, "prefill")
	c.say("厂里的路灯坏了找谁")
	c.choose("记录为问题")
	mustContain(t, c.send(Input{Action: actRecord}), "已经记录过了")
	got := c.choose("反映问题")
	mustContain(t, got, "已填：“厂里的路灯坏了找谁”")
	if f := c.last[0].Form; f == nil || f.Fields[0].Value != "厂里的路灯坏了找谁" {
		t.Fatalf("form = %+v, want the question prefilled", f)
	}
	c.say("好")
	c.say("测试机械有限公司")
	got = c.say("13800000000")
	mustContain(t, got, "请确认", "问题描述：厂里的路灯坏了找谁")
	mustContain(t, c.choose("确认提交"), "CQ-20261127-0001")
	if len(tk.unanswered) != 1 {
		t.Errorf("unanswered = %q, want the question once", tk.unanswered)
	}
}

// TestDatabaseDown shows the apology, never Go error text, when the
// conversation cannot be stored; the error goes to the adapter.
func TestDatabaseDown(t *testing.T) {
	db := openTestDB(t, "")
	e, _ := newFakeEngine(t, db)
	db.Close()
	replies, err := e.Handle(context.Background(), Key{Channel: "test", User: "down"}, Input{Text: "措施甲"})
	if err == nil {
		t.Fatal("Handle on a closed database returned no error")
	}
	if len(replies) != 1 || replies[0].Text != msgInternal {
		t.Errorf("Handle on a closed database = %+v, want the apology", replies)
	}
}

func TestUncertainAndChitchat(t *testing.T) {
	e, _ := newFakeEngine(t, nil)
	c := newChat(t, e, "uncertain")
	got := c.say("大概是哪条")
	mustContain(t, got, "我不太确定", "1. 测试条第2条 测试措施乙", "2. 测试条第1条 测试措施甲", "3. 记录为问题")
	mustContain(t, c.choose("测试条第1条 测试措施甲"), "【测试条第1条 测试措施甲】")
	got = c.say("哈哈哈")
	mustContain(t, got, "很高兴和您聊天", "算奖励")
	mustNotContain(t, got, "记录为问题", "【")
	// A fact of the notice is answered by its text, not declined.
	got = c.say("文号是多少")
	mustContain(t, got, "文号是测试〔2023〕1号", "算奖励")
	mustNotContain(t, got, "不在", "记录为问题")
}

// The menu and the terminal's banner name the notices the knowledge base
// loaded, so an ingested notice is named without editing the engine.
func TestMenuAndBannerFollowScope(t *testing.T) {
	one := knowledge.Scope{Place: "阳泉市城区", DocNos: []string{"城政办发〔2023〕5号"},
		Packages: []knowledge.ScopePackage{{Name: "二十条"}, {Name: "十八条"}}}
	two := one
	two.DocNos = []string{"城政办发〔2023〕5号", "城政办发〔2024〕12号"}
	two.Packages = append(append([]knowledge.ScopePackage{}, one.Packages...),
		knowledge.ScopePackage{Name: "城区2024年促进民营经济高质量发展若干措施", Title: "城区2024年促进民营经济高质量发展若干措施", Short: "2024年促进民营经济高质量发展"})
	tests := []struct {
		s            knowledge.Scope
		menu, banner string
	}{
		{one, "· 问答：解答阳泉市城区惠企政策（城政办发〔2023〕5号的二十条、十八条措施）；", "惠企助手 · 阳泉市城区惠企政策（城政办发〔2023〕5号）"},
		{two, "· 问答：解答阳泉市城区惠企政策（城政办发〔2023〕5号、城政办发〔2024〕12号的二十条、十八条、2024年促进民营经济高质量发展措施）；",
			"惠企助手 · 阳泉市城区惠企政策（城政办发〔2023〕5号、城政办发〔2024〕12号）"},
		{knowledge.Scope{Place: "某区", Packages: []knowledge.ScopePackage{{Name: "十条"}}}, "· 问答：解答某区惠企政策（十条措施）；", "惠企助手 · 某区惠企政策"},
	}
	for _, tt := range tests {
		if got := menuText(tt.s); !strings.Contains(got, tt.menu+"\n") {
			t.Errorf("menuText(%v) = %q, want the line %q", tt.s.DocNos, got, tt.menu)
		}
		if got := banner(tt.s); got != tt.banner {
			t.Errorf("banner(%v) = %q, want %q", tt.s.DocNos, got, tt.banner)
		}
	}
}

// TestFollowUpAspects: what a follow-up asks, from followups.json's
// phrases as messages are read (folded: English, full-width and spaces
// alike), and its own words left over.
func TestFollowUpAspects(t *testing.T) {
	lg, err := loadLanguage()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in, aspect string
		empty      bool
	}{
		{"找谁", aspUnit, true},
		{"牵头的是谁", aspUnit, true},
		{"Who is responsible?", aspUnit, true},
		{"ＷＨＯ　ＩＳ　ＲＥＳＰＯＮＳＩＢＬＥ", aspUnit, true},
		{"how much", aspAmount, true},
		{"现在还管吗", aspValid, true},
		{"still valid?", aspValid, true},
	} {
		f := lg.parseFollowUp(tc.in, nil, nil)
		if !f.aspects[tc.aspect] || f.empty() != tc.empty {
			t.Errorf("parseFollowUp(%q): aspects %v, tokens %q; want %s, empty %v", tc.in, f.aspects, f.tokens, tc.aspect, tc.empty)
		}
	}
}
