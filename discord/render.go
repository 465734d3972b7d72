package discord

import (
	"strconv"
	"strings"

	"huiqi/bot"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits, counted as Discord counts them (UTF-16 code units).
const (
	maxContent      = 2000
	maxEmbedTitle   = 256
	maxEmbedDesc    = 4096
	maxEmbedFields  = 25
	maxFieldName    = 256
	maxFieldValue   = 1024
	maxFooter       = 2048
	maxEmbedTotal   = 6000
	maxButtonsInRow = 5
	maxRows         = 5
	maxButtonLabel  = 80
	maxCustomID     = 100
	maxSelectOpts   = 25
	maxOptionLabel  = 100
	maxModalTitle   = 45
	maxModalInputs  = 5
	maxInputLabel   = 45
	maxPlaceholder  = 100
	maxInputLength  = 4000

	embedColor = 0x2F6FDE

	// Adapter-internal custom ids start with this prefix; engine ids that
	// collide with it or exceed 100 characters are carried by hash.
	internalPrefix = "huiqi:"
	formPrefix     = internalPrefix + "form:"
	selectPrefix   = internalPrefix + "sel:"
	hashPrefix     = internalPrefix + "h:"
	// answerID is the button (and modal) for typing an answer privately.
	answerID = internalPrefix + "ans"
)

// outMessage is one Discord message to send, whatever the route (interaction
// callback, follow-up, channel or DM).
type outMessage struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Private    bool
}

// noMentions is attached to every message: echoed user text must never ping
// @everyone, roles or users. The empty, non-nil slice marshals as "parse":[].
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

var splitSeps = []string{"\n\n", "\n"}

// buildEmbed renders a card within every embed limit.
func buildEmbed(c *bot.Card) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Color: embedColor}
	e.Title = truncate(strings.TrimSpace(c.Title), maxEmbedTitle)
	e.Description = truncate(strings.TrimSpace(c.Body), maxEmbedDesc)
	fields := c.Fields
	overflow := 0
	if len(fields) > maxEmbedFields {
		overflow = len(fields) - (maxEmbedFields - 1)
		fields = fields[:maxEmbedFields-1]
	}
	for _, f := range fields {
		name := truncate(strings.TrimSpace(f.Name), maxFieldName)
		if name == "" {
			name = "\u200b"
		}
		value := truncate(strings.TrimSpace(f.Value), maxFieldValue)
		if value == "" {
			value = "—"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: name, Value: value, Inline: ulen(value) <= 24 && ulen(name) <= 24,
		})
	}
	if overflow > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "…", Value: "另有 " + strconv.Itoa(overflow) + " 项未显示",
		})
	}
	if f := strings.TrimSpace(c.Footer); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(f, maxFooter)}
	}
	// The 6,000 total: shorten the description first, then drop fields from the end.
	if over := embedLen(e) - maxEmbedTotal; over > 0 {
		keep := ulen(e.Description) - over
		if keep >= 200 {
			e.Description = truncate(e.Description, keep)
		} else {
			e.Description = truncate(e.Description, 200)
			for embedLen(e) > maxEmbedTotal && len(e.Fields) > 0 {
				e.Fields = e.Fields[:len(e.Fields)-1]
			}
		}
	}
	return e
}

func embedLen(e *discordgo.MessageEmbed) int {
	n := ulen(e.Title) + ulen(e.Description)
	for _, f := range e.Fields {
		n += ulen(f.Name) + ulen(f.Value)
	}
	if e.Footer != nil {
		n += ulen(e.Footer.Text)
	}
	return n
}

// navLabels are the dialog moves that stay buttons when the answers go into a
// select menu.
var navLabels = map[string]bool{
	"上一步": true, "取消": true, "重新开始": true, "重来": true, "跳过": true, "跳过此题": true,
	"返回": true, "反映问题": true, "帮助": true,
}

// formOpener is how a form is offered where a modal cannot be shown directly
// (a message, a deferred interaction): a button that opens it.
type formOpener func(f *bot.Form) string

// renderReplies turns engine replies into Discord messages: text split at
// 2,000 characters, a card as an embed, choices as components; a form as a
// button that opens the modal. A text-only message is joined to the next
// one when both fit one message ("好的，这一题先跳过。" and the next
// question), so a turn is one message where it can be: the one a dialog
// updates in place.
func renderReplies(replies []bot.Reply, ids *idMap, openForm formOpener) []outMessage {
	return joinMessages(splitReplies(replies, ids, openForm))
}

func joinMessages(msgs []outMessage) []outMessage {
	var out []outMessage
	for _, m := range msgs {
		if n := len(out); n > 0 {
			prev := &out[n-1]
			if len(prev.Embeds) == 0 && len(prev.Components) == 0 && prev.Private == m.Private &&
				prev.Content != "" && m.Content != "" && ulen(prev.Content)+2+ulen(m.Content) <= maxContent {
				m.Content = prev.Content + "\n\n" + m.Content
				out[n-1] = m
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

func splitReplies(replies []bot.Reply, ids *idMap, openForm formOpener) []outMessage {
	var out []outMessage
	for _, r := range replies {
		chunks := splitText(r.Text, maxContent)
		var embeds []*discordgo.MessageEmbed
		if r.Card != nil {
			embeds = append(embeds, buildEmbed(r.Card))
		}
		var choices []uiChoice
		if r.NumberAnswer && r.Private {
			// Typing in a guild channel would be public: offer a modal.
			choices = append(choices, uiChoice{bot.Choice{ID: answerID, Label: "输入答案", Style: "primary"}, true})
		}
		if r.Form != nil && openForm != nil {
			label := strings.TrimSpace(r.Form.Title)
			if label == "" {
				label = "填写"
			}
			choices = append(choices, uiChoice{bot.Choice{ID: openForm(r.Form), Label: label, Style: "primary"}, true})
		}
		for _, c := range r.Choices {
			choices = append(choices, uiChoice{Choice: c})
		}
		comps := buildUI(choices, ids)
		if len(chunks) == 0 && len(embeds) == 0 {
			if len(comps) == 0 {
				continue
			}
			chunks = []string{"请选择："}
		}
		if len(chunks) == 0 {
			chunks = []string{""}
		}
		for i, c := range chunks {
			m := outMessage{Content: c, Private: r.Private}
			if i == len(chunks)-1 {
				m.Embeds, m.Components = embeds, comps
			}
			out = append(out, m)
		}
	}
	return out
}
