package wechat_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/wechat"
	"huiqi/wechat/wechattest"
)

func TestVerifyURL(t *testing.T) {
	for _, safe := range []bool{false, true} {
		r := newRig(t, &fakeEngine{}, safe)
		status, body, err := r.p.Verify("7242340951234567890")
		if err != nil || status != 200 || body != "7242340951234567890" {
			t.Fatalf("safe=%v: Verify = %d %q %v, want the echostr back", safe, status, body, err)
		}
		now := strconv.FormatInt(start.Unix(), 10)
		ts := url.Values{"timestamp": {now}, "nonce": {"1"}, "echostr": {"x"}}
		bad := url.Values{}
		for k, v := range ts {
			bad[k] = v
		}
		bad.Set("signature", wechat.Signature("otherToken", now, "1"))
		good := url.Values{}
		for k, v := range ts {
			good[k] = v
		}
		good.Set("signature", wechat.Signature(token, now, "1"))
		noEcho := url.Values{"timestamp": {now}, "nonce": {"1"}, "signature": {good.Get("signature")}}
		tests := []struct {
			name string
			q    url.Values
			want int
		}{
			{"good", good, 200},
			{"bad signature", bad, 403},
			{"no signature", ts, 403},
			{"no echostr", noEcho, 400},
		}
		for _, tt := range tests {
			if status, body, _ := r.p.VerifyQuery(tt.q); status != tt.want {
				t.Errorf("safe=%v %s: status %d %q, want %d", safe, tt.name, status, body, tt.want)
			}
		}
		r.clock.Add(6 * time.Minute)
		if status, _, _ := r.p.VerifyQuery(good); status != 403 {
			t.Errorf("safe=%v: a verification 6 minutes old answered %d, want 403", safe, status)
		}
	}
	r := newRig(t, &fakeEngine{}, false)
	req, _ := http.NewRequest(http.MethodPut, r.p.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT answered %d, want 405", resp.StatusCode)
	}
}

func TestPassiveReply(t *testing.T) {
	for _, safe := range []bool{false, true} {
		e := &fakeEngine{reply: replies(bot.Reply{Text: "担保费率统一下降至0.8%。",
			Choices: []bot.Choice{{ID: "cmd:report", Label: "反映问题"}, {ID: "cmd:award", Label: "算奖励"}}})}
		r := newRig(t, e, safe)
		resp := r.send(r.p.Text("oUserA", "担保费率是多少？"))
		got := r.content(resp, "question")
		want := "担保费率统一下降至0.8%。\n回复数字选择：\n1. 反映问题\n2. 算奖励"
		if got != want || resp.Reply.ToUserName != "oUserA" {
			t.Errorf("safe=%v: reply to %s =\n%s\nwant\n%s", safe, resp.Reply.ToUserName, got, want)
		}
		if safe && !strings.Contains(resp.Body, "<Encrypt>") {
			t.Errorf("safe mode replied in plain text: %s", resp.Body)
		}
		if len(e.keys) != 1 || e.keys[0] != (bot.Key{Channel: "wechat", User: "oUserA"}) || e.inputs[0].Text != "担保费率是多少？" {
			t.Errorf("engine got %v %+v", e.keys, e.inputs)
		}
		if n := len(r.fake.Calls("")); n != 0 {
			t.Errorf("a passive answer made %d API calls", n)
		}
	}
}

func TestSafeModeRefusals(t *testing.T) {
	e := &fakeEngine{}
	r := newRig(t, e, true)
	plain := r.p.Copy()
	plain.AESKey = ""
	if resp := r.send(plain.Text("oUserA", "你好")); resp.Status != 403 {
		t.Errorf("a plain callback to a safe-mode server answered %d %q, want 403", resp.Status, resp.Body)
	}
	otherApp := r.p.Copy()
	otherApp.AppID = "wxOTHERAPPID000000"
	if resp := r.send(otherApp.Text("oUserA", "你好")); resp.Status != 403 {
		t.Errorf("a message encrypted for another appid answered %d, want 403", resp.Status)
	}
	d := r.p.Text("oUserA", "你好")
	d.Body = []byte(strings.Replace(string(d.Body), "<Encrypt><![CDATA[", "<Encrypt><![CDATA[AAAA", 1))
	if resp := r.send(d); resp.Status != 403 {
		t.Errorf("a tampered Encrypt answered %d, want 403", resp.Status)
	}
	d = r.p.Text("oUserA", "你好")
	d.Query.Set("msg_signature", strings.Repeat("0", 40))
	if resp := r.send(d); resp.Status != 403 {
		t.Errorf("a bad msg_signature answered %d, want 403", resp.Status)
	}
	if n := len(e.calls()); n != 0 {
		t.Errorf("refused callbacks ran %d turns", n)
	}
	// And the other way: an encrypted callback to a plain-mode server.
	pr := newRig(t, e, false)
	enc := pr.p.Copy()
	enc.AESKey = aesKey
	if resp := pr.send(enc.Text("oUserA", "你好")); resp.Status != 400 {
		t.Errorf("an encrypted callback to a plain-mode server answered %d, want 400", resp.Status)
	}
}

