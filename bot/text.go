package bot

import (
	"strings"
	"unicode"

	"huiqi/intake"
)

var slashCommands = map[string]string{
	"ask": "ask", "award": "award", "report": "report", "ticket": "ticket",
	"help": "help", "cancel": "cancel", "start": "help", "menu": "help",
	"back": "back", "restart": "restart", "skip": "skip", "notify": "notify",
}

// parseCommand recognises the commands that are syntax rather than words:
// /award, /ticket CQ-…, and a ticket id typed alone. The words people use
// for the same actions (算奖励, 我要投诉, 我那个单子咋样了) are intents
// (intents.json).
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
	if id, ok := ticketID(strings.TrimRightFunc(text, isPunct)); ok {
		return "ticket", id, true
	}
	return "", "", false
}

// ticketID reads a ticket id in intake's format (intake.ParseID).
func ticketID(s string) (string, bool) {
	if strings.ContainsAny(s, " \t") {
		return "", false
	}
	id, err := intake.ParseID(s)
	return id, err == nil
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

// commandText is what the user wrote of text: a command's argument (the
// question of "/ask …"), or the whole text; limits count it, so the
// command word a channel puts in front does not count against the user.
func commandText(text string) string {
	if _, arg, ok := parseCommand(text); ok && arg != "" {
		return arg
	}
	return text
}
