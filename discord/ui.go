package discord

import (
	"sync"

	"github.com/bwmarrin/discordgo"
)

// A private dialog keeps one live set of buttons: when a newer message of
// the user's dialog carries buttons (a DM answered by typing, a follow-up),
// the buttons of the one before are disabled, so a stale 是/否 cannot be
// pressed. Updates in place (UPDATE_MESSAGE) need nothing: the message's
// buttons are replaced.

// uiRef is a message with buttons the bot sent: an interaction's (by its
// token: "@original" or a follow-up's id) or a channel's.
type uiRef struct {
	token, message string // interaction token and message ("@original", or an id)
	channel, id    string // a channel message; id is also set for an updated one
	comps          []discordgo.MessageComponent
	seq            int64 // the turn that sent it, in the engine's order
}

func (u *uiRef) same(o *uiRef) bool {
	if u.id != "" && u.id == o.id {
		return true
	}
	return u.token != "" && u.token == o.token && u.message == o.message
}

// uiLast is the last message with buttons per user.
type uiLast struct {
	mu sync.Mutex
	m  map[string]*uiRef
}

func newUILast() *uiLast { return &uiLast{m: map[string]*uiRef{}} }

// swap makes ref the user's live message and returns the one it
// supersedes; a ref older than the live one (its turn's messages went out
// late) is itself returned as superseded.
func (l *uiLast) swap(userID string, ref *uiRef) *uiRef {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 10000 { // a bound, not a policy
		clear(l.m)
	}
	prev := l.m[userID]
	if prev != nil && prev.seq > ref.seq {
		return ref
	}
	l.m[userID] = ref
	return prev
}

// forget drops the user's record when turn seq showed no buttons, unless
// a newer turn's message is live.
func (l *uiLast) forget(userID string, seq int64) *uiRef {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := l.m[userID]
	if prev == nil || prev.seq > seq {
		return nil
	}
	delete(l.m, userID)
	return prev
}

// showing records that ref is now the user's live dialog message and
// disables the buttons of the one it supersedes.
func (b *Bot) showing(s *discordgo.Session, userID string, ref *uiRef) {
	old := b.ui.swap(userID, ref)
	if old == nil || old.same(ref) && old != ref {
		return
	}
	b.disable(s, old)
}

// disable edits a message so that its buttons and menus can no longer be used.
func (b *Bot) disable(s *discordgo.Session, ref *uiRef) {
	comps := disabled(ref.comps)
	var err error
	switch {
	case ref.token != "":
		appID, _ := b.identity()
		_, err = s.WebhookMessageEdit(appID, ref.token, ref.message, &discordgo.WebhookEdit{Components: &comps})
	case ref.channel != "" && ref.id != "":
		_, err = s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: ref.id, Channel: ref.channel, Components: &comps})
	}
	if err != nil {
		b.log.Info("discord: disable old buttons", "err", err) // gone or expired: nothing to press anyway
	}
}

// disabled is a copy of comps with every button and menu disabled.
func disabled(comps []discordgo.MessageComponent) []discordgo.MessageComponent {
	out := make([]discordgo.MessageComponent, 0, len(comps))
	for _, c := range comps {
		switch v := c.(type) {
		case discordgo.ActionsRow:
			out = append(out, discordgo.ActionsRow{Components: disabled(v.Components)})
		case *discordgo.ActionsRow:
			out = append(out, discordgo.ActionsRow{Components: disabled(v.Components)})
		case discordgo.Button:
			v.Disabled = true
			out = append(out, v)
		case *discordgo.Button:
			b := *v
			b.Disabled = true
			out = append(out, b)
		case discordgo.SelectMenu:
			v.Disabled = true
			out = append(out, v)
		case *discordgo.SelectMenu:
			m := *v
			m.Disabled = true
			out = append(out, m)
		default:
			out = append(out, c)
		}
	}
	return out
}
