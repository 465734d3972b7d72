package discord

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"huiqi/bot"
	"huiqi/discord/discordtest"
	"huiqi/internal/nasty"
)

// echoEngine is the worst engine the adapter could be given: it repeats
// the user's text, unsanitised, in the reply, a card, a button and a
// select, so the adapter's own defences are what the test sees.
type echoEngine struct {
	mu sync.Mutex
	n  int
}

func (e *echoEngine) Handle(ctx context.Context, k bot.Key, in bot.Input) ([]bot.Reply, error) {
	e.mu.Lock()
	e.n++
	e.mu.Unlock()
	t := in.Text + in.Action
	// Long enough to need splitting, short enough that a 1 MB input does not
	// become five hundred messages (the real engine refuses it outright).
	if r := []rune(t); len(r) > 5000 {
		t = string(r[:5000])
	}
	return []bot.Reply{
		{Text: "您说：" + t, Choices: []bot.Choice{{ID: "x:" + t, Label: t}}},
		{Card: &bot.Card{Title: t, Body: t, Footer: t, Fields: []bot.Field{{Name: t, Value: t}}}},
	}, nil
}

func (e *echoEngine) count() int { e.mu.Lock(); defer e.mu.Unlock(); return e.n }

// TestNastyInputs delivers every input of the corpus as a DM, as a message
// that mentions the bot in a guild channel and as /ask: every REST call the
// bot makes must carry allowed_mentions with an empty parse list and stay
// within Discord's size limits, and the bot keeps running.
func TestNastyInputs(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	eng := &echoEngine{}
	startBot(t, fake, Config{}, Deps{Engine: eng})
	cases := nasty.MustLoad(t, "../testdata/nasty/inputs.json")
	for _, c := range cases {
		fake.Message(alice, dmWith(alice), c.Text, false)
		fake.Message(bob, guild, c.Text, true)
		fake.Command(alice, guild, "ask", map[string]string{"question": c.Text})
	}
	// Wait for the work, not for a quiet spell: under -race on a loaded
	// machine the bot may pause longer than any quiet spell while it works
	// through a 1 MB input. The deadline only bounds a real hang.
	want := len(cases) * 2
	deadline := time.Now().Add(20 * wait)
	for time.Now().Before(deadline) && (eng.count() < want || len(sentMessages(fake.Calls())) < want) {
		time.Sleep(100 * time.Millisecond)
	}
	// Then let what is still in flight land, so the checks below see it.
	for last := -1; len(fake.Calls()) != last && time.Now().Before(deadline); {
		last = len(fake.Calls())
		time.Sleep(500 * time.Millisecond)
	}
	if eng.count() < want {
		t.Errorf("engine took %d turns for %d inputs × 3 ways, want at least %d", eng.count(), len(cases), want)
	}
	sent := sentMessages(fake.Calls())
	for _, sm := range sent {
		c, m := sm.call, sm.body
		if c.Status >= 400 {
			t.Errorf("Discord refused %s", c)
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("%s %s without allowed_mentions parse []: %.300s", c.Method, c.Path, c.Body)
		}
		if n := utf8.RuneCountInString(m.Content); n > 2000 {
			t.Errorf("%s %s content of %d characters, Discord's limit is 2000", c.Method, c.Path, n)
		}
		if !utf8.ValidString(m.Content) {
			t.Errorf("%s %s content is not valid UTF-8", c.Method, c.Path)
		}
		for _, e := range m.Embeds {
			if utf8.RuneCountInString(e.Title) > 256 || utf8.RuneCountInString(e.Description) > 4096 {
				t.Errorf("embed over Discord's limits: title %d, description %d characters",
					utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description))
			}
			for _, f := range e.Fields {
				if utf8.RuneCountInString(f.Name) > 256 || utf8.RuneCountInString(f.Value) > 1024 {
					t.Errorf("embed field over Discord's limits: %d/%d characters", utf8.RuneCountInString(f.Name), utf8.RuneCountInString(f.Value))
				}
			}
		}
	}
	if len(sent) < want {
		t.Errorf("the bot sent %d messages for %d inputs, want at least %d", len(sent), len(cases), want)
	}
	// Still alive: one more ordinary question gets its answer.
	id, tok := fake.Command(alice, guild, "ask", map[string]string{"question": "担保费率是多少"})
	fake.Wait(wait, "answer after the corpus", callback(id, tok))
}

type messageBody struct {
	Content         string `json:"content"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	Embeds []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Fields      []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
}

type sentMessage struct {
	call discordtest.Call
	body *messageBody
}

// sentMessages are the calls that carry a message with content or embeds:
// posted, edited, or an interaction response.
func sentMessages(calls []discordtest.Call) []sentMessage {
	var out []sentMessage
	for _, c := range calls {
		if c.Method != "POST" && c.Method != "PATCH" {
			continue
		}
		var msg struct {
			Type int `json:"type"`
			messageBody
			Data *messageBody `json:"data"`
		}
		if err := json.Unmarshal(c.Body, &msg); err != nil {
			continue
		}
		m := &msg.messageBody
		if msg.Data != nil {
			m = msg.Data
		}
		if m.Content == "" && len(m.Embeds) == 0 {
			continue
		}
		out = append(out, sentMessage{c, m})
	}
	return out
}
