package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"huiqi/discord/discordtest"
)

// FuzzMessageHandler delivers arbitrary text to the running bot over the
// fake gateway, as a DM, as a mention in a guild channel and as /ask, with
// an engine that echoes it raw: every reply keeps allowed_mentions parse []
// and Discord's length limit, and the bot answers every one.
func FuzzMessageHandler(f *testing.F) {
	for _, s := range []string{"担保费率是多少", "", " ", "@everyone", "<@123> <@&456> @here", "<script>alert(1)</script>",
		"\xff\xfe", "\u202e\u200b", "**粗体** ||剧透|| ```x```", "/award", "/ticket ../../etc/passwd", "%s%n", "政策政策政策政策政策政策政策政策"} {
		f.Add(s)
	}
	fake := discordtest.New(fuzzTB{f})
	b, err := New(Config{Token: "test", API: fake.URL}, Deps{Engine: &echoEngine{}})
	if err != nil {
		f.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	fake.WaitConnected(1, wait)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, text string) {
		i := strconv.FormatInt(n.Add(1), 10)
		who := discordtest.Member{UserID: "41" + i, Name: "u" + i}
		dm := dmWith(who)
		ch := discordtest.Where{Guild: guild.Guild, Channel: "chan-" + i}
		fake.Message(who, dm, text, false)
		fake.Message(who, ch, text, true)
		id, tok := fake.Command(who, ch, "ask", map[string]string{"question": text})
		for _, path := range []string{"/channels/" + dm.Channel + "/messages", "/channels/" + ch.Channel + "/messages",
			"/interactions/" + id + "/" + tok + "/callback"} {
			calls, ok := fake.WaitN(wait, 1, discordtest.Is("POST", path))
			if !ok {
				t.Fatalf("no reply at %s to %q", path, text)
			}
			var msg struct {
				messageBody
				Data *messageBody `json:"data"`
			}
			if err := json.Unmarshal(calls[0].Body, &msg); err != nil {
				t.Fatalf("reply at %s is not JSON: %v", path, err)
			}
			m := &msg.messageBody
			if msg.Data != nil {
				m = msg.Data
			}
			if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
				t.Fatalf("reply at %s to %q without allowed_mentions parse []: %s", path, text, calls[0].Body)
			}
			if utf8.RuneCountInString(m.Content) > 2000 {
				t.Fatalf("reply at %s to %q has %d characters", path, text, utf8.RuneCountInString(m.Content))
			}
		}
	})
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// fuzzTB lets the fake Discord, written for *testing.T, serve a fuzz
// target: *testing.F forbids Helper and Fatal inside the target, so those
// become no-op and panic (which the fuzzer reports as a crash).
type fuzzTB struct{ testing.TB }

func (fuzzTB) Helper()                           {}
func (fuzzTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (fuzzTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
