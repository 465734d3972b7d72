package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"huiqi/bot"
)

const (
	msgSentByDM = "已通过私信回复您。"
	msgNoDM     = "无法给您发送私信。请在服务器隐私设置中允许私信，或使用斜杠命令（如 /award），回复仅您可见。"
)

// mentionText returns the text of m addressed to the bot, without the
// mention, and whether m is addressed to it at all: every DM is; in a guild
// channel only messages that mention the bot.
func mentionText(m *discordgo.Message, botID string) (string, bool) {
	if m.GuildID == "" {
		return strings.TrimSpace(m.Content), true
	}
	mentioned := false
	for _, u := range m.Mentions {
		if u != nil && u.ID == botID {
			mentioned = true
		}
	}
	text := m.Content
	for _, tag := range []string{"<@" + botID + ">", "<@!" + botID + ">"} {
		if strings.Contains(text, tag) {
			mentioned = true
			text = strings.ReplaceAll(text, tag, " ")
		}
	}
	return strings.TrimSpace(text), mentioned && botID != ""
}

func (b *Bot) onMessage(ctx context.Context, s *discordgo.Session, m *discordgo.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnTimeout)
	defer cancel()
	_, botID := b.identity()
	if m.Author == nil || m.Author.Bot || m.Author.ID == botID || m.Author.System {
		return
	}
	text, ok := mentionText(m, botID)
	if !ok {
		return
	}
	in := bot.Input{Text: text}
	if text == "" {
		in = bot.Input{Text: "/help"}
	}
	ctx, seq := ordered(ctx)
	replies := b.handle(ctx, m.Author.ID, in)
	if anyPrivate(replies) { // a private flow stays private to its end
		replies = allPrivate(replies)
	}
	msgs := renderReplies(replies, b.ids, b.opener(m.Author.ID))

	public := m.GuildID != ""
	var last *uiRef
	dm := ""
	sentPrivately, dmFailed := false, false
	for _, msg := range msgs {
		channel := m.ChannelID
		send := &discordgo.MessageSend{
			Content: msg.Content, Embeds: msg.Embeds, Components: msg.Components, AllowedMentions: noMentions(),
		}
		if public && msg.Private {
			if dmFailed {
				continue
			}
			if dm == "" {
				ch, err := s.UserChannelCreate(m.Author.ID, discordgo.WithContext(ctx))
				if err != nil {
					b.log.Warn("discord: open DM", "user", m.Author.ID, "err", err)
					dmFailed = true
					continue
				}
				dm = ch.ID
			}
			channel = dm
			sentPrivately = true
		} else if public {
			send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}
		}
		sent, err := s.ChannelMessageSendComplex(channel, send, discordgo.WithContext(ctx))
		if err != nil {
			b.log.Error("discord: send", "channel", channel, "err", err)
			if channel == dm {
				dmFailed = true
			}
			continue
		}
		if (msg.Private || !public) && len(msg.Components) > 0 {
			last = &uiRef{channel: channel, id: sent.ID, comps: msg.Components}
		}
	}
	if last != nil {
		last.seq = *seq
		b.showing(s, m.Author.ID, last)
	} else if !public || sentPrivately {
		// The dialog went on without buttons: the last ones are stale.
		if prev := b.ui.forget(m.Author.ID, *seq); prev != nil {
			b.disable(s, prev)
		}
	}
	note := ""
	switch {
	case dmFailed:
		note = msgNoDM
	case sentPrivately:
		note = msgSentByDM
	}
	if note != "" {
		_, err := s.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
			Content: note, AllowedMentions: noMentions(),
			Reference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID},
		}, discordgo.WithContext(ctx))
		if err != nil {
			b.log.Error("discord: send note", "channel", m.ChannelID, "err", err)
		}
	}
}
