package discord

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/discord/discordtest"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/notify"
	"huiqi/sqlite"
)

// realDeps is the real engine, knowledge base and ticket store on a
// temporary database.
func realDeps(t *testing.T) (Deps, *intake.Store) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }
	base, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{Router: intake.NewRouter(base)}, now)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := wire.NewEngine(db, base, st, now, nil, bot.Deps{RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Engine: eng, Knowledge: base, Desk: st, Reports: st}, st
}

// deliver drains the outbox once through the bot's Notifier.
func deliver(t *testing.T, st *intake.Store, b *Bot) notify.Result {
	t.Helper()
	d, err := notify.New(st, notify.Config{}, b.Notifier())
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// startReal starts a bot on deps and returns it.
func startReal(t *testing.T, fake *discordtest.Server, deps Deps) *Bot {
	t.Helper()
	b, err := New(Config{Token: "test", API: fake.URL}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	fake.Wait(wait, "registration", func(c discordtest.Call) bool { return strings.HasSuffix(c.Path, "/commands") })
	fake.WaitConnected(1, wait)
	return b
}

func TestUnitsToldInTheirChannel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := discordtest.New(t)
	deps, st := realDeps(t)
	b := startReal(t, fake, deps)
	rules := st.Config().Rules
	if err := st.SetUnitTargets(ctx, "discord", map[string][]string{
		rules.Desk: {"channel:300000000000000010"}, "区人社局": {"user:400000000000000020"},
	}); err != nil {
		t.Fatal(err)
	}
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}}
	tk, err := st.File(ctx, intake.NewTicket{Text: "招不到数控技工", Route: &rt}) // filed at the desk: no reporter to tell
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	if r := deliver(t, st, b); r.Sent != 2 {
		t.Errorf("delivered %+v, want the desk's and the unit's", r)
	}
	desk := fake.Wait(wait, "the desk's channel", discordtest.Is("POST", "/channels/300000000000000010/messages"))
	if !strings.Contains(string(desk.Body), "新工单 "+tk.ID) || !strings.Contains(string(desk.Body), "等待派单") {
		t.Errorf("desk channel got %s", desk.Body)
	}
	dm := fake.Wait(wait, "the unit's DM", discordtest.Is("POST", "/channels/dm-400000000000000020/messages"))
	if !strings.Contains(string(dm.Body), "已派至区人社局") || !strings.Contains(string(dm.Body), "招不到数控技工") {
		t.Errorf("unit DM got %s", dm.Body)
	}
	if strings.Contains(string(dm.Body), "/notify") {
		t.Errorf("a unit's notice offers the reporter's /notify: %s", dm.Body)
	}
}

