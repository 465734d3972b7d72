package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"huiqi/intake"
)

// addTickets gives the fake backend n more tickets of 区人社局, every
// seventh overdue.
func addTickets(te *testEnv, n int) {
	for i := range n {
		te.be.add(intake.Ticket{Summary: intake.Summary{ID: fmt.Sprintf("CQ-20261126-%04d", i+1), Status: intake.StatusDispatched,
			LeadUnit: "区人社局", CoUnits: []string{}, Mode: "分类", Due: day(2026, 12, 1+i%20), Overdue: i%7 == 0,
			CreatedAt: fixedNow}, Text: fmt.Sprintf("第%d件", i+1), Contact: "1380000"}, "S")
	}
}

// TestQueuePages: the staff API's queue comes in pages that together hold
// every ticket once, overdue first, each with the queue's totals; a bad
// cursor or limit is 400.
func TestQueuePages(t *testing.T) {
	te := newTestEnv(t, nil)
	addTickets(te, 117)
	tok, _ := te.login(t, "hl")
	seen := map[string]bool{}
	var order []intake.Ticket
	after, pages := "", 0
	for {
		w := te.do(t, "GET", "/api/staff/tickets?limit=50&after="+url.QueryEscape(after), "", "", bearer(tok))
		var page struct {
			Tickets []intake.Ticket `json:"tickets"`
			Next    string          `json:"next"`
		}
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &page) != nil {
			t.Fatalf("page %d = %d %s", pages, w.Code, w.Body)
		}
		pages++
		if len(page.Tickets) > 50 {
			t.Errorf("page %d: %d tickets, want at most 50", pages, len(page.Tickets))
		}
		for _, tk := range page.Tickets {
			if seen[tk.ID] {
				t.Errorf("%s on two pages", tk.ID)
			}
			seen[tk.ID] = true
			order = append(order, tk)
		}
		if page.Next == "" || pages > 5 {
			break
		}
		after = page.Next
	}
	if pages != 3 || len(seen) != 120 {
		t.Errorf("%d pages holding %d tickets, want 3 pages holding all 120", pages, len(seen))
	}
	for i := 1; i < len(order); i++ {
		if !order[i-1].Overdue && order[i].Overdue {
			t.Fatalf("overdue %s after %s, which is not", order[i].ID, order[i-1].ID)
		}
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "after=!!!"} {
		if w := te.do(t, "GET", "/api/staff/tickets?"+q, "", "", bearer(tok)); w.Code != 400 {
			t.Errorf("GET /api/staff/tickets?%s = %d, want 400", q, w.Code)
		}
	}
}

// TestConsolePages: the console's queue and review list show a page at a
// time with a link to the next, and the review runs its suggestions only
// for the questions on the page.
func TestConsoleListPages(t *testing.T) {
	te := newTestEnv(t, nil)
	addTickets(te, 117)
	for i := range 130 {
		te.be.RecordUnanswered(t.Context(), fmt.Sprintf("没人答过的问题%d", i))
	}
	b := newBrowser(t, te)
	b.signIn("hl")
	_, body := b.get("/console/tickets")
	if n := strings.Count(body, `data-label="工单编号"`); n != intake.DefaultPageSize || !strings.Contains(body, "本页 50 件") || !strings.Contains(body, `id="next-page"`) {
		t.Fatalf("queue page: %d rows, want %d and a next page", n, intake.DefaultPageSize)
	}
	rows := 0
	next := "/console/tickets"
	for range 5 {
		_, body = b.get(next)
		rows += strings.Count(body, `data-label="工单编号"`)
		m := strings.Index(body, `id="next-page" href="`)
		if m < 0 {
			break
		}
		rest := body[m+len(`id="next-page" href="`):]
		next = strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
	}
	if rows != 120 {
		t.Errorf("the queue's pages hold %d tickets, want 120", rows)
	}
	_, body = b.get("/console/unanswered")
	if n := strings.Count(body, `data-label="问题"`); n != intake.DefaultPageSize || !strings.Contains(body, "共 130 个") {
		t.Errorf("review page: %d questions, want %d of 130", n, intake.DefaultPageSize)
	}
	m := regexp.MustCompile(`id="next-page" href="(/console/unanswered\?after=[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the review list has no next page")
	}
	if _, second := b.get(strings.ReplaceAll(m[1], "&amp;", "&")); strings.Count(second, `data-label="问题"`) != intake.DefaultPageSize || !strings.Contains(second, "回到第一页") {
		t.Error("the second review page does not hold the next questions with a way back")
	}
}