func TestRefusesForgedStaleAndReplayed(t *testing.T) {
	for _, safe := range []bool{false, true} {
		e := &fakeEngine{}
		r := newRig(t, e, safe)
		forged := r.p.Text("oUserA", "你好")
		forged.Query.Set("signature", strings.Repeat("a", 40))
		old := r.p.Copy()
		oldClock := &clock{t: start.Add(-6 * time.Minute)}
		old.Now = oldClock.Now
		future := r.p.Copy()
		futureClock := &clock{t: start.Add(6 * time.Minute)}
		future.Now = futureClock.Now
		noNonce := r.p.Text("oUserA", "你好")
		noNonce.Query.Del("nonce")
		tests := []struct {
			name string
			d    wechattest.Delivery
		}{
			{"bad signature", forged},
			{"6 minutes old", old.Text("oUserA", "你好")},
			{"6 minutes ahead", future.Text("oUserA", "你好")},
			{"no nonce", noNonce},
		}
		for _, tt := range tests {
			if resp := r.send(tt.d); resp.Status != 403 {
				t.Errorf("safe=%v %s: status %d, want 403", safe, tt.name, resp.Status)
			}
		}
		if n := len(e.calls()); n != 0 {
			t.Fatalf("safe=%v: refused callbacks ran %d turns", safe, n)
		}
		recent := r.p.Copy()
		recentClock := &clock{t: start.Add(-4 * time.Minute)}
		recent.Now = recentClock.Now
		if got := r.content(r.send(recent.Text("oUserA", "四分钟前")), "4 minutes old"); got != "收到：四分钟前" {
			t.Errorf("safe=%v: a callback 4 minutes old got %q", safe, got)
		}

		// A captured callback: its signature on another body is a replay;
		// the very same request again is answered from the first, with no
		// new turn.
		d := r.p.Text("oUserA", "第一次")
		first := r.content(r.send(d), "first")
		other := r.p.Text("oUserA", "伪造的第二条")
		other.Query = d.Query
		if safe {
			// in safe mode the signature covers the body, so a replay
			// must bring the captured msg_signature along
			other.Query.Set("msg_signature", d.Query.Get("msg_signature"))
		}
		if resp := r.send(other); resp.Status != 403 {
			t.Errorf("safe=%v: the captured signature on another body answered %d, want 403", safe, resp.Status)
		}
		again := r.content(r.send(d), "resend")
		if again != first {
			t.Errorf("safe=%v: the same request again got %q, want %q", safe, again, first)
		}
		if n := len(e.calls()); n != 2 {
			t.Errorf("safe=%v: %d turns, want 2 (the replay and the resend run none)", safe, n)
		}
	}
}

func TestRetryAnsweredOnce(t *testing.T) {
	for _, safe := range []bool{false, true} {
		e := &fakeEngine{}
		r := newRig(t, e, safe)
		d := r.p.Text("oUserA", "担保费率")
		first := r.content(r.send(d), "first")
		r.clock.Add(5 * time.Second)
		retry := r.p.Sign(d.XML) // WeChat's retry: the same message, newly signed
		if retry.Query.Get("nonce") == d.Query.Get("nonce") {
			t.Fatal("the retry has the first delivery's nonce")
		}
		if got := r.content(r.send(retry), "retry"); got != first {
			t.Errorf("safe=%v: the retry got %q, want the first answer %q", safe, got, first)
		}
		// An event's retry: same FromUserName and CreateTime.
		click := r.p.Click("oUserA", "huiqi_award")
		r.send(click)
		r.send(r.p.Sign(click.XML))
		if n := len(e.calls()); n != 2 {
			t.Errorf("safe=%v: %d turns, want 2 (one message, one click)", safe, n)
		}
	}
}

