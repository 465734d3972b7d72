package discord

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"huiqi/discord/discordtest"
)

// runBot runs a bot against the fake; its Run may end on its own, and
// done is closed when it has (err then holds its result).
func runBot(t *testing.T, fake *discordtest.Server, cfg Config) (done <-chan struct{}, err *error) {
	t.Helper()
	cfg.Token, cfg.API = "test", fake.URL
	b, nerr := New(cfg, Deps{Engine: newScripted()})
	if nerr != nil {
		t.Fatal(nerr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	var result error
	go func() { result = b.Run(ctx); close(ch) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ch:
		case <-time.After(wait):
			t.Error("Run did not return")
		}
	})
	return ch, &result
}

func TestResumeUsesTheResumeGateway(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	fake.Drop()
	fake.WaitConnected(2, 20*time.Second)
	ids, resumes := fake.Connections()
	if ids != 1 || resumes != 1 || fake.ViaResume() != 1 {
		t.Errorf("identifies %d, resumes %d, via the resume gateway %d; want 1 identify, then 1 resume there", ids, resumes, fake.ViaResume())
	}
	// A session the gateway forgot (4009) is identified again, and the bot goes on.
	fake.CloseWith(4009, "Session timed out.")
	fake.WaitConnected(3, 20*time.Second)
	// One new session, and the bot settles on it: the heartbeat of the
	// closing socket does not close the next connection (gateway.go's
	// reopenSettle; without it the bot opened a connection a second).
	if ids := settled(t, fake); ids != 2 {
		t.Errorf("identifies after 4009 = %d, want one new session", ids)
	}
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率"})
	if r := decode[response](t, fake.Wait(wait, "answer", callback(id, tok))); len(r.Data.Embeds) != 1 {
		t.Errorf("after the new session: %+v", r.Data)
	}
}

func TestFatalCloseCodesEndTheBot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*discordtest.Server) // before the bot connects
		live  int                       // a close code sent to the live connection
		code  int
	}{
		{"token revoked while running", nil, 4004, 4004},
		{"disallowed intent at start", func(f *discordtest.Server) { f.DisallowIntents(1) }, 0, 4014},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			if tt.setup != nil {
				tt.setup(fake)
			}
			done, result := runBot(t, fake, Config{})
			if tt.live != 0 {
				fake.WaitConnected(1, wait)
				fake.CloseWith(tt.live, "Authentication failed.")
			}
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the bot kept running after a fatal close")
			}
			err := *result
			var fe *GatewayClosedError
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("Run = %v, want a GatewayClosedError %d", err, tt.code)
			}
			ids, resumes := fake.Connections()
			time.Sleep(1500 * time.Millisecond)
			if i2, r2 := fake.Connections(); i2 != ids || r2 != resumes {
				t.Errorf("still reconnecting after the fatal close: %d+%d then %d+%d", ids, resumes, i2, r2)
			}
		})
	}
}

func TestNoMessageContentIntent(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	// The portal's default: the privileged intent is off. The bot connects,
	// and mentions and DMs still reach it with their text.
	fake.DisallowIntents(discordtest.MessageContentIntent)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	if ids := fake.Identifies(); ids[0].Intents&discordtest.MessageContentIntent != 0 {
		t.Fatalf("intents %b ask for Message Content", ids[0].Intents)
	}
	fake.Message(alice, dmWith(alice), "担保费率是多少", false)
	fake.Wait(wait, "DM answer", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/dm-"+alice.UserID+"/messages" && contains(c.Body, "担保费率是多少")
	})
	fake.Message(bob, guild, "担保费率是多少", true)
	fake.Wait(wait, "mention answer", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages" && contains(c.Body, "担保费率是多少")
	})
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// settled waits until the bot has opened no new session for a second and
// holds a live connection, and returns how many identifies it sent.
func settled(t *testing.T, fake *discordtest.Server) int {
	t.Helper()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ids, resumes := fake.Connections()
		if n := ids + resumes; n != last {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) >= time.Second {
			fake.WaitConnected(last, 10*time.Second)
			return ids
		}
	}
	t.Fatal("the bot kept reconnecting for 20 s")
	return 0
}
