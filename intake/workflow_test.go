package intake

import (
	"fmt"
	"strings"
	"testing"
)

// TestNext is the workflow's answer to "what may a person do now", which
// every channel shows: written out here, not derived from Transitions.
func TestNext(t *testing.T) {
	tests := []struct {
		from Status
		want string // to/by, in order
	}{
		{StatusReceived, "已派单/平台坐席"},
		{StatusDispatched, "已签收/承办单位 退单/承办单位"},
		{StatusReturned, "已派单/平台坐席"},
		{StatusSigned, "办理中/承办单位 延期/承办单位"},
		{StatusHandling, "已办结/承办单位 延期/承办单位"},
		{StatusClosed, "已回访/平台坐席"},
		{StatusVisited, ""}, // the reopen after 不满意 is the system's
	}
	for _, tt := range tests {
		var got []string
		for _, tr := range tt.from.Next() {
			if tr.From != tt.from {
				t.Errorf("%s.Next() has a move from %s", tt.from, tr.From)
			}
			got = append(got, fmt.Sprintf("%s/%s", tr.To, tr.By))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%s.Next() = %q, want %q", tt.from, g, tt.want)
		}
	}
}

// TestStatusQuestions: re-routing and the sign deadline end when a unit
// accepts; an extension is possible between signing and closing; Allows
// agrees with Next.
func TestStatusQuestions(t *testing.T) {
	for _, s := range Statuses() {
		unsigned := s == StatusReceived || s == StatusDispatched || s == StatusReturned
		if s.CanReroute() != unsigned || s.Unsigned() != unsigned {
			t.Errorf("%s: CanReroute %v, Unsigned %v, want %v", s, s.CanReroute(), s.Unsigned(), unsigned)
		}
		if want := s == StatusSigned || s == StatusHandling; s.CanExtend() != want {
			t.Errorf("%s.CanExtend() = %v, want %v", s, s.CanExtend(), want)
		}
		for _, to := range append(Statuses(), Extend) {
			want := false
			for _, tr := range s.Next() {
				want = want || tr.To == to
			}
			if s.Allows(to) != want {
				t.Errorf("%s.Allows(%s) = %v, want %v", s, to, s.Allows(to), want)
			}
		}
	}
	if StatusVisited.Allows(StatusHandling) {
		t.Error("a person may reopen a rated ticket by hand; only a 不满意 rating reopens it")
	}
}

func TestNeedHint(t *testing.T) {
	for _, n := range []Need{NeedReason, NeedReply, NeedRating} {
		if n.Hint() == "" {
			t.Errorf("Need %d has no hint for people", n)
		}
	}
	if NeedNothing.Hint() != "" {
		t.Errorf("NeedNothing.Hint() = %q, want none", NeedNothing.Hint())
	}
}
