package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"huiqi/intake"
)

// The web chat's ticket notifications (issue 17): what intake's outbox
// holds for a chat conversation (channel "web", address the conversation
// id), delivered on the chat's next poll or as server-sent events.
//
//	GET /api/chat/notifications?conversation=C&after=N → {"conversation","notifications":[…]}
//	GET /api/chat/events?conversation=C                → text/event-stream of "notification" events
//
// A notification is delivered once the widget acknowledges it: the poll's
// after=N records every notification up to N as delivered (the widget
// polls with the last id it showed), so one shown and then lost with its
// tab, or sent on a stream nobody read, comes again, and one acknowledged
// never does. The stream's Last-Event-ID is only its cursor. Each stream
// lasts under the server's write timeout and ends at shutdown; the
// browser's EventSource reconnects by itself.

// Notifications is what the chat needs of the outbox (*intake.Store; the
// server finds it on its Tickets).
type Notifications interface {
	PendingNotifications(ctx context.Context, channel, address string, after int64, max int) ([]intake.Notification, error)
	AckNotifications(ctx context.Context, channel, address string, upTo int64, now time.Time) error
}

type noticeJSON struct {
	ID       int64         `json:"id"`
	TicketID string        `json:"ticket_id"`
	Kind     string        `json:"kind"`
	Status   intake.Status `json:"status"`
	Title    string        `json:"title"`
	Text     string        `json:"text"`
	At       time.Time     `json:"at"`
}

func noticesJSON(ns []intake.Notification) []noticeJSON {
	out := make([]noticeJSON, 0, len(ns))
	for _, n := range ns {
		out = append(out, noticeJSON{ID: n.ID, TicketID: n.TicketID, Kind: n.Kind, Status: n.Status,
			Title: n.Title(), Text: n.Text(), At: n.CreatedAt})
	}
	return out
}

// noticeHub ends the event streams at shutdown and bounds how many run.
type noticeHub struct {
	once    sync.Once
	stop    chan struct{}
	streams atomic.Int64
	// every is how often a stream reads the outbox; length how long one
	// lasts (defaults 2 s and 45 s; tests shorten them).
	every, length time.Duration
}

func (h *noticeHub) stopping() <-chan struct{} {
	h.once.Do(func() { h.stop = make(chan struct{}) })
	return h.stop
}

// shutdown ends every stream (registered with the http.Server).
func (h *noticeHub) shutdown() {
	h.stopping()
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
}

const maxStreams = 1000

func (s *Server) outbox() (Notifications, bool) {
	n, ok := s.tickets.(Notifications)
	return n, ok
}

// chatConversation reads and checks ?conversation=.
func chatConversation(r *http.Request) (string, error) {
	c := r.URL.Query().Get("conversation")
	if !conversationID.MatchString(c) {
		return "", errorf(CodeInvalid, "会话编号格式不对（16 到 64 位字母、数字、-、_）")
	}
	return c, nil
}

func cursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf(CodeInvalid, "after 应为通知编号（非负整数）")
	}
	return n, nil
}

func (s *Server) apiChatNotifications(w http.ResponseWriter, r *http.Request) {
	conv, err := chatConversation(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	after, err := cursor(r.URL.Query().Get("after"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	out, ok := s.outbox()
	if !ok {
		writeError(w, r, s.log, errorf(CodeInternal, "工单通知暂不可用"))
		return
	}
	if err := out.AckNotifications(r.Context(), "web", conv, after, s.now()); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	ns, err := out.PendingNotifications(r.Context(), "web", conv, after, 50)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"conversation": conv, "notifications": noticesJSON(ns)})
}

func (s *Server) apiChatEvents(w http.ResponseWriter, r *http.Request) {
	conv, err := chatConversation(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	after, err := cursor(r.Header.Get("Last-Event-ID"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	out, ok := s.outbox()
	if !ok {
		writeError(w, r, s.log, errorf(CodeInternal, "工单通知暂不可用"))
		return
	}
	if s.notices.streams.Add(1) > maxStreams {
		s.notices.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		writeError(w, r, s.log, errorf(CodeRateLimited, "连接太多，请稍后再试"))
		return
	}
	defer s.notices.streams.Add(-1)
	every, length := s.notices.every, s.notices.length
	if every <= 0 {
		every = 2 * time.Second
	}
	if length <= 0 {
		length = 45 * time.Second // under the server's 60 s write timeout
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(length + 10*time.Second))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	end := time.NewTimer(length)
	defer end.Stop()
	for {
		ns, err := out.PendingNotifications(r.Context(), "web", conv, after, 50)
		if err != nil {
			s.log.WarnContext(r.Context(), "chat events", "err", err)
			return
		}
		for i, n := range noticesJSON(ns) {
			data, _ := json.Marshal(n) // plain strings and numbers: one line, never fails
			fmt.Fprintf(w, "id: %d\nevent: notification\ndata: %s\n\n", n.ID, data)
			after = ns[i].ID
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-tick.C:
		case <-end.C:
			return
		case <-r.Context().Done():
			return
		case <-s.notices.stopping():
			return
		}
	}
}
