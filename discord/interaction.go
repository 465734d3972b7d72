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
	case discordgo.InteractionMessageComponent:
		b.onComponent(ctx, s, i, u)
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		if d.CustomID == answerID {
			in := bot.Input{Text: modalValues(d)["answer"]}
			b.respond(ctx, s, i, u.ID, true, false, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, in) })
			return
		}
		action, ok := b.ids.action(d.CustomID)
		if !ok {
			b.respond(ctx, s, i, u.ID, true, false, fixed(bot.Reply{Text: msgFormExpired, Private: true}))
			return
		}
		in := bot.Input{Action: action, Form: modalValues(d)}
		b.respond(ctx, s, i, u.ID, true, false, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, in) })
	}
}

func fixed(r ...bot.Reply) work { return func(context.Context) []bot.Reply { return r } }

// privateCommands are the commands whose replies are private from the start
// (award dialogs and tickets), so a deferral is ephemeral too.
var privateCommands = map[string]bool{"award": true, "report": true, "ticket": true, "queue": true, "move": true}

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
	private := privateCommands[d.Name]
	var w work
	switch d.Name {
	case "ask":
		w = engine(strings.TrimSpace("/ask " + opt["question"]))
	case "award", "report", "help":
		w = engine("/" + d.Name)
	case "ticket":
		w = engine(strings.TrimSpace("/ticket " + opt["id"]))
	case "measure":
		w = fixed(b.measure(opt["id"]))
	case "unit":
		w = fixed(b.unit(opt["name"]))
	case "queue", "move":
		if !b.isStaff(i) {
			w = fixed(bot.Reply{Text: msgStaffOnly, Private: true})
			break
		}
		if d.Name == "queue" {
			w = func(ctx context.Context) []bot.Reply { return []bot.Reply{b.queue(ctx, opt["unit"])} }
		} else {
			by := "discord:" + u.Username + "(" + u.ID + ")"
			w = func(ctx context.Context) []bot.Reply {
				return []bot.Reply{b.move(ctx, opt["id"], opt["status"], by, opt["note"])}
			}
		}
	default:
		w = engine("/help")
	}
	b.respond(ctx, s, i, u.ID, private, true, w)
}

func (b *Bot) onComponent(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, u *discordgo.User) {
	d := i.MessageComponentData()
	cid := d.CustomID
	private := i.Message != nil && i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	if strings.HasPrefix(cid, formPrefix) {
		f, ok := b.forms.get(u.ID, strings.TrimPrefix(cid, formPrefix))
		if !ok {
			b.respond(ctx, s, i, u.ID, true, false, fixed(bot.Reply{Text: msgFormExpired, Private: true}))
			return
		}
		b.respond(ctx, s, i, u.ID, true, true, fixed(bot.Reply{Form: f, Private: true}))
		return
	}
	if cid == answerID {
		err := s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseModal, Data: answerModal(),
		})
		if err != nil {
			b.log.Error("discord: answer modal", "interaction", i.ID, "err", err)
		}
		return
	}
	if strings.HasPrefix(cid, selectPrefix) {
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
	b.respond(ctx, s, i, u.ID, private, true, func(ctx context.Context) []bot.Reply { return b.handle(ctx, u.ID, in) })
}

// respond answers an interaction with the replies of w: at once (type 4, or
// a modal) when w is quick, else after a deferral (type 5) by editing the
// original response. More messages go as follow-ups. Private replies are
// ephemeral; a public deferral whose replies turn out private says so and
// sends them as ephemeral follow-ups.
func (b *Bot) respond(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, userID string, private, modalOK bool, w work) {
	done := make(chan []bot.Reply, 1)
	go func() { done <- w(ctx) }()
	timer := time.NewTimer(b.cfg.DeferAfter)
	defer timer.Stop()
	var replies []bot.Reply
	deferred := false
	select {
	case replies = <-done:
	case <-timer.C:
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		if private {
			resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
		}
		if err := s.InteractionRespond(i, resp); err != nil {
			b.log.Error("discord: defer", "interaction", i.ID, "err", err)
		}
		deferred = true
		replies = <-done
	}

	if !deferred && modalOK {
		if f := soleForm(replies); f != nil {
			err := s.InteractionRespond(i, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal, Data: buildModal(f, b.ids),
			})
			if err != nil {
				b.log.Error("discord: modal", "interaction", i.ID, "err", err)
			}
			return
		}
	}
	msgs := renderReplies(replies, b.ids, b.opener(userID))
	if len(msgs) == 0 {
		msgs = []outMessage{{Content: "好的。", Private: private}}
	}
	rest := msgs[1:]
	switch {
	case !deferred:
		first := msgs[0]
		err := s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: first.Content, Embeds: first.Embeds, Components: first.Components,
				AllowedMentions: noMentions(), Flags: flags(first.Private),
			},
		})
		if err != nil {
			b.log.Error("discord: respond", "interaction", i.ID, "err", err)
			return
		}
	case private || !msgs[0].Private:
		if err := b.editOriginal(s, i, msgs[0]); err != nil {
			b.log.Error("discord: edit response", "interaction", i.ID, "err", err)
			return
		}
	default: // a public deferral must not show private replies
		if err := b.editOriginal(s, i, outMessage{Content: msgPrivateElsewhere}); err != nil {
			b.log.Error("discord: edit response", "interaction", i.ID, "err", err)
			return
		}
		rest = msgs
	}
	for _, m := range rest {
		_, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: m.Content, Embeds: m.Embeds, Components: m.Components,
			AllowedMentions: noMentions(), Flags: flags(m.Private),
		})
		if err != nil {
			b.log.Error("discord: follow-up", "interaction", i.ID, "err", err)
			return
		}
	}
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

// isStaff reports whether the member holds the configured staff role.
func (b *Bot) isStaff(i *discordgo.Interaction) bool {
	if b.cfg.StaffRole == "" || i.Member == nil {
		return false
	}
	for _, r := range i.Member.Roles {
		if r == b.cfg.StaffRole {
			return true
		}
	}
	return false
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
