package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"huiqi/bot"
	"huiqi/internal/nasty"
)

func replyStrings(rs []bot.Reply) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Text)
		for _, c := range r.Choices {
			out = append(out, c.Label)
		}
		if c := r.Card; c != nil {
			out = append(out, c.Title, c.Body, c.Footer)
			for _, f := range c.Fields {
				out = append(out, f.Name, f.Value)
			}
		}
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestNastyInputs sends every input of the corpus through the real engine
// in each place a user can type: a question, an answer in the award
// dialog, each step of the report dialog, a form field and a forged button.
// Each turn must give a Chinese reply that pings nobody, and the
// conversation must still load afterwards.
func TestNastyInputs(t *testing.T) {
	e := newRealEngine(t)
	ctx := context.Background()
	cases := nasty.MustLoad(t, "../testdata/nasty/inputs.json")
	contexts := []struct {
		name  string
		setup []string
		in    func(s string) bot.Input
	}{
		{"question", nil, func(s string) bot.Input { return bot.Input{Text: s} }},
		{"award-answer", []string{"/award"}, func(s string) bot.Input { return bot.Input{Text: s} }},
		{"report-problem", []string{"反映问题"}, func(s string) bot.Input { return bot.Input{Text: s} }},
		{"report-enterprise", []string{"反映问题", "货车拉煤白天被限行"}, func(s string) bot.Input { return bot.Input{Text: s} }},
		{"report-contact", []string{"反映问题", "货车拉煤白天被限行", "阳泉测试机械有限公司"}, func(s string) bot.Input { return bot.Input{Text: s} }},
		{"ticket-lookup", nil, func(s string) bot.Input { return bot.Input{Text: "查进度 " + s} }},
		{"form", []string{"/report"}, func(s string) bot.Input {
			return bot.Input{Action: "report:form", Form: map[string]string{"enterprise": s, "contact": s, "description": s}}
		}},
		{"action", nil, func(s string) bot.Input { return bot.Input{Action: s} }},
	}
	for _, c := range cases {
		for _, x := range contexts {
			t.Run(c.Name+"/"+x.name, func(t *testing.T) {
				key := bot.Key{Channel: "discord", User: c.Name + "/" + x.name}
				for _, s := range x.setup {
					if _, err := e.Handle(ctx, key, bot.Input{Text: s}); err != nil {
						t.Fatalf("setup %q: %v", s, err)
					}
				}
				in := x.in(c.Text)
				rs, err := e.Handle(ctx, key, in)
				if err != nil {
					t.Fatalf("Handle(%.40q) error: %v", c.Text, err)
				}
				all := strings.Join(replyStrings(rs), "\n")
				if !hasHan(all) {
					t.Errorf("Handle(%.40q) = %q, want a Chinese reply", c.Text, all)
				}
				if m := nasty.Pings.FindString(all); m != "" {
					t.Errorf("Handle(%.40q) reply contains %q, which pings people: %q", c.Text, m, all)
				}
				if strings.Contains(all, "系统出了点问题") {
					t.Errorf("Handle(%.40q) = internal error reply %q", c.Text, all)
				}
				for _, r := range rs {
					if r.Form != nil && len(r.Form.Fields) == 0 {
						t.Errorf("empty form in reply")
					}
				}
				// The conversation must still load and answer.
				rs, err = e.Handle(ctx, key, bot.Input{Text: "帮助"})
				if err != nil || len(rs) == 0 || !hasHan(rs[0].Text) {
					t.Fatalf("after the nasty input the conversation does not load: %v %v", err, rs)
				}
			})
		}
	}
	if testing.Verbose() {
		fmt.Println("nasty cases:", len(cases), "contexts:", len(contexts))
	}
}

// TestTerminalLongLine pastes a 1 MB line into the terminal chat: the chat
// says it is too long and goes on, rather than ending with a read error.
func TestTerminalLongLine(t *testing.T) {
	e := newRealEngine(t)
	in := strings.Repeat("政策", 1<<19) + "\n帮助\n"
	var out strings.Builder
	if err := bot.RunTerminal(context.Background(), e, strings.NewReader(in), &out, bot.Key{Channel: "terminal", User: "paste"}); err != nil {
		t.Fatalf("RunTerminal with a 1 MB line: %v", err)
	}
	got := out.String()
	if !strings.Contains(got, "内容太长了") || !strings.Contains(got, "再见") {
		t.Errorf("RunTerminal(1 MB line) = %.500q, want the too-long reply and the chat going on", got)
	}
	if len(got) > 100_000 {
		t.Errorf("RunTerminal echoed %d bytes for a pasted line", len(got))
	}
}
