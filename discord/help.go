package discord

import "huiqi/bot"

// The /help card: an ephemeral embed of what the bot does, read from the
// command table, with buttons that work where the user is. In a channel
// the user cannot simply type to the bot, so 政策问答 opens a box for the
// question; the others start their dialog in the card's place.

// Help buttons. Not under internalPrefix, whose ids buildUI carries by
// hash, so they keep working after a restart.
const (
	helpAsk    = "help:ask"
	helpAward  = "help:award"
	helpReport = "help:report"
	helpTicket = "help:ticket"
)

// helpCommands maps a help button to the engine command it starts.
var helpCommands = map[string]string{helpAward: "/award", helpReport: "/report", helpTicket: "/ticket"}

// helpCard is the /help reply.
func (b *Bot) helpCard() bot.Reply {
	c := &bot.Card{Title: "惠企助手能做什么"}
	if docs := b.docs(); docs != "" {
		c.Body = "解答" + docs + "惠企政策问题，测算奖励，受理企业反映的问题并告知办理进度。"
	}
	for _, s := range specs(b.docs()) {
		if s.help == "" || s.staff {
			continue
		}
		c.Fields = append(c.Fields, bot.Field{Name: "/" + s.zh, Value: s.help})
	}
	c.Footer = "也可以在频道里 @我 提问，或直接私信我。"
	return bot.Reply{Card: c, Private: true, Choices: []bot.Choice{
		{ID: helpAsk, Label: "政策问答", Style: "primary"},
		{ID: helpAward, Label: "算奖励"},
		{ID: helpReport, Label: "反映问题"},
		{ID: helpTicket, Label: "查进度"},
	}}
}