func TestSlowAnswerThroughCustomerService(t *testing.T) {
	e := &fakeEngine{gate: make(chan struct{})}
	r := newRig(t, e, true, func(c *wechat.Config) { c.ReplyBudget = 20 * time.Millisecond })
	d := r.p.Text("oUserSlow", "慢问题")
	resp := r.send(d)
	if resp.Status != 200 || resp.Body != "success" {
		t.Fatalf("a slow answer: %d %q, want success", resp.Status, resp.Body)
	}
	// WeChat would not retry after success, but a retry that comes anyway
	// (the answer lost on the way) runs no second turn.
	if resp := r.send(r.p.Sign(d.XML)); resp.Body != "success" {
		t.Errorf("the retry of a slow answer: %q, want success", resp.Body)
	}
	close(e.gate)
	got := r.fake.WaitCustom(t, 1)
	if len(got) != 1 || got[0].To != "oUserSlow" || got[0].Content != "收到：慢问题" {
		t.Errorf("customer-service messages = %+v", got)
	}
	r.s.Wait()
	if n := len(e.calls()); n != 1 {
		t.Errorf("%d turns, want 1", n)
	}
	if n := r.fake.TokensIssued(); n != 1 {
		t.Errorf("%d tokens fetched, want 1", n)
	}
}

// TestNegativeBudgetAlwaysThroughAPI: with a negative ReplyBudget even an
// answer ready at once goes through the customer-service API, and a retry
// still runs no second turn.
func TestNegativeBudgetAlwaysThroughAPI(t *testing.T) {
	e := &fakeEngine{}
	r := newRig(t, e, false, func(c *wechat.Config) { c.ReplyBudget = -1 })
	for i := range 20 { // a passive reply would show in any of them
		d := r.p.Text("oUserAPI", "问题"+strconv.Itoa(i))
		if resp := r.send(d); resp.Status != 200 || resp.Body != "success" {
			t.Fatalf("message %d: %d %q, want success", i, resp.Status, resp.Body)
		}
		r.s.Wait()
		if resp := r.send(r.p.Sign(d.XML)); resp.Body != "success" {
			t.Fatalf("the retry of message %d: %q, want success", i, resp.Body)
		}
	}
	r.s.Wait()
	got := r.fake.Custom()
	if len(got) != 20 || got[19].Content != "收到：问题19" || len(e.calls()) != 20 {
		t.Errorf("%d turns, customer-service messages = %+v", len(e.calls()), got)
	}
}

func TestLongRepliesSplit(t *testing.T) {
	para := strings.Repeat("惠企政策解读。", 70) // 1,470 bytes
	e := &fakeEngine{reply: replies(bot.Reply{Text: para + "\n\n" + para + "\n\n" + para})}
	r := newRig(t, e, false)
	if resp := r.send(r.p.Text("oUserLong", "长答案")); resp.Body != "success" {
		t.Fatalf("a long answer: %q, want success (its messages go in order through the API)", resp.Body)
	}
	got := r.fake.WaitCustom(t, 3)
	for i, m := range got {
		if m.Content != para || len(m.Content) > wechat.MaxTextBytes {
			t.Errorf("message %d: %d bytes, want the paragraph (%d bytes)", i+1, len(m.Content), len(para))
		}
	}
	// Past MaxParts the last message says the rest was left out.
	e.set(replies(bot.Reply{Text: strings.Repeat(para+"\n\n", 9)}))
	r.send(r.p.Text("oUserLong", "更长的答案"))
	all := r.fake.WaitCustom(t, 3+5)
	if len(all) != 8 || !strings.Contains(all[7].Content, "内容较长") || len(all[7].Content) > wechat.MaxTextBytes {
		t.Errorf("a 9-paragraph answer sent %d messages, last %q", len(all)-3, all[len(all)-1].Content)
	}
}

func TestEngineFailureApologises(t *testing.T) {
	e := &fakeEngine{err: errors.New("database is locked")}
	r := newRig(t, e, false)
	if got := r.say("oUserA", "你好"); got != "系统出了点问题，请稍后再试。" {
		t.Errorf("an engine failure answered %q", got)
	}
}

func TestNumberPicksChoice(t *testing.T) {
	e := &fakeEngine{}
	r := newRig(t, e, false)
	choices := []bot.Choice{{ID: "award:ans:q:yes", Label: "是"}, {ID: "award:ans:q:no", Label: "否"}}
	e.set(replies(bot.Reply{Text: "第1题：是规上企业吗？", Choices: choices}))
	r.say("oUserN", "算奖励")
	r.say("oUserN", "2")
	if in := e.last(); in.Action != "award:ans:q:no" || in.Text != "" {
		t.Errorf("\"2\" after 是/否 = %+v, want the action of 否", in)
	}
	r.say("oUserN", "３")
	if in := e.last(); in.Text != "３" {
		t.Errorf("\"３\" with two choices = %+v, want the text", in)
	}
	e.set(replies(bot.Reply{Text: "第2题：增长了多少？", NumberAnswer: true, Choices: []bot.Choice{{ID: "award:skip", Label: "跳过"}}}))
	r.say("oUserN", "是")
	got := r.say("oUserN", "1")
	if in := e.last(); in.Text != "1" || in.Action != "" {
		t.Errorf("\"1\" to a number question = %+v, want the text 1", in)
	}
	_ = got
	e.set(replies(bot.Reply{Text: "选一个", Choices: choices}))
	r.say("oUserN", "菜单")
	r.clock.Add(3 * time.Hour) // the session expires; "1" is text again
	r.say("oUserN", "1")
	if in := e.last(); in.Text != "1" {
		t.Errorf("\"1\" after the choices expired = %+v, want the text", in)
	}
	// Another user's numbers are their own.
	r.say("oUserM", "2")
	if in := e.last(); in.Text != "2" {
		t.Errorf("another user's \"2\" = %+v, want the text", in)
	}
}

