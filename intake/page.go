package intake

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Page asks for one page of a staff list: at most Limit items (default
// DefaultPageSize, at most MaxPageSize) after the cursor the previous
// page returned as Next ("" for the first page). Pages are keyset pages:
// each costs what it returns, and a ticket filed or moved between two
// pages neither repeats nor hides the others.
type Page struct {
	After string
	Limit int
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// TicketPage is one page of tickets; Next is the cursor of the next page,
// "" after the last.
type TicketPage struct {
	Tickets []Ticket `json:"tickets"`
	Next    string   `json:"next,omitempty"`
}

// QuestionPage is one page of unanswered questions.
type QuestionPage struct {
	Questions []Unanswered `json:"questions"`
	Next      string       `json:"next,omitempty"`
}

// errCursor is a cursor that no page returned.
var errCursor = fmt.Errorf("%w: 翻页参数无效，请从第一页重新查看", ErrInvalid)

// A cursor is the sort key of the last item of a page, its fields joined
// by a byte no field holds and base64-encoded: opaque to callers, cheap to
// check.
const cursorSep = "\x1f"

func encodeCursor(fields ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, cursorSep)))
}

// decodeCursor splits a cursor into n fields; "" is the start (nil).
func decodeCursor(c string, n int) ([]string, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 1000 {
		return nil, errCursor
	}
	f := strings.Split(string(b), cursorSep)
	if len(f) != n {
		return nil, errCursor
	}
	return f, nil
}

// queueCursor is where a queue page ends: the phase (0 overdue, 1 the
// rest), the deadline and the id of its last ticket.
type queueCursor struct {
	phase   int
	due, id string
}

func (c queueCursor) String() string { return encodeCursor(strconv.Itoa(c.phase), c.due, c.id) }

func parseQueueCursor(s string) (queueCursor, error) {
	f, err := decodeCursor(s, 3)
	if err != nil || f == nil {
		return queueCursor{}, err
	}
	phase, err := strconv.Atoi(f[0])
	if err != nil || phase < 0 || phase > 1 {
		return queueCursor{}, errCursor
	}
	return queueCursor{phase: phase, due: f[1], id: f[2]}, nil
}
