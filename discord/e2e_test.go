package discord

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/discord/discordtest"
	"huiqi/intake"
	"huiqi/knowledge"
)

// wait is how long a test waits for the bot's REST calls; generous for -race
// on a busy machine, and never spent when things work.
const wait = 10 * time.Second

var (
	guild  = discordtest.Where{Guild: "300000000000000001", Channel: "300000000000000002"}
	alice  = discordtest.Member{UserID: "400000000000000001", Name: "alice"}
	bob    = discordtest.Member{UserID: "400000000000000002", Name: "bob"}
	dmWith = func(m discordtest.Member) discordtest.Where {
		return discordtest.Where{Channel: "dm-" + m.UserID}
	}
)

// scripted is a fake engine: a tiny award dialog (a yes/no question, then a
// typed number), a report form, answers as cards, and a slow path.
type scripted struct {
	mu     sync.Mutex
	state  map[string]string
	inputs []bot.Input
	delay  time.Duration
}

func newScripted() *scripted { return &scripted{state: map[string]string{}} }

var reportForm = &bot.Form{ID: "report:form", Title: "反映问题", Fields: []bot.FormField{
	{Name: "enterprise", Label: "企业名称", Required: true, MaxLen: 100},
	{Name: "contact", Label: "联系方式", Required: true, MaxLen: 100},
	{Name: "description", Label: "问题描述", Long: true, Required: true, MaxLen: 2000},
}}

func (e *scripted) Handle(ctx context.Context, k bot.Key, in bot.Input) ([]bot.Reply, error) {
	if k.Channel != "discord" || k.User == "" {
		return nil, errors.New("bad key " + k.String())
	}
	e.mu.Lock()
	e.inputs = append(e.inputs, in)
	delay := e.delay
	st := e.state[k.User]
	e.mu.Unlock()
	if delay > 0 && strings.Contains(in.Text, "慢") {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	set := func(s string) { e.mu.Lock(); e.state[k.User] = s; e.mu.Unlock() }
	nav := []bot.Choice{{ID: "award:back", Label: "上一步"}, {ID: "cancel", Label: "取消", Style: "danger"}}
	switch {
	case in.Action == "slow:private":
		time.Sleep(delay)
		return []bot.Reply{{Text: "您的测算结果（仅您可见）。", Private: true}}, nil
	case in.Text == "/ask 长文":
		return []bot.Reply{{Text: strings.Repeat("第一段很长。", 300) + "\n\n" + strings.Repeat("第二段。", 300)},
			{Text: "公开的补充。"}}, nil
	case in.Text == "/ask 混合" || in.Text == "混合":
		// As the award dialog ends: the private report, then a closing
		// line the engine does not mark private.
		return []bot.Reply{{Text: "测算完成（仅您可见）。", Private: true},
			{Text: "以上是估算。还需要什么帮助？", Choices: []bot.Choice{{ID: "cmd:report", Label: "反映问题"}}}}, nil
	case in.Text == "/ask 行业":
		return []bot.Reply{{Text: "企业属于哪个行业？", Choices: []bot.Choice{
			{ID: "ind:1", Label: "制造业"}, {ID: "ind:2", Label: "采矿业"}, {ID: "ind:3", Label: "建筑业"},
			{ID: "ind:4", Label: "批发零售"}, {ID: "ind:5", Label: "住宿餐饮"}, {ID: "ind:6", Label: "信息技术"},
			{ID: "award:back", Label: "上一步"}, {ID: "cancel", Label: "取消", Style: "danger"}}}}, nil
	case strings.HasPrefix(in.Action, "ind:"):
		return []bot.Reply{{Text: "您选了 " + in.Action}}, nil
	case in.Text == "/award":
		set("award:q1")
		return []bot.Reply{{Text: "第1题：企业是规模以上工业企业吗？", Private: true,
			Choices: append([]bot.Choice{{ID: "award:answer:yes", Label: "是"}, {ID: "award:answer:no", Label: "否"}}, nav...)}}, nil
	case in.Action == "award:answer:yes" && st == "award:q1":
		set("award:q2")
		return []bot.Reply{{Text: "第2题：去年营业收入是多少万元？请直接输入数字。", Private: true, NumberAnswer: true}}, nil
	case st == "award:q2" && in.Text != "":
		if strings.Trim(in.Text, "0123456789.") != "" {
			return []bot.Reply{{Text: "请输入数字，例如 2500。", Private: true}}, nil
		}
		set("")
		return []bot.Reply{{Private: true, Card: &bot.Card{Title: "可能的奖励", Body: "营业收入 " + in.Text + " 万元。",
			Fields: []bot.Field{{Name: "二十条第3条", Value: "最高5万元"}}}}}, nil
	case in.Text == "/report":
		set("report")
		return []bot.Reply{{Text: "请填写表单。", Form: reportForm, Private: true}}, nil
	case in.Action == "report:form":
		set("")
		e.mu.Lock()
		e.state["ticket:"+k.User] = in.Form["enterprise"]
		e.mu.Unlock()
		return []bot.Reply{{Text: "已受理，工单号 CQ-20261127-0001。", Private: true,
			Card: &bot.Card{Title: "CQ-20261127-0001", Fields: []bot.Field{{Name: "企业", Value: in.Form["enterprise"]}}}}}, nil
	case strings.HasPrefix(in.Text, "/ticket "):
		e.mu.Lock()
		ent := e.state["ticket:"+k.User]
		e.mu.Unlock()
		if ent == "" || strings.TrimPrefix(in.Text, "/ticket ") != "CQ-20261127-0001" {
			return []bot.Reply{{Text: "没有找到这个工单。", Private: true}}, nil
		}
		return []bot.Reply{{Private: true, Card: &bot.Card{Title: "CQ-20261127-0001 已受理",
			Fields: []bot.Field{{Name: "企业", Value: ent}}}}}, nil
	case in.Text == "/help" || in.Action == "cancel":
		set("")
		return []bot.Reply{{Text: "我是惠企助手。", Choices: []bot.Choice{{ID: "menu:ask", Label: "政策问答"}}}}, nil
	}
	q := strings.TrimPrefix(in.Text, "/ask ")
	return []bot.Reply{{
		Text: "@everyone 关于“" + q + "”：",
		Card: &bot.Card{Title: "二十条第3条 支持中小微企业发展", Body: "担保费率不超过1%。",
			Fields: []bot.Field{{Name: "金额", Value: "1%"}, {Name: "责任单位", Value: "区财政局"}}},
		Choices: []bot.Choice{{ID: "report:start", Label: "反映问题"}},
	}}, nil
}

// started is a bot running against a fake Discord.
type started struct {
	fake *discordtest.Server
	done chan error
	stop context.CancelFunc
}

func startBot(t *testing.T, fake *discordtest.Server, cfg Config, deps Deps) *started {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = "test"
	}
	cfg.API = fake.URL
	b, err := New(cfg, deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{fake: fake, done: make(chan error, 1), stop: cancel}
	go func() { s.done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Errorf("Run did not return after cancel")
		}
	})
	isCommands := func(c discordtest.Call) bool {
		return c.Method == "PUT" && strings.HasSuffix(c.Path, "/commands") && c.Status == 200
	}
	select {
	case err := <-s.done:
		t.Fatalf("Run returned before ready: %v", err)
	default:
	}
	fake.Wait(wait, "command registration", isCommands)
	fake.WaitConnected(1, wait)
	return s
}

