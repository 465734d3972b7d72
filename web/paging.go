package web

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"huiqi/intake"
)

// Every staff list comes in pages: the queue, the unanswered questions, in
// the console and in the staff API. A page is asked for with ?after=CURSOR
// (the next of the page before; none for the first) and ?limit=N, and the
// cursor is the sort key of the page's last item, so an item filed or
// moved between two pages neither repeats nor hides the others.
//
// The pages are cut here from the store's whole lists; intake's keyset
// pages (issue 19) will take their place behind the same cursors.

// Page sizes.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

type pageReq struct {
	after string
	limit int
}

var errCursor = &Error{Code: CodeInvalid, Message: "翻页参数无效，请从第一页重新查看"}

// pageOf reads ?after and ?limit.
func pageOf(q url.Values) (pageReq, error) {
	p := pageReq{after: q.Get("after"), limit: defaultPageSize}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			return pageReq{}, errorf(CodeInvalid, "limit 应在 1 到 %d 之间", maxPageSize)
		}
		p.limit = n
	}
	if len(p.after) > 512 {
		return pageReq{}, errCursor
	}
	return p, nil
}

// A cursor is the sort key's fields joined by a byte no field holds,
// base64url-encoded: opaque to clients, cheap to check.
const cursorSep = "\x1f"

func encodeCursor(fields ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, cursorSep)))
}

func decodeCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, errCursor
	}
	f := strings.Split(string(b), cursorSep)
	if len(f) != n {
		return nil, errCursor
	}
	return f, nil
}

// queueKey is a ticket's place in a queue: overdue first, then the nearest
// deadline, then the id.
func queueKey(t intake.Ticket) []string {
	o := "1"
	if t.Overdue {
		o = "0"
	}
	return []string{o, t.Due.String(), t.ID}
}

func lessKey(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// ticketPage is one page of a queue, with the whole queue's counts.
type ticketPage struct {
	Tickets []intake.Ticket
	Next    string
	Total   int
	Overdue int
}

// pageTickets sorts ts as a queue and cuts the page p asks for.
func pageTickets(ts []intake.Ticket, p pageReq) (ticketPage, error) {
	sort.SliceStable(ts, func(i, j int) bool { return lessKey(queueKey(ts[i]), queueKey(ts[j])) })
	tp := ticketPage{Total: len(ts)}
	for _, t := range ts {
		if t.Overdue {
			tp.Overdue++
		}
	}
	start := 0
	if p.after != "" {
		after, err := decodeCursor(p.after, 3)
		if err != nil {
			return ticketPage{}, err
		}
		start = sort.Search(len(ts), func(i int) bool { return lessKey(after, queueKey(ts[i])) })
	}
	end := min(start+p.limit, len(ts))
	tp.Tickets = ts[start:end]
	if end < len(ts) && end > start {
		tp.Next = encodeCursor(queueKey(ts[end-1])...)
	}
	return tp, nil
}

// questionPage is one page of the questions waiting for review.
type questionPage struct {
	Questions []Question
	Next      string
	Total     int
}

func pageQuestions(qs []Question, p pageReq) (questionPage, error) {
	// The most asked first, then the most recent, then the id.
	key := func(q Question) []string {
		return []string{pad(int64(1<<31-1-q.Count), 10), pad(1<<62-q.At.UnixNano(), 19), q.ID}
	}
	sort.SliceStable(qs, func(i, j int) bool { return lessKey(key(qs[i]), key(qs[j])) })
	qp := questionPage{Total: len(qs)}
	start := 0
	if p.after != "" {
		after, err := decodeCursor(p.after, 3)
		if err != nil {
			return questionPage{}, err
		}
		start = sort.Search(len(qs), func(i int) bool { return lessKey(after, key(qs[i])) })
	}
	end := min(start+p.limit, len(qs))
	qp.Questions = qs[start:end]
	if end < len(qs) && end > start {
		qp.Next = encodeCursor(key(qs[end-1])...)
	}
	return qp, nil
}

// pad writes n in decimal, zero-padded to width, so keys compare as numbers.
func pad(n int64, width int) string {
	s := strconv.FormatInt(max(n, 0), 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}