// TestNotifyOffByCommand: /notify 关闭 stops the DMs; 开启 brings back the
// ones that come after.
func TestNotifyOffByCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := discordtest.New(t)
	deps, st := realDeps(t)
	b := startReal(t, fake, deps)
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}}
	tk, err := st.File(ctx, intake.NewTicket{Text: "招工难", ReporterKey: "discord:" + alice.UserID, Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	id, tok := fake.Command(alice, guild, "notify", map[string]string{"state": "off"})
	r := decode[response](t, fake.Wait(wait, "notify off", callback(id, tok)))
	if r.Data.Flags&64 == 0 || !strings.Contains(r.Data.Content, "已关闭") {
		t.Fatalf("/notify off = %+v", r.Data)
	}
	if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	if r := deliver(t, st, b); r.Sent != 0 {
		t.Errorf("sent %+v after /notify off", r)
	}
	id, tok = fake.Command(alice, guild, "notify", map[string]string{"state": "on"})
	if r := decode[response](t, fake.Wait(wait, "notify on", callback(id, tok))); !strings.Contains(r.Data.Content, "已开启") {
		t.Fatalf("/notify on = %+v", r.Data)
	}
	if _, err := st.Move(ctx, tk.ID, intake.StatusSigned, "区人社局", ""); err != nil {
		t.Fatal(err)
	}
	if r := deliver(t, st, b); r.Sent != 1 {
		t.Errorf("sent %+v after /notify on, want the 签收 only", r)
	}
	c := fake.Wait(wait, "the DM", discordtest.Is("POST", "/channels/dm-"+alice.UserID+"/messages"))
	if !strings.Contains(string(c.Body), "已签收") || strings.Contains(string(c.Body), "已派给") {
		t.Errorf("DM = %s, want only the 签收", c.Body)
	}
}

// TestNotifierClassifiesFailures: a user who accepts no DMs is given up at
// once; a stopped bot sends nothing and counts no attempt.
func TestNotifierClassifiesFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := discordtest.New(t)
	deps, st := realDeps(t)
	b, err := New(Config{Token: "test", API: fake.URL}, deps)
	if err != nil {
		t.Fatal(err)
	}
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}}
	tk, _ := st.File(ctx, intake.NewTicket{Text: "招工难", ReporterKey: "discord:" + alice.UserID, Route: &rt})
	if _, err := st.Move(ctx, tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	if r := deliver(t, st, b); r != (notify.Result{}) { // not running
		t.Errorf("a bot not running: %+v, want nothing", r)
	}
	ns, _ := st.Notifications(ctx, tk.ID)
	if ns[0].State != intake.NotifyPending || ns[0].Attempts != 0 {
		t.Errorf("after a bot not running: %+v, want pending, no attempt", ns[0])
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	fake.WaitConnected(1, wait)
	// The bot registers its commands once it is running (the gateway's
	// handshake alone can come first): then it delivers.
	fake.Wait(wait, "commands", func(c discordtest.Call) bool { return c.Method == "PUT" && strings.HasSuffix(c.Path, "/commands") })
	fake.RefuseDM(alice.UserID)
	if r := deliver(t, st, b); r.GivenUp != 1 {
		t.Errorf("DMs closed: %+v, want given up", r)
	}
}

func FuzzRead429(f *testing.F) {
	f.Add(`{"message":"x","retry_after":1.5,"global":true}`, "1", "true", "global")
	f.Add(`<html>banned</html>`, "30", "", "")
	f.Add(`{"retry_after":-3}`, "", "", "user")
	f.Add(`{"retry_after":1e308}`, "NaN", "", "")
	f.Fuzz(func(t *testing.T, body, retryAfter, global, scope string) {
		resp := &http.Response{StatusCode: 429, Header: http.Header{}, Body: io.NopCloser(bytes.NewBufferString(body))}
		resp.Header.Set("Retry-After", retryAfter)
		resp.Header.Set("X-RateLimit-Global", global)
		resp.Header.Set("X-RateLimit-Scope", scope)
		wait, _ := read429(resp)
		if wait < 0 || wait > 24*time.Hour {
			t.Fatalf("read429(%q, %q) = %v", body, retryAfter, wait)
		}
	})
}

func FuzzLoadConfig(f *testing.F) {
	f.Add(`{"staff":[{"discord_role":"500000000000000001","role":"unit","unit":"区人社局"}],"units":{"区人社局":["channel:300000000000000010"]}}`)
	f.Add(`{"staff":[{"discord_role":"x","role":"boss"}]}`)
	f.Add(`{"units":{"":["user:1"]}}`)
	roles, err := intake.BuiltinRoles()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := LoadConfig(strings.NewReader(s), roles)
		if err != nil {
			return
		}
		for _, st := range c.Staff {
			r, ok := roles.Get(st.Role)
			if !ok || (r.NeedsUnit() && st.Unit == "") {
				t.Fatalf("accepted %+v", st)
			}
		}
		for _, ts := range c.Units {
			for _, x := range ts {
				if !unitTarget.MatchString(x) {
					t.Fatalf("accepted target %q", x)
				}
			}
		}
	})
}

// TestAskOf2000Characters: /ask's own limit (2,000) is what the engine
// counts: the question, not the command word in front of it.
func TestAskOf2000Characters(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	deps, _ := realDeps(t)
	startReal(t, fake, deps)
	q := "担保费率是多少" + strings.Repeat("？", 2000-len([]rune("担保费率是多少")))
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": q})
	r := result(t, fake, fake.AppID, id, tok)
	if strings.Contains(r.All, "内容太长了") {
		t.Errorf("a 2,000-character question refused: %s", clip(r.All, 300))
	}
	id, tok = fake.Command(alice, guild, "ask", map[string]string{"question": q + "？"})
	if r := result(t, fake, fake.AppID, id, tok); !strings.Contains(r.All, "内容太长了（2001字）") {
		t.Errorf("2,001 characters = %s, want refused as 2001", clip(r.All, 300))
	}
}

// TestButtonOnPrivateMessageAnsweredPrivately: whatever the engine answers
// to a button of an ephemeral message stays with the user, in its place.
func TestButtonOnPrivateMessageAnsweredPrivately(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	id, tok := fake.Click(alice, guild, "cancel", 64) // the scripted engine answers with its public menu
	r := decode[response](t, fake.Wait(wait, "callback", callback(id, tok)))
	if r.Type != 7 || !strings.Contains(r.Data.Content, "惠企助手") {
		t.Errorf("button on an ephemeral message = type %d %+v, want the answer in its place", r.Type, r.Data)
	}
	for _, c := range fake.Calls() {
		if c.Method == "POST" && (c.Path == "/channels/"+guild.Channel+"/messages" || strings.HasPrefix(c.Path, "/webhooks/")) {
			t.Errorf("a new message for a private button: %s", c)
		}
	}
}
