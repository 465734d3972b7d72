package wechat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"huiqi/intake"
	"huiqi/notify"
)

// The outbox's senders (package notify): the follower who filed a ticket
// through the official account is told of its moves (channel "wechat",
// address the OpenID), and a unit's WeChat Work group of new tickets and
// deadlines about to pass (channel "wecom", address the unit's canonical
// name; its robot's webhook stays in this process's configuration, out of
// the database). Neither can ask WeChat what it already sent, so neither
// is a notify.Checker: a process that dies between WeChat's acceptance and
// the outbox's record may send that one notification twice.

// WeComChannel is the outbox channel of the unit alerts to WeChat Work
// group robots.
const WeComChannel = "wecom"

// NoticeSender is the notify.Sender of the notices to followers.
type NoticeSender struct{ client *Client }

// NewNoticeSender sends notices with c (Server.Client).
func NewNoticeSender(c *Client) *NoticeSender { return &NoticeSender{client: c} }

// Channel is the channel of the reporters' conversation keys, wechat.
func (s *NoticeSender) Channel() string { return Channel }

// Send tells the follower n.Address of the move, as the configured
// template or subscribe message or as customer-service text. A follower
// WeChat will never let the account reach (unfollowed, refused the
// subscription, silent for 48 hours with no template) is permanent.
func (s *NoticeSender) Send(ctx context.Context, n intake.Notification) (string, error) {
	if n.Audience != intake.AudienceReporter {
		return "", notify.Permanent(fmt.Errorf("wechat: a %s notification in channel %s: units are told in %s", n.Audience, Channel, WeComChannel))
	}
	receipt, err := s.client.SendTicketNotice(ctx, n.Address, NoticeOf(n))
	return receipt, outboxErr(err)
}

// RobotSender is the notify.Sender of the unit alerts to WeChat Work
// group robots.
type RobotSender struct {
	robot *WeComRobot
	hooks Webhooks
}

// NewRobotSender sends unit alerts with robot to the units' webhooks.
func NewRobotSender(robot *WeComRobot, hooks Webhooks) *RobotSender {
	return &RobotSender{robot: robot, hooks: hooks}
}

// Channel is WeComChannel.
func (s *RobotSender) Channel() string { return WeComChannel }

// Targets are the outbox's unit targets of this channel: each unit with
// a robot, addressed by its canonical name (intake.Store.SetUnitTargets).
func (s *RobotSender) Targets() map[string][]string {
	out := make(map[string][]string, len(s.hooks))
	for unit := range s.hooks {
		out[unit] = []string{unit}
	}
	return out
}

// Send posts the alert to the group of the unit n.Address. A unit whose
// robot is no longer configured, or a webhook WeChat Work does not know,
// is permanent; a robot over its 20 messages a minute is retried.
func (s *RobotSender) Send(ctx context.Context, n intake.Notification) (string, error) {
	hook, ok := s.hooks.For(n.Address)
	if !ok {
		return "", notify.Permanent(fmt.Errorf("wechat: no WeChat Work robot for %s (set %s)", n.Address, WebhookEnvName(n.Address)))
	}
	if err := s.robot.Send(ctx, hook, RobotText(n)); err != nil {
		return "", outboxErr(err)
	}
	return "robot", nil
}

// RobotText is a unit alert as a robot's text: intake's one wording,
// which begins with the ticket and what happened to it.
func RobotText(n intake.Notification) string { return strings.TrimSpace(n.Text()) }

// outboxErr marks the errors no retry can fix as notify's permanent ones.
func outboxErr(err error) error {
	var ae *APIError
	if err != nil && errors.As(err, &ae) && (ae.Permanent() || ae.Code == 93000) {
		return notify.Permanent(err)
	}
	return err
}
