package bot

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"huiqi/intake"
)

// Ticket notifications as a conversation sees them: "/notify off" (关闭通知)
// and "/notify on" (开启通知) turn them off and on for the conversation's
// key, and a channel without a push of its own (the terminal) shows the
// waiting ones when the conversation opens. The outbox is intake's; the
// engine reaches it through its Tickets when they have it (*intake.Store).

// Notices turns a reporter's notifications on and off.
type Notices interface {
	SetNotify(ctx context.Context, reporterKey string, on bool) error
	NotifyOn(ctx context.Context, reporterKey string) (bool, error)
}

// pulled are the notifications a channel fetches itself.
type pulled interface {
	PendingNotifications(ctx context.Context, channel, address string, after int64, max int) ([]intake.Notification, error)
}

func (t *turn) notify(cmd, arg string) []Reply {
	n, ok := t.e.d.Tickets.(Notices)
	if !ok {
		return []Reply{{Text: "工单通知暂不可用。", Private: true}}
	}
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "off", "关", "关闭", "0", "no":
		cmd = "notify-off"
	case "on", "开", "开启", "打开", "1", "yes":
		cmd = "notify-on"
	}
	k := t.key.String()
	switch cmd {
	case "notify-off", "notify-on":
		on := cmd == "notify-on"
		if err := n.SetNotify(t.ctx, k, on); err != nil {
			return t.fail("set notify", err)
		}
		if on {
			return []Reply{{Text: "好的，已开启工单进度通知：您提交的工单有进展时（派单、签收、办结等），我会在这里告诉您。", Private: true}}
		}
		return []Reply{{Text: "好的，已关闭工单进度通知，不再主动告知办理进度；随时可以输入“查进度”查询。输入“开启通知”可恢复。", Private: true}}
	}
	on, err := n.NotifyOn(t.ctx, k)
	if err != nil {
		return t.fail("notify preference", err)
	}
	if on {
		return []Reply{{Text: "工单进度通知：已开启。输入“关闭通知”可停止。", Private: true}}
	}
	return []Reply{{Text: "工单进度通知：已关闭。输入“开启通知”可恢复。", Private: true}}
}

// showNotifications writes the conversation's waiting notifications (the
// terminal's "on next start"), then records them as delivered: a crash in
// between shows them again next time, never loses them.
func (e *Engine) showNotifications(ctx context.Context, w io.Writer, key Key) {
	p, ok := e.d.Tickets.(interface {
		pulled
		AckNotifications(ctx context.Context, channel, address string, upTo int64, now time.Time) error
	})
	if !ok {
		return
	}
	ns, err := p.PendingNotifications(ctx, key.Channel, key.User, 0, 50)
	if err != nil {
		e.d.Log.Warn("bot: pending notifications", "key", key.String(), "err", err)
		return
	}
	if len(ns) == 0 {
		return
	}
	fmt.Fprintf(w, "\n您有%d条工单进度通知：\n", len(ns))
	for _, n := range ns {
		renderReply(w, Reply{Card: &Card{Title: n.Title(), Body: n.Text()}})
	}
	if f, ok := w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return // not shown: they stay pending
		}
	}
	if err := p.AckNotifications(ctx, key.Channel, key.User, ns[len(ns)-1].ID, e.d.Now()); err != nil {
		e.d.Log.Warn("bot: acknowledge notifications", "key", key.String(), "err", err)
	}
}