func TestFormAskedFieldByField(t *testing.T) {
	form := &bot.Form{ID: "report:form", Title: "反映问题", Fields: []bot.FormField{
		{Name: "enterprise", Label: "企业名称", Placeholder: "例如：阳泉某某机械有限公司", Required: true, MaxLen: 10},
		{Name: "contact", Label: "联系方式", Required: true},
		{Name: "description", Label: "问题描述", Value: "担保费率是多少", Required: true},
		{Name: "note", Label: "备注"},
	}}
	e := &fakeEngine{}
	e.set(func(in bot.Input) []bot.Reply {
		if in.Action == "report:form" {
			return []bot.Reply{{Text: "请确认：" + in.Form["enterprise"] + "/" + in.Form["contact"] + "/" + in.Form["description"] + "/" + in.Form["note"]}}
		}
		if in.Text == "反映问题" {
			return []bot.Reply{{Text: "好的，我来帮您反映问题。", Form: form}}
		}
		return []bot.Reply{{Text: "收到：" + in.Text}}
	})
	r := newRig(t, e, false)
	got := r.say("oUserF", "反映问题")
	if !has(got, "好的，我来帮您反映问题。", "【反映问题】（逐项回复，回复“取消”放弃）", "企业名称（例如：阳泉某某机械有限公司）：") {
		t.Fatalf("the form's first prompt:\n%s", got)
	}
	if got := r.say("oUserF", "阳泉某某机械制造有限责任公司"); !has(got, "这一项最多10个字") {
		t.Errorf("a name over MaxLen: %q", got)
	}
	if got := r.say("oUserF", "阳泉某某机械"); got != "联系方式：" {
		t.Errorf("after the name: %q", got)
	}
	if got := r.say("oUserF", "2"); !has(got, "问题描述（回复“沿用”保留：担保费率是多少）：") {
		t.Errorf("after the contact (a typed number is an answer here): %q", got)
	}
	if got := r.say("oUserF", "沿用"); !has(got, "备注（可不填，回复“无”跳过）：") {
		t.Errorf("after 沿用: %q", got)
	}
	if got := r.say("oUserF", "无"); got != "请确认：阳泉某某机械/2/担保费率是多少/" {
		t.Errorf("the submitted form: %q", got)
	}
	if n := len(e.calls()); n != 2 {
		t.Errorf("%d engine turns, want 2 (the form was asked by the adapter)", n)
	}
	r.say("oUserF", "反映问题")
	r.say("oUserF", "取消")
	if in := e.last(); in.Text != "取消" {
		t.Errorf("取消 in a form sent %+v, want the text 取消", in)
	}
	r.say("oUserF", "反映问题")
	r.send(r.p.Click("oUserF", "huiqi_ask"))
	r.say("oUserF", "随便说点")
	if in := e.last(); in.Text != "随便说点" {
		t.Errorf("after a menu click the form still took the text: %+v", in)
	}
}

