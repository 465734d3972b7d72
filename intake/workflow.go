package intake

import (
	"fmt"
	"strings"
)

// Status is a ticket's state, named as 12345 hotline tickets name them.
type Status string

// The states of a ticket.
const (
	StatusReceived   Status = "已受理" // filed; waits for the platform desk to dispatch
	StatusDispatched Status = "已派单" // sent to the lead unit; waits for it to sign
	StatusSigned     Status = "已签收" // the unit accepted it
	StatusReturned   Status = "退单"  // the unit sent it back (职能不符…); the desk re-dispatches
	StatusHandling   Status = "办理中" // the unit is working on it
	StatusClosed     Status = "已办结" // the unit replied to the enterprise
	StatusVisited    Status = "已回访" // the enterprise rated the reply
)

// Extend is the pseudo-status of an extension (延期): not a state, a move
// that keeps the state and pushes the deadline (see Store.Extend).
const Extend Status = "延期"

// Ratings given at the return visit (回访).
const (
	RatingSatisfied   = "满意"
	RatingFair        = "基本满意"
	RatingUnsatisfied = "不满意"
)

// Need is what a move must carry in its note.
type Need int

// What a move needs.
const (
	NeedNothing Need = iota
	NeedReason       // 退单, 延期: why
	NeedReply        // 已办结: the reply to the enterprise
	NeedRating       // 已回访: 满意 / 基本满意 / 不满意, then an optional comment
)

// Transition is one allowed move of the workflow.
type Transition struct {
	From, To Status
	Need     Need
	Who      string // who normally makes it (documentation for the console)
}

// Transitions is the workflow as a table; any move not listed is refused
// with ErrBadMove. A 不满意 rating reopens the ticket: after the 已回访
// event the store records an automatic 已回访 → 办理中 move (the same unit
// works on it again with a fresh close deadline) — we reopen to 办理中
// rather than 已派单 because the unit already accepted the matter; if it
// was the wrong unit, staff re-route it.
func Transitions() []Transition {
	return []Transition{
		{StatusReceived, StatusDispatched, NeedNothing, "平台坐席"},
		{StatusDispatched, StatusSigned, NeedNothing, "承办单位"},
		{StatusDispatched, StatusReturned, NeedReason, "承办单位"},
		{StatusReturned, StatusDispatched, NeedNothing, "平台坐席"},
		{StatusSigned, StatusHandling, NeedNothing, "承办单位"},
		{StatusHandling, StatusClosed, NeedReply, "承办单位"},
		{StatusClosed, StatusVisited, NeedRating, "平台坐席"},
		{StatusVisited, StatusHandling, NeedNothing, "系统(不满意时自动重办)"},
	}
}

// Statuses lists the states in workflow order.
func Statuses() []Status {
	return []Status{StatusReceived, StatusDispatched, StatusSigned, StatusReturned, StatusHandling, StatusClosed, StatusVisited}
}

// ParseStatus accepts a state name (or 延期) as a person types it.
func ParseStatus(s string) (Status, error) {
	s = strings.TrimSpace(s)
	for _, st := range append(Statuses(), Extend) {
		if s == string(st) {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w: 未知状态 %q(可用:已受理、已派单、已签收、退单、办理中、已办结、已回访、延期)", ErrInvalid, s)
}

// lookupMove finds the transition from → to; the automatic reopen
// (已回访 → 办理中) is not available by hand.
func lookupMove(from, to Status) (Transition, bool) {
	if from == StatusVisited && to == StatusHandling {
		return Transition{}, false
	}
	for _, t := range Transitions() {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}

// Open reports whether the ticket still needs work (deadlines apply).
func (s Status) Open() bool { return s != StatusClosed && s != StatusVisited }

// ParseRating splits a 回访 note into its rating and the comment after it.
func ParseRating(note string) (rating, comment string, err error) {
	n := strings.TrimSpace(note)
	// 基本满意 and 不满意 both contain 满意: check the longer ones first.
	for _, r := range []string{RatingFair, RatingUnsatisfied, RatingSatisfied} {
		if strings.HasPrefix(n, r) {
			c := strings.TrimLeft(strings.TrimPrefix(n, r), " :,;。\uFF1A\uFF0C\uFF1B")
			return r, c, nil
		}
	}
	return "", "", fmt.Errorf("%w: 回访须以评价开头:满意、基本满意或不满意", ErrBadMove)
}
