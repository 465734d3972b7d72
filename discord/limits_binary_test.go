package discord

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/discord/discordtest"
)

// TestBinarySIGTERMBehindA429: a reply waits out a 30 s rate limit; SIGTERM
// still stops the bot within 10 s, with status 0.
func TestBinarySIGTERMBehindA429(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	fake := discordtest.New(t)
	db := filepath.Join(t.TempDir(), "huiqi.db")
	bot := startBotProc(t, bin, fake, db, 1)
	fake.RateLimit(discordtest.RateLimit{Method: "POST", Prefix: "/channels/dm-" + alice.UserID, RetryAfter: 30})
	fake.Message(alice, dmWith(alice), "你好", false)
	fake.Wait(wait, "the 429", func(c discordtest.Call) bool { return c.Status == 429 })
	time.Sleep(300 * time.Millisecond) // into the wait
	start := time.Now()
	if err := bot.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-bot.done:
		took := time.Since(start)
		t.Logf("stopped %v after SIGTERM, behind a 30 s retry", took.Round(10*time.Millisecond))
		if err != nil {
			t.Errorf("exit: %v; stderr:\n%s", err, bot.stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM behind a 429; stderr:\n%s", bot.stderr.String())
	}
}

// TestBinaryFatalCloseCodes: the gateway's fatal closes end huiqi discord
// with status 2 and one line that says what to do.
func TestBinaryFatalCloseCodes(t *testing.T) {
	t.Parallel()
	bin := buildHuiqi(t)
	tests := []struct {
		name  string
		setup func(*discordtest.Server)
		live  int
		want  string
	}{
		{"4004 while running", nil, 4004, "code 4004 (Authentication failed.): authentication failed"},
		{"4014 at start", func(f *discordtest.Server) { f.DisallowIntents(1) }, 0, "code 4014 (Disallowed intent(s).): disallowed intents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			if tt.setup != nil {
				tt.setup(fake)
			}
			db := filepath.Join(t.TempDir(), "huiqi.db")
			p := startHuiqi(t, bin, botEnv(db), "discord", "--discord-api", fake.URL)
			if tt.live != 0 {
				fake.WaitConnected(1, 40*time.Second)
				fake.CloseWith(tt.live, "Authentication failed.")
			}
			if code := p.exit(t); code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, p.stderr.String())
			}
			last := strings.TrimSpace(p.stderr.String())
			if i := strings.LastIndex(last, "\n"); i >= 0 {
				last = last[i+1:]
			}
			if !strings.HasPrefix(last, "huiqi discord: ") || !strings.Contains(last, tt.want) {
				t.Errorf("last line %q, want %q", last, tt.want)
			}
		})
	}
}

// TestGlobalRateLimitHonoured: through the bot, a global 429 on one reply
// holds every other route until it ends.
func TestGlobalRateLimitHonoured(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	fake.RateLimit(discordtest.RateLimit{Method: "POST", Prefix: "/channels/dm-" + alice.UserID, RetryAfter: 0.8, Scope: "global"})
	fake.Message(alice, dmWith(alice), "担保费率是多少", false)
	first := fake.Wait(wait, "the global 429", func(c discordtest.Call) bool { return c.Status == 429 })
	time.Sleep(50 * time.Millisecond) // the bot has read the 429 (requests already in flight cannot know)
	fake.Message(bob, dmWith(bob), "担保费率是多少", false)
	bobs := fake.Wait(wait, "bob's answer", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+bob.UserID+"/messages" && c.Status == 200
	})
	fake.Wait(wait, "alice's answer", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && c.Status == 200
	})
	if v := fake.Violations(); len(v) != 0 {
		t.Errorf("requests during the global limit: %v", v)
	}
	if gap := bobs.At.Sub(first.At); gap < 800*time.Millisecond {
		t.Errorf("another route called %v into a 0.8 s global limit", gap)
	}
}
