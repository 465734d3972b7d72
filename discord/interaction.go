package discord

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"huiqi/bot"
)

// turnTimeout bounds one turn; an interaction token lives 15 minutes.
const turnTimeout = 2 * time.Minute

const (
	msgPrivateElsewhere = "已私下回复您（仅您可见）。"
	msgFormExpired      = "这个表单已过期，请重新发起（例如输入 /report）。"
	msgStaffOnly        = "此命令仅限坐席人员使用。"
	msgUnavailable      = "此功能暂不可用，请稍后再试。"
)

// askID is the help card's 政策问答 button and the modal it opens: in a
// channel the user cannot just type a question to the bot, so the button
// asks for it.
const askID = internalPrefix + "ask"

// work produces the replies of one interaction.
type work func(ctx context.Context) []bot.Reply

// interactionUser is who acted: the member in a guild, the user in a DM.
func interactionUser(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

func (b *Bot) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnTimeout)
	defer cancel()
	u := interactionUser(i)
	if u == nil || i.Type == discordgo.InteractionPing {
		return
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		b.onCommand(ctx, s, i, u)
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.onAutocomplete(ctx, s, i, u)
	case discordgo.InteractionMessageComponent:
		b.onComponent(ctx, s, i, u)
	case discordgo.InteractionModalSubmit:
		b.onModal(ctx, s, i, u)
	}
}

func fixed(r ...bot.Reply) work { return func(context.Context) []bot.Reply { return r } }

// how says how an interaction's replies are shown.
type how struct {
	// private: every message of the turn is ephemeral (a private command,
	// a button on a private message, a submitted form, or a turn whose
	// replies include a private one: a private flow stays private to its
	// end).
	private bool
	// modalOK: a reply that is a sole form may open as a modal.
	modalOK bool
	// update: the first message replaces the message the component is on
	// (UPDATE_MESSAGE), so a dialog is one message whose buttons are always
	// the current ones.
	update bool
}

func (b *Bot) onCommand(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, u *discordgo.User) {
	d := i.ApplicationCommandData()
	opt := map[string]string{}
	for _, o := range d.Options {
		if o.Type == discordgo.ApplicationCommandOptionString {
			opt[o.Name] = strings.TrimSpace(o.StringValue())
		}
	}
	engine := func(text string) work {
		return func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, bot.Input{Text: text}) }
	}
	h := how{private: privateCommands[d.Name], modalOK: true}
	var w work
	switch d.Name {
	case "ask":
		w = engine("/ask " + opt["question"])
	case "award", "report":
		w = engine("/" + d.Name)
	case "ticket":
		w = engine(strings.TrimSpace("/ticket " + opt["id"]))
	case "notify":
		w = engine("/notify " + opt["state"])
	case "help":
		w = fixed(b.helpCard())
	case "measure":
		w = fixed(b.measure(opt["id"]))
	case "unit":
		w = fixed(b.unit(opt["name"]))
	case "queue", "move":
		staff, ok := b.staffOf(i)
		if !ok {
			w = fixed(bot.Reply{Text: msgStaffOnly, Private: true})
			break
		}
		if d.Name == "queue" {
			w = func(ctx context.Context) []bot.Reply { return []bot.Reply{b.queue(ctx, staff, opt["unit"])} }
		} else {
			by := "discord:" + u.Username + "(" + u.ID + ")"
			w = func(ctx context.Context) []bot.Reply {
				return []bot.Reply{b.move(ctx, staff, opt["id"], opt["status"], by, opt["note"])}
			}
		}
	default:
		w = fixed(b.helpCard())
	}
	b.respond(ctx, s, i, u.ID, h, w)
}

// privateMessage reports whether the message a component is on is seen by
// the user alone: ephemeral, or in a DM.
func privateMessage(i *discordgo.Interaction) bool {
	return i.GuildID == "" || i.Message != nil && i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
}

