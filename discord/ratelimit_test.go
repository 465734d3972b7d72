package discord

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/discord/discordtest"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"
)

// TestRateLimitPerUser floods the bot from one user through the real
// engine: past the engine's limit the user gets the polite Chinese message,
// and another user is still answered.
func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }
	clock := now() // the limiter's clock, held still so the bucket never refills
	base, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{Router: intake.NewRouter(base)}, now)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := wire.NewEngine(db, base, st, now, nil, bot.Deps{RateLimit: 3, RateWindow: time.Minute,
		RateClock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: eng})
	isDM := func(m discordtest.Member) func(discordtest.Call) bool {
		return func(c discordtest.Call) bool {
			return c.Method == "POST" && c.Path == "/channels/dm-"+m.UserID+"/messages"
		}
	}
	for range 4 {
		fake.Message(alice, dmWith(alice), "帮助", false)
	}
	calls, ok := fake.WaitN(wait, 4, isDM(alice))
	if !ok {
		t.Fatalf("got %d replies to alice's 4 messages", len(calls))
	}
	limited := 0
	for _, c := range calls {
		if strings.Contains(string(c.Body), "您发送得太快了") {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d of alice's 4 replies are the rate-limit message, want 1 (limit 3)", limited)
	}
	fake.Message(bob, dmWith(bob), "帮助", false)
	c := fake.Wait(wait, "bob's reply", isDM(bob))
	if strings.Contains(string(c.Body), "您发送得太快了") {
		t.Errorf("bob limited by alice's flood: %s", c.Body)
	}
	// The slash command path is limited by the same bucket, and the
	// refusal is shown to that user alone.
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率是多少"})
	r := decode[response](t, fake.Wait(wait, "ask callback", callback(id, tok)))
	if !strings.Contains(r.Data.Content, "您发送得太快了") || r.Data.Flags&64 == 0 {
		t.Errorf("alice's /ask after the flood = %q (flags %d), want the ephemeral rate-limit message", r.Data.Content, r.Data.Flags)
	}

	// A flood in a public channel: the refusals go by DM, never into the
	// channel.
	carol := discordtest.Member{UserID: "400000000000000003", Name: "carol"}
	for range 6 {
		fake.Message(carol, guild, "担保费率是多少", true)
	}
	isPublic := func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages"
	}
	if _, ok := fake.WaitN(wait, 3, func(c discordtest.Call) bool {
		return isDM(carol)(c) && strings.Contains(string(c.Body), "您发送得太快了")
	}); !ok {
		t.Fatal("carol's 3 refusals were not sent by DM")
	}
	for _, c := range fake.Calls() {
		if isPublic(c) && strings.Contains(string(c.Body), "您发送得太快了") {
			t.Errorf("a refusal posted in the public channel: %s", c.Body)
		}
	}
}