func callback(id, token string) func(discordtest.Call) bool {
	return discordtest.Is("POST", "/interactions/"+id+"/"+token+"/callback")
}

// response decodes an interaction callback body.
type response struct {
	Type int `json:"type"`
	Data struct {
		Content         string           `json:"content"`
		Flags           int              `json:"flags"`
		CustomID        string           `json:"custom_id"`
		Title           string           `json:"title"`
		Embeds          []map[string]any `json:"embeds"`
		Components      []component      `json:"components"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	} `json:"data"`
}

type component struct {
	Type       int         `json:"type"`
	CustomID   string      `json:"custom_id"`
	Label      string      `json:"label"`
	Style      int         `json:"style"`
	Components []component `json:"components"`
	Options    []struct {
		Label string `json:"label"`
		Value string `json:"value"`
	} `json:"options"`
}

func decode[T any](t *testing.T, c discordtest.Call) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(c.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", c, err)
	}
	return v
}

// customIDs lists the custom_ids of the buttons in rows.
func customIDs(rows []component) []string {
	var out []string
	for _, r := range rows {
		for _, c := range r.Components {
			out = append(out, c.CustomID)
		}
	}
	return out
}

func TestSlashAskAnsweredWithEmbed(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{GuildID: guild.Guild}, Deps{Engine: newScripted()})

	reg := fake.Wait(wait, "guild command registration", discordtest.Is("PUT",
		"/applications/"+fake.AppID+"/guilds/"+guild.Guild+"/commands"))
	var cmds []map[string]any
	_ = json.Unmarshal(reg.Body, &cmds)
	names := map[string]bool{}
	for _, c := range cmds {
		names[c["name"].(string)] = true
		if c["name_localizations"].(map[string]any)["zh-CN"] == "" {
			t.Errorf("command %v has no zh-CN name", c["name"])
		}
	}
	for _, n := range []string{"ask", "award", "report", "ticket", "measure", "unit", "help", "queue", "move"} {
		if !names[n] {
			t.Errorf("command %q not registered; got %v", n, names)
		}
	}
	if ids := fake.Identifies(); len(ids) == 0 || ids[0].Intents != int(intents) {
		t.Errorf("identify intents = %+v, want %d", ids, intents)
	}

	at := time.Now()
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率是多少"})
	c := fake.Wait(wait, "ask callback", callback(id, tok))
	if c.At.Sub(at) > 3*time.Second {
		t.Errorf("callback after %v, want < 3s", c.At.Sub(at))
	}
	r := decode[response](t, c)
	if r.Type != 4 || r.Data.Flags&64 != 0 {
		t.Errorf("ask response type %d flags %d, want a public type 4", r.Type, r.Data.Flags)
	}
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0]["title"] != "二十条第3条 支持中小微企业发展" {
		t.Errorf("ask embeds = %v, want the measure card", r.Data.Embeds)
	}
	if got := customIDs(r.Data.Components); len(got) != 1 || got[0] != "report:start" {
		t.Errorf("ask buttons = %v, want the 反映问题 button", got)
	}
	if r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %s, want parse []", c.Body)
	}
	if !strings.Contains(string(c.Body), `"parse":[]`) {
		t.Errorf("body lacks \"parse\":[]: %s", c.Body)
	}
}

func TestAwardDialogButtonsAndTypedNumbers(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	eng := newScripted()
	startBot(t, fake, Config{}, Deps{Engine: eng})

	id, tok := fake.Command(alice, guild, "award", nil)
	r := decode[response](t, fake.Wait(wait, "award callback", callback(id, tok)))
	if r.Type != 4 || r.Data.Flags&64 == 0 {
		t.Fatalf("award response type %d flags %d, want ephemeral type 4", r.Type, r.Data.Flags)
	}
	if got, want := strings.Join(customIDs(r.Data.Components), ","), "award:answer:yes,award:answer:no,award:back,cancel"; got != want {
		t.Fatalf("award buttons = %s, want %s", got, want)
	}

	id, tok = fake.Click(alice, guild, "award:answer:yes", 64)
	r = decode[response](t, fake.Wait(wait, "click callback", callback(id, tok)))
	if r.Type != 7 || !strings.Contains(r.Data.Content, "营业收入") {
		t.Fatalf("after 是: type %d %+v, want the number question in place of the private message (type 7)", r.Type, r.Data)
	}

	if got := customIDs(r.Data.Components); len(got) != 1 || got[0] != answerID {
		t.Fatalf("number question buttons = %v, want the answer button", got)
	}
	// In the guild the number goes through a modal, so it stays private.
	id, tok = fake.Click(alice, guild, answerID, 64)
	r = decode[response](t, fake.Wait(wait, "answer modal", callback(id, tok)))
	if r.Type != 9 || r.Data.CustomID != answerID {
		t.Fatalf("answer button response = %+v, want a modal", r)
	}
	id, tok = fake.Submit(alice, guild, answerID, map[string]string{"answer": "x"})
	r = decode[response](t, fake.Wait(wait, "bad answer", callback(id, tok)))
	if r.Data.Flags&64 == 0 || !strings.Contains(r.Data.Content, "请输入数字") {
		t.Fatalf("bad typed answer = %+v, want the ephemeral hint", r.Data)
	}

	// Or the number is typed in the DM, where the private dialog continues.
	fake.Message(alice, dmWith(alice), "abc", false)
	fake.Wait(wait, "bad number hint", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "请输入数字")
	})
	fake.Message(alice, dmWith(alice), "2500", false)
	c := fake.Wait(wait, "award report", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "可能的奖励")
	})
	if !strings.Contains(string(c.Body), "2500") {
		t.Errorf("report = %s, want the typed number", c.Body)
	}
	for _, c := range fake.Calls() {
		if c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages" {
			t.Errorf("award dialog leaked into the public channel: %s", c)
		}
	}
}

func TestReportModalThenTicket(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})

	id, tok := fake.Command(alice, guild, "report", nil)
	r := decode[response](t, fake.Wait(wait, "report callback", callback(id, tok)))
	if r.Type != 9 || r.Data.CustomID != "report:form" || r.Data.Title != "反映问题" {
		t.Fatalf("report response = %+v, want the modal (type 9)", r)
	}
	var inputs []string
	for _, row := range r.Data.Components {
		for _, c := range row.Components {
			if c.Type != 4 {
				t.Errorf("modal component type %d, want 4", c.Type)
			}
			inputs = append(inputs, c.CustomID)
		}
	}
	if got := strings.Join(inputs, ","); got != "enterprise,contact,description" {
		t.Errorf("modal inputs = %s", got)
	}

	id, tok = fake.Submit(alice, guild, "report:form", map[string]string{
		"enterprise": "阳泉某某机械有限公司", "contact": "13800000000", "description": "奖励迟迟未到账",
	})
	r = decode[response](t, fake.Wait(wait, "submit callback", callback(id, tok)))
	if r.Data.Flags&64 == 0 || !strings.Contains(r.Data.Content, "CQ-20261127-0001") {
		t.Fatalf("submit response = %+v, want the ephemeral ticket", r.Data)
	}

	id, tok = fake.Command(alice, guild, "ticket", map[string]string{"id": "CQ-20261127-0001"})
	r = decode[response](t, fake.Wait(wait, "ticket callback", callback(id, tok)))
	if r.Data.Flags&64 == 0 || len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0]["title"].(string), "CQ-20261127-0001") {
		t.Fatalf("ticket response = %+v, want the ephemeral ticket card", r.Data)
	}
	// Another member cannot see it.
	id, tok = fake.Command(bob, guild, "ticket", map[string]string{"id": "CQ-20261127-0001"})
	r = decode[response](t, fake.Wait(wait, "bob's ticket callback", callback(id, tok)))
	if !strings.Contains(r.Data.Content, "没有找到") {
		t.Errorf("bob sees %+v, want not found", r.Data)
	}
}

func TestDMConversationAndMentions(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	isDM := func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages"
	}
	isPublic := func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages"
	}

	fake.Message(alice, dmWith(alice), "担保费率是多少", false)
	c := fake.Wait(wait, "DM answer", isDM)
	var m struct {
		Content string           `json:"content"`
		Embeds  []map[string]any `json:"embeds"`
	}
	_ = json.Unmarshal(c.Body, &m)
	if len(m.Embeds) != 1 || !strings.Contains(m.Content, "担保费率是多少") {
		t.Errorf("DM answer = %s", c.Body)
	}

	// In a channel: ignored without a mention or from a bot; answered with one.
	fake.Message(bob, guild, "随便聊聊", false)
	fake.BotMessage(guild, "<@"+fake.BotID+"> hi")
	fake.Message(bob, guild, "担保费率 @everyone", true)
	c = fake.Wait(wait, "public answer", isPublic)
	body := string(c.Body)
	if !strings.Contains(body, `"parse":[]`) || strings.Contains(body, "随便聊聊") || strings.Contains(body, "<@"+fake.BotID+">") {
		t.Errorf("public answer = %s, want the mention stripped and parse []", body)
	}
	// A private dialog started in a channel goes to the DM, with a note in public.
	fake.Message(alice, guild, "/award", true)
	fake.Wait(wait, "DM channel", discordtest.Is("POST", "/users/@me/channels"))
	fake.Wait(wait, "award by DM", func(c discordtest.Call) bool { return isDM(c) && strings.Contains(string(c.Body), "第1题") })
	fake.Wait(wait, "public note", func(c discordtest.Call) bool {
		return isPublic(c) && strings.Contains(string(c.Body), msgSentByDM)
	})
	for _, c := range fake.Calls() {
		if isPublic(c) && strings.Contains(string(c.Body), "第1题") {
			t.Errorf("private reply in public: %s", c)
		}
		if strings.Contains(string(c.Body), "随便聊聊") || strings.Contains(string(c.Body), "hi\"") {
			t.Errorf("answered an unaddressed or bot message: %s", c)
		}
	}
}

func TestRateLimitRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	fake.RateLimitOnce("POST", "/channels/dm-"+alice.UserID+"/messages", 0.2)
	fake.Message(alice, dmWith(alice), "担保费率是多少", false)
	calls, ok := fake.WaitN(wait, 2, func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages"
	})
	if !ok {
		t.Fatalf("want a 429 then a retry, got %v", calls)
	}
	if calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("statuses %d, %d; want 429 then 200", calls[0].Status, calls[1].Status)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 200*time.Millisecond {
		t.Errorf("retried after %v, want >= retry_after 200ms", gap)
	}
	if string(calls[0].Body) != string(calls[1].Body) {
		t.Errorf("retry body differs")
	}
}

func TestDeferredReplyForSlowWork(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	eng := newScripted()
	eng.delay = 1200 * time.Millisecond
	startBot(t, fake, Config{DeferAfter: 150 * time.Millisecond}, Deps{Engine: eng})

	at := time.Now()
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "慢问题"})
	c := fake.Wait(wait, "defer", callback(id, tok))
	if r := decode[response](t, c); r.Type != 5 {
		t.Fatalf("first response type %d, want 5 (deferred)", r.Type)
	}
	if c.At.Sub(at) > 3*time.Second {
		t.Errorf("deferred after %v, want < 3s", c.At.Sub(at))
	}
	edit := fake.Wait(wait, "edit of @original", discordtest.Is("PATCH", "/webhooks/"+fake.AppID+"/"+tok+"/messages/@original"))
	if !edit.At.After(c.At) || !strings.Contains(string(edit.Body), "慢问题") || !strings.Contains(string(edit.Body), `"embeds":[{`) {
		t.Errorf("edit = %s, want the answer after the deferral", edit.Body)
	}
	// A private slow reply after a public deferral: the original says so,
	// the reply itself is an ephemeral follow-up.
	id, tok = fake.Click(alice, guild, "slow:private", 0)
	c = fake.Wait(wait, "defer of the click", callback(id, tok))
	if r := decode[response](t, c); r.Type != 5 || r.Data.Flags&64 != 0 {
		t.Fatalf("click response %s, want a public deferral", c.Body)
	}
	edit = fake.Wait(wait, "edit", discordtest.Is("PATCH", "/webhooks/"+fake.AppID+"/"+tok+"/messages/@original"))
	if strings.Contains(string(edit.Body), "测算结果") || !strings.Contains(string(edit.Body), msgPrivateElsewhere) {
		t.Errorf("public original = %s, want only the note", edit.Body)
	}
	f := fake.Wait(wait, "ephemeral follow-up", discordtest.Is("POST", "/webhooks/"+fake.AppID+"/"+tok))
	if r := decode[response](t, discordtest.Call{Body: []byte(`{"data":` + string(f.Body) + `}`)}); r.Data.Flags&64 == 0 || !strings.Contains(r.Data.Content, "测算结果") {
		t.Errorf("follow-up = %s, want the private reply, ephemeral", f.Body)
	}
}

func TestLongReplySplitIntoFollowUps(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "长文"})
	r := decode[response](t, fake.Wait(wait, "callback", callback(id, tok)))
	fs, ok := fake.WaitN(wait, 1, discordtest.Is("POST", "/webhooks/"+fake.AppID+"/"+tok))
	if !ok {
		t.Fatalf("want a follow-up, got %v", fs)
	}
	type msg struct {
		Content string `json:"content"`
		Flags   int    `json:"flags"`
	}
	parts := []msg{{r.Data.Content, r.Data.Flags}}
	for _, f := range fs {
		parts = append(parts, decode[msg](t, f))
	}
	for i, p := range parts {
		if ulen(p.Content) > maxContent || p.Content == "" {
			t.Errorf("part %d has %d units", i, ulen(p.Content))
		}
	}
	if len(parts) != 2 || !strings.HasPrefix(parts[1].Content, "第二段") || !strings.HasSuffix(parts[1].Content, "\n\n公开的补充。") ||
		parts[0].Flags != 0 || parts[1].Flags != 0 {
		t.Errorf("parts = %+v, want two public messages: the first paragraph, then the second with the short reply joined", parts)
	}
}

// TestPrivateTurnStaysPrivate: a turn with a private reply is private to its
// end, its closing line too ("以上是估算…" after an award report): by slash
// command, by a button on a public message, by mention.
func TestPrivateTurnStaysPrivate(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "混合"})
	r := decode[response](t, fake.Wait(wait, "callback", callback(id, tok)))
	if r.Data.Flags&64 == 0 || !strings.Contains(r.Data.Content, "测算完成") || !strings.Contains(r.Data.Content, "以上是估算") {
		t.Errorf("slash: %+v, want the report and the closing line in one ephemeral message", r.Data)
	}
	fake.Message(alice, guild, "混合", true)
	fake.Wait(wait, "DM", func(c discordtest.Call) bool {
		return c.Path == "/channels/dm-"+alice.UserID+"/messages" && strings.Contains(string(c.Body), "以上是估算")
	})
	fake.Wait(wait, "public note", func(c discordtest.Call) bool {
		return c.Path == "/channels/"+guild.Channel+"/messages" && strings.Contains(string(c.Body), msgSentByDM)
	})
	for _, c := range fake.Calls() {
		if c.Path == "/channels/"+guild.Channel+"/messages" && strings.Contains(string(c.Body), "估算") {
			t.Errorf("a private turn's closing line was posted publicly: %s", c.Body)
		}
	}
}

func TestStaffCommandRefusedWithoutRole(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	desk := &fakeDesk{}
	startBot(t, fake, Config{StaffRole: "500000000000000001"}, Deps{Engine: newScripted(), Desk: desk})

	id, tok := fake.Command(bob, guild, "move", map[string]string{"id": "CQ-20261127-0001", "status": "已办结"})
	r := decode[response](t, fake.Wait(wait, "refusal", callback(id, tok)))
	if r.Data.Flags&64 == 0 || r.Data.Content != msgStaffOnly {
		t.Errorf("non-staff /move = %+v, want the ephemeral refusal", r.Data)
	}
	id, tok = fake.Command(bob, dmWith(bob), "queue", map[string]string{"unit": "区人社局"})
	r = decode[response](t, fake.Wait(wait, "DM refusal", callback(id, tok)))
	if r.Data.Content != msgStaffOnly {
		t.Errorf("/queue in a DM = %+v, want the refusal", r.Data)
	}
	if n := desk.count(); n != 0 {
		t.Fatalf("desk called %d times for a non-staff member", n)
	}

	staff := discordtest.Member{UserID: "400000000000000009", Name: "clerk", Roles: []string{"500000000000000001"}}
	id, tok = fake.Command(staff, guild, "queue", map[string]string{"unit": "区人社局"})
	r = decode[response](t, fake.Wait(wait, "queue", callback(id, tok)))
	if r.Data.Flags&64 == 0 || len(r.Data.Embeds) != 1 || !strings.Contains(mustJSON(r.Data.Embeds), "CQ-20261127-0001") {
		t.Errorf("staff /queue = %+v, want the ephemeral queue", r.Data)
	}
	id, tok = fake.Command(staff, guild, "move", map[string]string{"id": "CQ-20261127-0001", "status": "已派单"})
	r = decode[response](t, fake.Wait(wait, "move", callback(id, tok)))
	if !strings.Contains(r.Data.Content, "已派单") {
		t.Errorf("staff /move = %+v", r.Data)
	}
	if got := desk.lastBy(); !strings.Contains(got, staff.UserID) {
		t.Errorf("move by = %q, want the staff member", got)
	}
	// --staff-role is the hotline: the desk's moves, not a unit's reply.
	id, tok = fake.Command(staff, guild, "move", map[string]string{"id": "CQ-20261127-0002", "status": "已办结", "note": "已拨付"})
	r = decode[response](t, fake.Wait(wait, "refused move", callback(id, tok)))
	if !strings.HasPrefix(r.Data.Content, "无法办理") || desk.moved("CQ-20261127-0002") {
		t.Errorf("hotline closing a unit's ticket = %+v, want refused", r.Data)
	}
}

// TestStaffScopedToTheirUnit: roles from the configuration file: unit
// staff see and move only their unit's tickets; the hotline makes the
// desk's moves on any.
func TestStaffScopedToTheirUnit(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	desk := &fakeDesk{}
	cfg := Config{Staff: []StaffRole{
		{DiscordRole: "500000000000000011", Role: "unit", Unit: "区人社局"},
		{DiscordRole: "500000000000000012", Role: "hotline"},
	}}
	startBot(t, fake, cfg, Deps{Engine: newScripted(), Desk: desk, Knowledge: fakeKnowledge{}})
	rsj := discordtest.Member{UserID: "400000000000000021", Name: "rsj", Roles: []string{"500000000000000011"}}
	desk1 := discordtest.Member{UserID: "400000000000000022", Name: "desk", Roles: []string{"500000000000000012"}}
	run := func(who discordtest.Member, name string, opts map[string]string) string {
		t.Helper()
		id, tok := fake.Command(who, guild, name, opts)
		r := decode[response](t, fake.Wait(wait, name, callback(id, tok)))
		if r.Data.Flags&64 == 0 {
			t.Errorf("/%s answered publicly", name)
		}
		return r.Data.Content + mustJSON(r.Data.Embeds)
	}
	tests := []struct {
		who       discordtest.Member
		cmd       string
		opts      map[string]string
		want      string
		wantMoved string
	}{
		{rsj, "queue", map[string]string{}, "工单队列：区人社局", ""},
		{rsj, "queue", map[string]string{"unit": "区财政局"}, "您只能查看本单位（区人社局）", ""},
		{desk1, "queue", map[string]string{}, "工单队列：全部单位", ""},
		{rsj, "move", map[string]string{"id": "CQ-20261127-0003", "status": "已签收"}, "已签收", "CQ-20261127-0003"}, // 区人社局's, dispatched
		{rsj, "move", map[string]string{"id": "CQ-20261127-0004", "status": "已签收"}, "工单不存在或无权查看", ""},          // 区财政局's
		{desk1, "move", map[string]string{"id": "CQ-20261127-0004", "status": "已签收"}, "无法办理", ""},              // a unit's move
	}
	for i, tt := range tests {
		if got := run(tt.who, tt.cmd, tt.opts); !strings.Contains(got, tt.want) {
			t.Errorf("%d: %s /%s %v = %s, want %q", i, tt.who.Name, tt.cmd, tt.opts, got, tt.want)
		}
		if tt.wantMoved != "" && !desk.moved(tt.wantMoved) {
			t.Errorf("%d: %s not moved", i, tt.wantMoved)
		}
	}
	if desk.moved("CQ-20261127-0004") {
		t.Error("区财政局's ticket moved by others")
	}
}

func TestReconnectThenStillAnswers(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	fake.Drop()
	fake.WaitConnected(2, 20*time.Second)
	if ids, resumes := fake.Connections(); ids+resumes != 2 {
		t.Errorf("identifies %d + resumes %d, want 2 handshakes", ids, resumes)
	}
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率"})
	r := decode[response](t, fake.Wait(wait, "answer after reconnect", callback(id, tok)))
	if len(r.Data.Embeds) != 1 {
		t.Errorf("after reconnect: %+v", r.Data)
	}
}

func TestMeasureAndUnitFromKnowledge(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	kb := fakeKnowledge{}
	startBot(t, fake, Config{Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }},
		Deps{Engine: newScripted(), Knowledge: kb})
	id, tok := fake.Command(alice, guild, "measure", map[string]string{"id": "ind-03"})
	r := decode[response](t, fake.Wait(wait, "measure", callback(id, tok)))
	if len(r.Data.Embeds) != 1 || !strings.Contains(mustJSON(r.Data.Embeds), "已过期") {
		t.Errorf("/measure = %+v, want a card marked expired", r.Data)
	}
	id, tok = fake.Command(alice, guild, "unit", map[string]string{"name": "人社"})
	r = decode[response](t, fake.Wait(wait, "unit", callback(id, tok)))
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0]["title"] != "区人社局" {
		t.Errorf("/unit = %+v", r.Data)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type fakeDesk struct {
	mu    sync.Mutex
	calls int
	by    string
	moves map[string]intake.Status
}

func (d *fakeDesk) count() int     { d.mu.Lock(); defer d.mu.Unlock(); return d.calls }
func (d *fakeDesk) lastBy() string { d.mu.Lock(); defer d.mu.Unlock(); return d.by }
func (d *fakeDesk) moved(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.moves[id]
	return ok
}

// fakeDesk's tickets: 0001, 0002 filed for 区人社局; 0003 dispatched to
// it; 0004 dispatched to 区财政局.
func (d *fakeDesk) ticket(id string) intake.Ticket {
	t := intake.Ticket{Summary: intake.Summary{ID: id, Status: intake.StatusReceived, LeadUnit: "区人社局",
		Due: intake.Date{Year: 2026, Month: 12, Day: 2}}}
	switch id {
	case "CQ-20261127-0003":
		t.Status = intake.StatusDispatched
	case "CQ-20261127-0004":
		t.Status, t.LeadUnit = intake.StatusDispatched, "区财政局"
	}
	return t
}

func (d *fakeDesk) Queue(ctx context.Context, unit string) ([]intake.Ticket, error) {
	d.mu.Lock()
	d.calls++
	d.mu.Unlock()
	t := d.ticket("CQ-20261127-0001")
	t.LeadUnit = unit
	return []intake.Ticket{t}, nil
}

func (d *fakeDesk) Get(ctx context.Context, id string) (intake.Ticket, error) {
	return d.ticket(id), nil
}

func (d *fakeDesk) Move(ctx context.Context, id string, to intake.Status, by, note string) (intake.Ticket, error) {
	d.mu.Lock()
	d.calls++
	d.by = by
	if d.moves == nil {
		d.moves = map[string]intake.Status{}
	}
	d.moves[id] = to
	d.mu.Unlock()
	t := d.ticket(id)
	t.Status = to
	return t, nil
}

type fakeKnowledge struct{}

func (fakeKnowledge) Measure(ref string) (*knowledge.Measure, bool) {
	if ref != "ind-03" {
		return nil, false
	}
	return &knowledge.Measure{ID: "ind-03", Package: "二十条", Number: 3, Title: "支持中小微企业发展",
		Text: "……担保费率不超过1%。", Units: []string{"区中小企业发展中心", "区财政局"},
		ValidUntil: time.Date(2024, 2, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))}, true
}

func (k fakeKnowledge) Measures() []*knowledge.Measure {
	m, _ := k.Measure("ind-03")
	return []*knowledge.Measure{m, {ID: "ind-07", Package: "二十条", Number: 7, Title: "强化用工保障", Units: []string{"区人社局"}}}
}

func (fakeKnowledge) Scope() knowledge.Scope {
	return knowledge.Scope{Place: "阳泉市城区", Local: "城区", DocNos: []string{"城政办发〔2023〕5号"}}
}

func (fakeKnowledge) Validity(m *knowledge.Measure, now time.Time) knowledge.Validity {
	v := knowledge.Validity{Status: knowledge.InForce, Until: m.ValidUntil}
	if !m.ValidUntil.IsZero() && now.After(m.ValidUntil.AddDate(0, 0, 1)) {
		v.Status, v.Expired, v.Text = knowledge.Passed, true, "时效提示：有效期已过。"
	}
	return v
}

func (fakeKnowledge) Unit(name string) knowledge.UnitResult {
	if !strings.Contains(name, "人社") {
		return knowledge.UnitResult{}
	}
	return knowledge.UnitResult{Unit: "区人社局", Measures: []string{"ind-03", "ind-07"}}
}

func TestFormOfferedByButtonWhereNoModalFits(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	fake.Message(alice, dmWith(alice), "/report", false)
	c := fake.Wait(wait, "report prompt by DM", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages"
	})
	var m struct {
		Content    string      `json:"content"`
		Components []component `json:"components"`
	}
	_ = json.Unmarshal(c.Body, &m)
	ids := customIDs(m.Components)
	if len(ids) != 1 || ids[0] != formPrefix+"report:form" || m.Content != "请填写表单。" {
		t.Fatalf("DM report prompt = %s, want the text and a form button", c.Body)
	}
	id, tok := fake.Click(alice, dmWith(alice), ids[0], 0)
	r := decode[response](t, fake.Wait(wait, "modal from button", callback(id, tok)))
	if r.Type != 9 || r.Data.CustomID != "report:form" {
		t.Fatalf("form button response = %+v, want the modal", r)
	}
	// Someone else's click (or after a restart) finds no form: a clear note.
	id, tok = fake.Click(bob, dmWith(bob), ids[0], 0)
	r = decode[response](t, fake.Wait(wait, "expired form", callback(id, tok)))
	if r.Type != 4 || r.Data.Content != msgFormExpired {
		t.Errorf("unknown form = %+v, want the expiry note", r)
	}
}

func TestSelectMenuBeyondFiveChoices(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	eng := newScripted()
	startBot(t, fake, Config{}, Deps{Engine: eng})
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "行业"})
	r := decode[response](t, fake.Wait(wait, "choices", callback(id, tok)))
	if len(r.Data.Components) != 2 || r.Data.Components[0].Components[0].Type != 3 {
		t.Fatalf("components = %+v, want a select row and a button row", r.Data.Components)
	}
	menu := r.Data.Components[0].Components[0]
	if len(menu.Options) != 6 || menu.Options[5].Value != "ind:6" {
		t.Fatalf("select options = %+v", menu.Options)
	}
	if got := customIDs(r.Data.Components[1:]); strings.Join(got, ",") != "award:back,cancel" {
		t.Errorf("nav buttons = %v", got)
	}
	id, tok = fake.Select(alice, guild, menu.CustomID, "ind:6", 0)
	r = decode[response](t, fake.Wait(wait, "select result", callback(id, tok)))
	if r.Data.Content != "您选了 ind:6" {
		t.Errorf("after select: %q", r.Data.Content)
	}
}

func TestHeartbeatsAcknowledgedAndShardIdentified(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	fake.HeartbeatMS = 250
	startBot(t, fake, Config{ShardID: 1, ShardCount: 2}, Deps{Engine: newScripted()})
	fake.WaitHeartbeats(3, wait)
	ids := fake.Identifies()
	if len(ids) != 1 {
		t.Errorf("%d identifies, want 1 (acknowledged heartbeats keep the session)", len(ids))
	}
	if ids[0].Shard == nil || *ids[0].Shard != [2]int{1, 2} {
		t.Errorf("identify shard = %v, want [1 2]", ids[0].Shard)
	}
}

func TestConcurrentConversationsDoNotCross(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	const n = 30
	users := make([]discordtest.Member, n)
	for i := range users {
		users[i] = discordtest.Member{UserID: "41000000000000" + strconv.Itoa(1000+i)}
		fake.Message(users[i], dmWith(users[i]), "问题"+users[i].UserID, false)
	}
	for _, u := range users {
		c := fake.Wait(wait, "answer for "+u.UserID, func(c discordtest.Call) bool {
			return c.Method == "POST" && c.Path == "/channels/dm-"+u.UserID+"/messages"
		})
		if !strings.Contains(string(c.Body), "问题"+u.UserID) {
			t.Errorf("user %s got %s", u.UserID, c.Body)
		}
	}
}