func (b *Bot) onComponent(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, u *discordgo.User) {
	d := i.MessageComponentData()
	cid := d.CustomID
	private := privateMessage(i)
	// A private message is the user's own dialog: it is updated in place.
	h := how{private: private, modalOK: true, update: private && i.Message != nil}
	switch {
	case strings.HasPrefix(cid, formPrefix):
		f, ok := b.forms.get(u.ID, strings.TrimPrefix(cid, formPrefix))
		if !ok {
			b.respond(ctx, s, i, u.ID, how{private: true}, fixed(bot.Reply{Text: msgFormExpired, Private: true}))
			return
		}
		b.respond(ctx, s, i, u.ID, how{private: true, modalOK: true}, fixed(bot.Reply{Form: f, Private: true}))
		return
	case cid == answerID:
		b.modal(s, i, answerModal())
		return
	case cid == helpAsk || cid == actAsk:
		b.modal(s, i, askModal())
		return
	case helpCommands[cid] != "":
		text := helpCommands[cid]
		b.respond(ctx, s, i, u.ID, h, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, bot.Input{Text: text}) })
		return
	case strings.HasPrefix(cid, selectPrefix):
		if len(d.Values) == 0 {
			return
		}
		cid = d.Values[0]
	}
	action, ok := b.ids.action(cid)
	if !ok {
		action = "expired" // the engine answers an unknown action with its menu
	}
	in := bot.Input{Action: action}
	b.respond(ctx, s, i, u.ID, h, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, in) })
}

// actAsk is the engine's 政策问答 action (its menu's first choice): on
// Discord it opens the question box.
const actAsk = "cmd:ask"

func (b *Bot) modal(s *discordgo.Session, i *discordgo.Interaction, data *discordgo.InteractionResponseData) {
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: data})
	if err != nil {
		b.log.Error("discord: modal", "interaction", i.ID, "err", err)
	}
}

func (b *Bot) onModal(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, u *discordgo.User) {
	d := i.ModalSubmitData()
	// What a form brings back is the user's own: private. A form opened
	// from a button of a private message updates that message.
	h := how{private: true, update: i.Message != nil && privateMessage(i)}
	var in bot.Input
	switch d.CustomID {
	case answerID:
		in = bot.Input{Text: modalValues(d)["answer"]}
	case askID:
		in = bot.Input{Text: "/ask " + strings.TrimSpace(modalValues(d)["question"])}
	default:
		action, ok := b.ids.action(d.CustomID)
		if !ok {
			b.respond(ctx, s, i, u.ID, h, fixed(bot.Reply{Text: msgFormExpired, Private: true}))
			return
		}
		in = bot.Input{Action: action, Form: modalValues(d)}
	}
	b.respond(ctx, s, i, u.ID, h, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, in) })
}

