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

// Hint says in Chinese what the note of a move must hold ("" when nothing).
func (n Need) Hint() string {
	switch n {
	case NeedReason:
		return "请在办理说明里写明原因"
	case NeedReply:
		return "请在办理说明里写给企业的答复"
	case NeedRating:
		return "办理说明以 满意 / 基本满意 / 不满意 开头，可再加意见"
	}
	return ""
}

// Actor is who makes a move.
type Actor string

// The actors of the workflow.
const (
	ActorDesk   Actor = "平台坐席" // the platform desk and the hotline
	ActorUnit   Actor = "承办单位" // the lead unit handling the ticket
	ActorSystem Actor = "系统"   // huiqi itself (the reopen after 不满意); nobody makes it by hand
)

// Transition is one allowed move of the workflow.
type Transition struct {
	From, To Status
	Need     Need
	By       Actor
}

// Transitions is the workflow as a table; any move not listed is refused
// with ErrBadMove. A 不满意 rating reopens the ticket: after the 已回访
// event the store records an automatic 已回访 → 办理中 move (the same unit
// works on it again with a fresh close deadline) — we reopen to 办理中
// rather than 已派单 because the unit already accepted the matter; if it
// was the wrong unit, staff re-route it. 延期 is not a state and not in the
// table: see Status.CanExtend.
func Transitions() []Transition {
	return []Transition{
		{StatusReceived, StatusDispatched, NeedNothing, ActorDesk},
		{StatusDispatched, StatusSigned, NeedNothing, ActorUnit},
		{StatusDispatched, StatusReturned, NeedReason, ActorUnit},
		{StatusReturned, StatusDispatched, NeedNothing, ActorDesk},
		{StatusSigned, StatusHandling, NeedNothing, ActorUnit},
		{StatusHandling, StatusClosed, NeedReply, ActorUnit},
		{StatusClosed, StatusVisited, NeedRating, ActorDesk},
		{StatusVisited, StatusHandling, NeedNothing, ActorSystem},
	}
}

// Next lists the moves people may make from s, in the table's order, with
// 延期 (by the unit, with a reason) where s allows it. The automatic
// moves are not among them.
func (s Status) Next() []Transition {
	var out []Transition
	for _, t := range Transitions() {
		if t.From == s && t.By != ActorSystem {
			out = append(out, t)
		}
	}
	if s.CanExtend() {
		out = append(out, Transition{From: s, To: Extend, Need: NeedReason, By: ActorUnit})
	}
	return out
}

// Allows reports whether a person may move a ticket in state s to to.
func (s Status) Allows(to Status) bool {
	for _, t := range s.Next() {
		if t.To == to {
			return true
		}
	}
	return false
}

// awaitsDispatch reports whether a ticket in state s waits for the desk
// to dispatch it (filed, or sent back by a unit).
func awaitsDispatch(s Status) bool { return s.Allows(StatusDispatched) }

// Unsigned reports whether no unit has accepted a ticket in state s yet:
// its sign deadline applies.
func (s Status) Unsigned() bool {
	return s == StatusReceived || s == StatusDispatched || s == StatusReturned
}

// CanReroute reports whether staff may still send a ticket in state s to
// other units: until a unit has accepted it.
func (s Status) CanReroute() bool { return s.Unsigned() }

// CanExtend reports whether a ticket in state s may get an extension
// (延期): after the unit signed and before it closed.
func (s Status) CanExtend() bool { return s == StatusSigned || s == StatusHandling }

// Statuses lists the states in workflow order.
func Statuses() []Status {
	return []Status{StatusReceived, StatusDispatched, StatusSigned, StatusReturned, StatusHandling, StatusClosed, StatusVisited}
}

// StatusNames lists the states and 延期, in workflow order, joined by sep.
func StatusNames(sep string) string {
	var names []string
	for _, s := range append(Statuses(), Extend) {
		names = append(names, string(s))
	}
	return strings.Join(names, sep)
}

// ParseStatus accepts a state name (or 延期) as a person types it.
func ParseStatus(s string) (Status, error) {
	s = strings.TrimSpace(s)
	for _, st := range append(Statuses(), Extend) {
		if s == string(st) {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w: 未知状态 %q(可用:%s)", ErrInvalid, s, StatusNames("、"))
}

// lookupMove finds the move from → to a person may make (not 延期, which
// Store.Extend makes).
func lookupMove(from, to Status) (Transition, bool) {
	for _, t := range from.Next() {
		if t.To == to && to != Extend {
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
