package bot

import (
	"strings"
	"unicode"
)

// commandWords are the Chinese (and a few English) words that act as
// commands when they make up the whole message, optionally followed by an
// argument (查进度 CQ-20261127-0001).
var commandWords = []struct {
	word, cmd string
}{
	{"测算奖励", "award"}, {"算奖励", "award"}, {"奖励测算", "award"},
	{"反映问题", "report"}, {"投诉", "report"}, {"反映", "report"},
	{"查进度", "ticket"}, {"查工单", "ticket"}, {"查询工单", "ticket"},
	{"问答", "ask"}, {"政策问答", "ask"}, {"提问", "ask"}, {"继续提问", "ask"},
	{"帮助", "help"}, {"菜单", "help"}, {"功能", "help"},
	{"取消", "cancel"}, {"退出", "cancel"},
	{"关闭通知", "notify-off"}, {"不要通知", "notify-off"}, {"取消通知", "notify-off"}, {"别再通知我", "notify-off"},
	{"开启通知", "notify-on"}, {"打开通知", "notify-on"}, {"恢复通知", "notify-on"},
}

var slashCommands = map[string]string{
	"ask": "ask", "award": "award", "report": "report", "ticket": "ticket",
	"help": "help", "cancel": "cancel", "start": "help", "menu": "help", "notify": "notify",
}

// commandText is what the user wrote of text: a command's argument (the
// question of "/ask …"), or the whole text; limits count it, so the
// command word a channel puts in front does not count against the user.
func commandText(text string) string {
	if _, arg, ok := parseCommand(text); ok && arg != "" {
		return arg
	}
	return text
}

// parseCommand recognises /award, /ticket CQ-…, 算奖励, 查进度 CQ-… and the
// like. Free text that merely contains a command word is not a command.
func parseCommand(text string) (cmd, arg string, ok bool) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "/") || strings.HasPrefix(text, "／") {
		rest := strings.TrimPrefix(strings.TrimPrefix(text, "/"), "／")
		name, arg, _ := strings.Cut(rest, " ")
		cmd, ok := slashCommands[strings.ToLower(name)]
		if !ok {
			return "", "", false
		}
		return cmd, strings.TrimSpace(arg), true
	}
	bare := strings.TrimRightFunc(text, isPunct)
	for _, w := range commandWords {
		if bare == w.word {
			return w.cmd, "", true
		}
		// An argument only for commands that take one, and only after a
		// space, so "反映问题很多" stays a sentence.
		if w.cmd == "ticket" || w.cmd == "ask" {
			if rest, found := strings.CutPrefix(bare, w.word+" "); found {
				return w.cmd, strings.TrimSpace(rest), true
			}
		}
	}
	if t := strings.ToUpper(bare); looksLikeTicketID(t) {
		return "ticket", t, true
	}
	return "", "", false
}

// looksLikeTicketID is CQ-YYYYMMDD-NNNN.
func looksLikeTicketID(s string) bool {
	if !strings.HasPrefix(s, "CQ-") || len(s) < len("CQ-20060102-1") || len(s) > 24 {
		return false
	}
	date, seq, ok := strings.Cut(s[3:], "-")
	if !ok || len(date) != 8 {
		return false
	}
	for _, r := range date + seq {
		if r < '0' || r > '9' {
			return false
		}
	}
	return seq != ""
}

func isPunct(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r)
}

// questionLike reports whether text reads as a question rather than an
// answer, so the award dialog can take it as a side question.
func questionLike(text string) bool {
	if strings.ContainsAny(text, "?？") {
		return true
	}
	for _, w := range []string{"多少", "什么", "怎么", "如何", "哪些", "哪个", "哪里", "是否", "能不能", "可不可以", "有没有", "吗", "么"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// safe neutralises what a chat channel would act on when user text is
// echoed: mass mentions, user/role mentions and control characters.
func safe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u202e' || r == '\u202d' {
			return -1
		}
		return r
	}, s)
	// A zero-width space after @ breaks @everyone, @here and <@123>.
	return strings.ReplaceAll(s, "@", "@\u200b")
}

// sanitize makes every string of a reply safe to show in a chat channel:
// replies carry user text (a report being confirmed, a ticket's reply) and
// text from the knowledge base, and none of it may ping a whole server.
func sanitize(r *Reply) {
	r.Text = safe(r.Text)
	for i := range r.Choices {
		r.Choices[i].Label = safe(r.Choices[i].Label)
	}
	if c := r.Card; c != nil {
		c.Title, c.Body, c.Footer = safe(c.Title), safe(c.Body), safe(c.Footer)
		for i := range c.Fields {
			c.Fields[i].Name, c.Fields[i].Value = safe(c.Fields[i].Name), safe(c.Fields[i].Value)
		}
	}
}

// clip shortens s to n characters for echoing.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