// respond answers an interaction with the replies of w: at once (a new
// message, an update of the component's message, or a modal) when w is
// quick, else after a deferral, by editing the original response. More
// messages go as follow-ups. A public deferral whose replies turn out
// private says so and sends them as ephemeral follow-ups.
func (b *Bot) respond(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, userID string, h how, w work) {
	ctx, seq := ordered(ctx)
	done := make(chan []bot.Reply, 1)
	go func() { done <- w(ctx) }()
	timer := time.NewTimer(b.cfg.DeferAfter)
	defer timer.Stop()
	var replies []bot.Reply
	deferred, deferredPrivate := false, h.private
	select {
	case replies = <-done:
	case <-timer.C:
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		switch {
		case h.update:
			resp.Type = discordgo.InteractionResponseDeferredMessageUpdate
		case h.private:
			resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
		}
		if err := s.InteractionRespond(i, resp); err != nil {
			b.log.Error("discord: defer", "interaction", i.ID, "err", err)
		}
		deferred = true
		replies = <-done
	}
	if anyPrivate(replies) {
		h.private = true
	}
	if h.private {
		replies = allPrivate(replies)
	}

	if !deferred && h.modalOK {
		if f := soleForm(replies); f != nil {
			b.modal(s, i, buildModal(f, b.ids))
			return
		}
	}
	msgs := renderReplies(replies, b.ids, b.opener(userID))
	if len(msgs) == 0 {
		msgs = []outMessage{{Content: "好的。"}}
	}
	rest := msgs[1:]
	var last *uiRef // the last message sent with components, in a private context
	first := msgs[0]
	switch {
	case !deferred:
		typ := discordgo.InteractionResponseChannelMessageWithSource
		data := &discordgo.InteractionResponseData{
			Content: first.Content, Embeds: first.Embeds, Components: first.Components,
			AllowedMentions: noMentions(), Flags: flags(first.Private),
		}
		if h.update {
			typ = discordgo.InteractionResponseUpdateMessage
			data.Flags = 0 // an update keeps the message's own flags
			if data.Embeds == nil {
				data.Embeds = []*discordgo.MessageEmbed{}
			}
			if data.Components == nil {
				data.Components = []discordgo.MessageComponent{}
			}
		}
		if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: typ, Data: data}); err != nil {
			b.log.Error("discord: respond", "interaction", i.ID, "err", err)
			return
		}
		if h.private && len(first.Components) > 0 {
			last = &uiRef{token: i.Token, message: "@original", comps: first.Components}
		}
	case h.update || h.private == deferredPrivate || !msgs[0].Private:
		if err := b.editOriginal(s, i, first); err != nil {
			b.log.Error("discord: edit response", "interaction", i.ID, "err", err)
			return
		}
		if h.private && len(first.Components) > 0 {
			last = &uiRef{token: i.Token, message: "@original", comps: first.Components}
		}
	default: // a public deferral must not show private replies
		if err := b.editOriginal(s, i, outMessage{Content: msgPrivateElsewhere}); err != nil {
			b.log.Error("discord: edit response", "interaction", i.ID, "err", err)
			return
		}
		rest = msgs
	}
	for _, m := range rest {
		sent, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: m.Content, Embeds: m.Embeds, Components: m.Components,
			AllowedMentions: noMentions(), Flags: flags(m.Private),
		})
		if err != nil {
			b.log.Error("discord: follow-up", "interaction", i.ID, "err", err)
			return
		}
		if h.private && len(m.Components) > 0 && sent != nil {
			last = &uiRef{token: i.Token, message: sent.ID, comps: m.Components}
		}
	}
	if last != nil {
		if h.update && i.Message != nil && last.message == "@original" {
			last.id = i.Message.ID
		}
		last.seq = *seq
		if last.seq == 0 {
			last.seq = b.turns.Add(1)
		}
		b.showing(s, userID, last)
	}
}

// allPrivate is rs, every reply marked private.
func allPrivate(rs []bot.Reply) []bot.Reply {
	out := make([]bot.Reply, len(rs))
	for k, r := range rs {
		r.Private = true
		out[k] = r
	}
	return out
}

func anyPrivate(rs []bot.Reply) bool {
	for _, r := range rs {
		if r.Private {
			return true
		}
	}
	return false
}

func (b *Bot) editOriginal(s *discordgo.Session, i *discordgo.Interaction, m outMessage) error {
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := m.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	_, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions(),
	})
	return err
}

func flags(private bool) discordgo.MessageFlags {
	if private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// soleForm is the form to show as a modal when the replies ask for one; the
// text around it is the modal's own prompt, so nothing else needs showing.
func soleForm(replies []bot.Reply) *bot.Form {
	var f *bot.Form
	for _, r := range replies {
		if r.Form != nil {
			if f != nil {
				return nil
			}
			f = r.Form
		}
	}
	return f
}

// answerModal asks for a typed answer (a number, an amount) in private.
func answerModal() *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{CustomID: answerID, Title: "输入答案",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: "answer", Label: "答案", Style: discordgo.TextInputShort,
				Placeholder: "例如 2500、2500万元、15%", Required: true, MaxLength: 200},
		}}},
	}
}

// askModal asks for a policy question (the help card's 政策问答).
func askModal() *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{CustomID: askID, Title: "政策问答",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: "question", Label: "您的问题", Style: discordgo.TextInputParagraph,
				Placeholder: "例如：担保费率是多少？", Required: true, MaxLength: 2000},
		}}},
	}
}