func TestMenuClicksAndEvents(t *testing.T) {
	e := &fakeEngine{}
	r := newRig(t, e, false)
	for key, want := range map[string]string{
		"huiqi_ask": "/ask", "huiqi_award": "/award", "huiqi_report": "/report", "huiqi_ticket": "/ticket", "old_key": "/help",
	} {
		r.content(r.send(r.p.Click("oUserE", key)), key)
		if in := e.last(); in.Text != want {
			t.Errorf("click %s = %+v, want %s", key, in, want)
		}
		r.clock.Add(time.Second) // a new CreateTime: a new click
	}
	r.content(r.send(r.p.Subscribe("oUserNew")), "subscribe")
	if in := e.last(); in.Action != bot.ActionStart {
		t.Errorf("follow = %+v, want the start action", in)
	}
	n := len(e.calls())
	unfollow := r.p.Sign([]byte("<xml><ToUserName>" + account + "</ToUserName><FromUserName>oUserNew</FromUserName><CreateTime>1796088600</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>"))
	if resp := r.send(unfollow); resp.Body != "success" {
		t.Errorf("unfollow answered %q, want success", resp.Body)
	}
	if got := r.content(r.send(r.p.Image("oUserE")), "image"); !strings.Contains(got, "只能处理文字消息") {
		t.Errorf("a picture answered %q", got)
	}
	voice := r.p.Sign([]byte("<xml><ToUserName>" + account + "</ToUserName><FromUserName>oUserE</FromUserName><CreateTime>1796088601</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format><Recognition>担保费率是多少</Recognition><MsgId>99</MsgId></xml>"))
	r.content(r.send(voice), "voice")
	if calls := e.calls(); len(calls) != n+1 || calls[n].Text != "担保费率是多少" {
		t.Errorf("after unfollow, picture and voice the engine got %+v", calls[n:])
	}
	if resp := r.send(r.p.Sign([]byte("<xml><FromUserName>o</FromUserName></xml>"))); resp.Status != 400 {
		t.Errorf("a message without MsgType answered %d, want 400", resp.Status)
	}
}

func TestMenuDefinition(t *testing.T) {
	m := wechat.Menu()
	var names []string
	for _, b := range m.Button {
		if len(b.SubButton) == 0 {
			names = append(names, b.Name)
		}
		for _, sb := range b.SubButton {
			names = append(names, sb.Name)
		}
	}
	if strings.Join(names, " ") != "政策问答 算奖励 反映问题 查进度" || len(m.Button) > 3 {
		t.Errorf("menu %+v", m)
	}
	r := newRig(t, &fakeEngine{}, false)
	if err := r.s.Client().CreateMenu(t.Context(), m); err != nil {
		t.Fatalf("CreateMenu: %v", err)
	}
	calls := r.fake.Calls("/cgi-bin/menu/create")
	if len(calls) != 1 || calls[0].ErrCode != 0 {
		t.Fatalf("menu calls %v", calls)
	}
}

func TestNewServerErrors(t *testing.T) {
	ok := wechat.Config{Token: token, AppID: appID, Secret: secret}
	tests := []struct {
		name string
		edit func(*wechat.Config)
		want string
	}{
		{"no token", func(c *wechat.Config) { c.Token = "" }, "WECHAT_TOKEN is required"},
		{"no appid and secret", func(c *wechat.Config) { c.AppID, c.Secret = "", "" }, "WECHAT_APPID and WECHAT_SECRET are required"},
		{"token with spaces", func(c *wechat.Config) { c.Token = "my token" }, "WECHAT_TOKEN must be 3 to 32 letters or digits"},
		{"short AES key", func(c *wechat.Config) { c.EncodingAESKey = "abc" }, "EncodingAESKey must be 43 characters, got 3 (WECHAT_AES_KEY)"},
		{"bad API", func(c *wechat.Config) { c.API = "ftp://x" }, "WECHAT_API"},
	}
	for _, tt := range tests {
		cfg := ok
		tt.edit(&cfg)
		_, err := wechat.NewServer(cfg, &fakeEngine{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewServer = %v, want %q", tt.name, err, tt.want)
		}
		if verr := cfg.Validate(); verr == nil || verr.Error() != err.Error() {
			t.Errorf("%s: Validate = %v, want NewServer's %v", tt.name, verr, err)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate of a good configuration: %v", err)
	}
	if _, err := wechat.NewServer(ok, nil); err == nil {
		t.Error("NewServer without an engine succeeded")
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"WECHAT_TOKEN": " huiqiToken ", "WECHAT_APPID": appID, "WECHAT_SECRET": secret,
		"WECHAT_AES_KEY": aesKey, "WECHAT_API": "http://127.0.0.1:1",
		"WECHAT_TICKET_TEMPLATE": "subscribe:TPL1 ticket=character_string1 status=phrase2",
	}
	cfg, err := wechat.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token != token || cfg.EncodingAESKey != aesKey || cfg.API != "http://127.0.0.1:1" ||
		cfg.TicketTemplate.ID != "TPL1" || !cfg.TicketTemplate.Subscribe || cfg.TicketTemplate.Fields["status"] != "phrase2" {
		t.Errorf("ConfigFromEnv = %+v", cfg)
	}
	env["WECHAT_TICKET_TEMPLATE"] = "TPL1 colour=thing1"
	if _, err := wechat.ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "WECHAT_TICKET_TEMPLATE") {
		t.Errorf("a bad template spec: %v", err)
	}
}
