package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/notify"
)

// Notifier delivers the outbox's Discord notifications through the running
// bot's REST session: a DM to the reporting user, or a unit's targets
// (channel:ID, user:ID). It is a notify.Sender and a notify.Checker.
//
// Against duplicates: every message carries a nonce made of the outbox
// row's id with enforce_nonce, which Discord deduplicates for a few
// minutes, and a footer naming the row (通知 #id); a notification whose
// earlier attempt went unrecorded is first looked for among the channel's
// latest messages (Delivered), beyond the nonce's window.
type Notifier struct{ b *Bot }

// Notifier is the bot's notify.Sender for channel "discord".
func (b *Bot) Notifier() *Notifier { return &Notifier{b: b} }

var (
	_ notify.Sender  = (*Notifier)(nil)
	_ notify.Checker = (*Notifier)(nil)
)

// Channel implements notify.Sender.
func (*Notifier) Channel() string { return "discord" }

// errNotRunning: the bot is not connected (yet, or any more).
var errNotRunning = errors.New("discord: the bot is not running")

func (n *Notifier) session() (*discordgo.Session, error) {
	n.b.mu.Lock()
	defer n.b.mu.Unlock()
	if n.b.live == nil {
		return nil, notify.Unavailable(errNotRunning)
	}
	return n.b.live, nil
}

// mark names the outbox row in the message, for Delivered.
func mark(nt intake.Notification) string { return "通知 #" + strconv.FormatInt(nt.ID, 10) }

// nonce is the message nonce of the row (Discord allows 25 characters).
func nonce(nt intake.Notification) string { return "huiqi-n-" + strconv.FormatInt(nt.ID, 10) }

// channelOf is the channel the notification goes to.
func (n *Notifier) channelOf(ctx context.Context, s *discordgo.Session, nt intake.Notification) (string, error) {
	user := nt.Address
	if nt.Audience == intake.AudienceUnit {
		kind, id, _ := strings.Cut(nt.Address, ":")
		switch kind {
		case "channel":
			return id, nil
		case "user":
			user = id
		default:
			return "", notify.Permanent(fmt.Errorf("discord: unit target %q is not channel:ID or user:ID", nt.Address))
		}
	}
	ch, err := s.UserChannelCreate(user, discordgo.WithContext(ctx))
	if err != nil {
		if errors.Is(err, errStopping) {
			return "", notify.Unavailable(err)
		}
		return "", permanentIf(err) // no message was sent: a plain retry
	}
	return ch.ID, nil
}

// message is a channel message with the nonce fields discordgo v0.29's
// MessageSend lacks.
type message struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
}

// render lays the notification out as an embed: intake's title and text,
// and the way to stop them for a reporter.
func render(nt intake.Notification) *discordgo.MessageEmbed {
	footer := mark(nt)
	if nt.Audience == intake.AudienceReporter {
		footer += " · 不想再收到通知，输入 /notify 选择关闭"
	}
	return buildEmbed(&bot.Card{Title: nt.Title(), Body: nt.Text(), Footer: footer})
}

// Send implements notify.Sender.
func (n *Notifier) Send(ctx context.Context, nt intake.Notification) (string, error) {
	s, err := n.session()
	if err != nil {
		return "", err
	}
	ch, err := n.channelOf(ctx, s, nt)
	if err != nil {
		return "", err
	}
	body := message{Embeds: []*discordgo.MessageEmbed{render(nt)}, AllowedMentions: noMentions(),
		Nonce: nonce(nt), EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(ch)
	resp, err := s.RequestWithBucketID("POST", endpoint, body, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		var rl *RateLimitedError
		switch {
		case errors.Is(err, errStopping):
			return "", notify.Unavailable(err) // stopped before sending
		case errors.As(err, &re), errors.As(err, &rl):
			return "", permanentIf(err) // Discord answered: it was not created
		}
		return "", notify.MaybeSent(err) // sent, perhaps, and the answer lost
	}
	var m discordgo.Message
	if err := json.Unmarshal(resp, &m); err != nil || m.ID == "" {
		return "", fmt.Errorf("discord: notification sent, but the answer has no message id: %s", clip(string(resp), 200))
	}
	return m.ID, nil
}

// Delivered implements notify.Checker: whether the channel's latest
// messages hold the notification's mark.
func (n *Notifier) Delivered(ctx context.Context, nt intake.Notification) (string, bool, error) {
	s, err := n.session()
	if err != nil {
		return "", false, err
	}
	ch, err := n.channelOf(ctx, s, nt)
	if err != nil {
		return "", false, err
	}
	msgs, err := s.ChannelMessages(ch, 50, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return "", false, err
	}
	_, botID := n.b.identity()
	want := mark(nt)
	for _, m := range msgs {
		if m.Author != nil && botID != "" && m.Author.ID != botID {
			continue
		}
		for _, e := range m.Embeds {
			if e.Footer != nil && (e.Footer.Text == want || strings.HasPrefix(e.Footer.Text, want+" ")) {
				return m.ID, true, nil
			}
		}
	}
	return "", false, nil
}

// permanentIf marks the errors no retry fixes: the user does not accept
// DMs from the bot (50007), the channel or user is unknown (10003, 10013),
// the bot may not post there (50001, 50013), or a plain 403/404.
func permanentIf(err error) error {
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		return err
	}
	if re.Message != nil {
		switch re.Message.Code {
		case discordgo.ErrCodeCannotSendMessagesToThisUser, discordgo.ErrCodeUnknownChannel, discordgo.ErrCodeUnknownUser,
			discordgo.ErrCodeMissingAccess, discordgo.ErrCodeMissingPermissions:
			return notify.Permanent(err)
		}
	}
	if re.Response != nil && (re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
		return notify.Permanent(err)
	}
	return err
}
