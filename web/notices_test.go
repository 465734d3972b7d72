package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
)

const chatConv = "conversation-0123456789"

// noticeEnv is a test server whose tickets are a real store, with a ticket
// filed from the web chat conversation chatConv and dispatched.
func noticeEnv(t *testing.T) (*testEnv, *intake.Store, intake.Ticket) {
	t.Helper()
	var st *intake.Store
	te := newTestEnv(t, func(c *Config) {
		var err error
		st, err = intake.OpenStore(context.Background(), c.DB, intake.Config{}, func() time.Time { return fixedNow })
		if err != nil {
			t.Fatal(err)
		}
		c.Tickets = st
	})
	te.srv.notices.every, te.srv.notices.length = 20*time.Millisecond, 5*time.Second
	rt := intake.Route{Matched: true, LeadUnit: "区人社局", Measures: []string{"ind-07"}}
	tk, err := st.File(context.Background(), intake.NewTicket{Text: "招工难", ReporterKey: "web:" + chatConv, Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Move(context.Background(), tk.ID, intake.StatusDispatched, "坐席", ""); err != nil {
		t.Fatal(err)
	}
	return te, st, tk
}

type noticesBody struct {
	Notifications []noticeJSON `json:"notifications"`
}

func TestChatNotificationsPollAndAck(t *testing.T) {
	te, _, tk := noticeEnv(t)
	poll := func(q string) noticesBody {
		t.Helper()
		w := te.do(t, "GET", "/api/chat/notifications?conversation="+q, "", "", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("poll %s = %d %s", q, w.Code, w.Body)
		}
		var b noticesBody
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := poll(chatConv)
	if len(b.Notifications) != 1 || b.Notifications[0].TicketID != tk.ID || !strings.Contains(b.Notifications[0].Text, "已派给区人社局办理") {
		t.Fatalf("first poll = %+v, want the 派单 notification", b)
	}
	again := poll(chatConv)
	if len(again.Notifications) != 1 {
		t.Errorf("unacknowledged, it must come again: %+v", again)
	}
	id := b.Notifications[0].ID
	if n := poll(chatConv + "&after=" + itoa(id)); len(n.Notifications) != 0 {
		t.Errorf("after acknowledging %d: %+v", id, n)
	}
	if n := poll(chatConv); len(n.Notifications) != 0 {
		t.Errorf("acknowledged, it came again: %+v", n)
	}
	if n := poll("someone-else-012345678"); len(n.Notifications) != 0 {
		t.Errorf("another conversation sees %+v", n)
	}
	for _, bad := range []string{"short", chatConv + "&after=-1", chatConv + "&after=x"} {
		if w := te.do(t, "GET", "/api/chat/notifications?conversation="+bad, "", "", nil); w.Code != http.StatusBadRequest {
			t.Errorf("poll %q = %d, want 400", bad, w.Code)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestChatEventsStream(t *testing.T) {
	te, st, tk := noticeEnv(t)
	hs := httptest.NewServer(te.srv.Handler())
	defer hs.Close()
	req, _ := http.NewRequest("GET", hs.URL+"/api/chat/events?conversation="+chatConv, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type = %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev strings.Builder
		for sc.Scan() {
			if sc.Text() == "" {
				if strings.Contains(ev.String(), "event: notification") {
					events <- ev.String()
				}
				ev.Reset()
				continue
			}
			ev.WriteString(sc.Text() + "\n")
		}
		close(events)
	}()
	next := func() string {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("stream ended")
			}
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return ""
	}
	first := next()
	if !strings.Contains(first, tk.ID) || !strings.Contains(first, "已派") {
		t.Errorf("first event = %q", first)
	}
	// A move while the stream is open arrives on it.
	if _, err := st.Move(context.Background(), tk.ID, intake.StatusSigned, "区人社局", ""); err != nil {
		t.Fatal(err)
	}
	if e := next(); !strings.Contains(e, "已签收") {
		t.Errorf("second event = %q, want 签收", e)
	}
	// Shutdown ends the stream.
	te.srv.notices.shutdown()
	select {
	case _, ok := <-events:
		if ok {
			t.Error("an event after shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Error("the stream outlived shutdown")
	}
}
