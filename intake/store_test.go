package intake

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is the tests' clock: 2026-11-27 10:00 China time (a Friday).
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

// clock is a settable test clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newClock() *clock               { return &clock{t: fixedNow} }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

var testRoute = Route{Matched: true, Measures: []string{"ind-07"}, LeadUnit: "区人社局", CoUnits: []string{}, Mode: ModeByKind, Confidence: 0.9}

func fileOne(tb testing.TB, st *Store, text string) Ticket {
	tb.Helper()
	rt := testRoute
	t, err := st.File(context.Background(), NewTicket{Text: text, Enterprise: "某某公司", Contact: "王经理", ReporterKey: "terminal:1", Route: &rt})
	if err != nil {
		tb.Fatalf("File(%q) error = %v", text, err)
	}
	return t
}

func TestFile(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	a := fileOne(t, st, "企业招不到技术工人")
	b := fileOne(t, st, "第二个问题")
	newID := regexp.MustCompile(`^CQ-20261127-\d{8}$`)
	if !newID.MatchString(a.ID) || !newID.MatchString(b.ID) || a.ID == b.ID {
		t.Errorf("File ids = %s, %s, want two CQ-20261127- and 8 digits", a.ID, b.ID)
	}
	if a.Status != StatusReceived || a.Due.String() != "2026-12-04" || a.SignDue.String() != "2026-11-30" {
		t.Errorf("File() = status %s due %s sign %s, want 已受理 2026-12-04 2026-11-30", a.Status, a.Due, a.SignDue)
	}
	if len(a.Secret) != 10 {
		t.Errorf("File().Secret = %q, want 10 characters", a.Secret)
	}
	got, err := st.Get(ctx, a.ID)
	if err != nil {
		t.Fatalf("Get(%q) error = %v", a.ID, err)
	}
	if got.Secret != "" {
		t.Errorf("Get(%q).Secret = %q, want it never stored in clear", a.ID, got.Secret)
	}
	want := a
	want.Secret = ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get(%q) = %+v, want %+v", a.ID, got, want)
	}
	var hash string
	if err := st.db.QueryRow(st.d.bind(`SELECT secret_hash FROM intake_tickets WHERE id = ?`), a.ID).Scan(&hash); err != nil || strings.Contains(hash, a.Secret) {
		t.Errorf("stored secret_hash = %q (err %v), want a hash", hash, err)
	}
	if _, err := st.Get(ctx, "CQ-20261127-9999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
	}
	// The JSON has the cli.md fields.
	var m map[string]any
	js, _ := json.Marshal(got)
	json.Unmarshal(js, &m)
	for _, k := range []string{"id", "status", "lead_unit", "co_units", "measures", "mode", "due", "overdue", "events", "created_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("ticket JSON lacks %q: %s", k, js)
		}
	}
	if m["created_at"] != "2026-11-27T10:00:00+08:00" {
		t.Errorf("created_at = %v, want 2026-11-27T10:00:00+08:00", m["created_at"])
	}
}

func TestFileInvalid(t *testing.T) {
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tests := []struct {
		name string
		in   NewTicket
	}{
		{"empty", NewTicket{Text: "  "}},
		{"too long", NewTicket{Text: strings.Repeat("长", maxTextRunes+1)}},
		{"bad utf8", NewTicket{Text: "问题\xff"}},
		{"long enterprise", NewTicket{Text: "问题", Enterprise: strings.Repeat("企", 201)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.File(context.Background(), tt.in)
			var ii interface{ InvalidInput() bool }
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ii) {
				t.Errorf("File(%s) error = %v, want ErrInvalid", tt.name, err)
			}
		})
	}
	var n int
	st.db.QueryRow(`SELECT COUNT(*) FROM intake_tickets`).Scan(&n)
	if n != 0 {
		t.Errorf("after refused filings %d tickets stored, want 0", n)
	}
}

func TestFileUnroutedGoesToDesk(t *testing.T) {
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk, err := st.File(context.Background(), NewTicket{Text: "有个事想反映"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Matched || tk.LeadUnit != "区中小企业发展中心" || tk.Mode != ModeByKind || len(tk.CoUnits) != 0 {
		t.Errorf("File(unrouted) = matched %v lead %s mode %s co %v, want the desk", tk.Matched, tk.LeadUnit, tk.Mode, tk.CoUnits)
	}
	js, _ := json.Marshal(tk)
	if !strings.Contains(string(js), `"co_units":[]`) || !strings.Contains(string(js), `"measures":[]`) {
		t.Errorf("JSON %s: want empty lists, not null", js)
	}
}

// walk drives a new ticket to state s along the workflow.
// walked numbers the tickets walk files, so that none is a duplicate of
// another (the store folds the same text from one reporter).
var walked int

func walk(t *testing.T, st *Store, s Status) Ticket {
	t.Helper()
	ctx := context.Background()
	walked++
	tk := fileOne(t, st, fmt.Sprintf("问题%d:%s", walked, s))
	path := map[Status][]struct {
		to   Status
		note string
	}{
		StatusReceived:   nil,
		StatusDispatched: {{StatusDispatched, ""}},
		StatusSigned:     {{StatusDispatched, ""}, {StatusSigned, ""}},
		StatusReturned:   {{StatusDispatched, ""}, {StatusReturned, "职能不符"}},
		StatusHandling:   {{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}},
		StatusClosed:     {{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已协调解决"}},
		StatusVisited:    {{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已协调解决"}, {StatusVisited, "满意"}},
	}[s]
	for _, p := range path {
		var err error
		if tk, err = st.Move(ctx, tk.ID, p.to, "测试员", p.note); err != nil {
			t.Fatalf("walk to %s: Move(%s) error = %v", s, p.to, err)
		}
	}
	if tk.Status != s {
		t.Fatalf("walk(%s) ended in %s", s, tk.Status)
	}
	return tk
}

// TestMoves tries every state against every target: the allowed set is
// written out here (not derived from Transitions) so the table is checked.
func TestMoves(t *testing.T) {
	allowed := map[[2]Status]string{ // from,to -> a note that satisfies the move
		{StatusReceived, StatusDispatched}: "",
		{StatusDispatched, StatusSigned}:   "",
		{StatusDispatched, StatusReturned}: "职能不符",
		{StatusReturned, StatusDispatched}: "",
		{StatusSigned, StatusHandling}:     "",
		{StatusHandling, StatusClosed}:     "已办理,答复如下",
		{StatusClosed, StatusVisited}:      "基本满意",
	}
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			note, ok := allowed[[2]Status{from, to}]
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				tk := walk(t, st, from)
				if !ok {
					note = "随便写点"
				}
				got, err := st.Move(ctx, tk.ID, to, "测试员", note)
				if ok {
					if err != nil || got.Status != to || len(got.Events) != len(tk.Events)+1 {
						t.Errorf("Move(%s→%s) = %s, %d events, %v; want %s, one event more", from, to, got.Status, len(got.Events), err, to)
					}
					return
				}
				assertRefused(t, st, tk, err)
			})
		}
	}
	// Moves that need a note are refused without one.
	for _, tt := range []struct{ from, to Status }{
		{StatusDispatched, StatusReturned}, {StatusHandling, StatusClosed}, {StatusClosed, StatusVisited},
	} {
		t.Run(fmt.Sprintf("%s→%s without note", tt.from, tt.to), func(t *testing.T) {
			tk := walk(t, st, tt.from)
			_, err := st.Move(ctx, tk.ID, tt.to, "测试员", "")
			assertRefused(t, st, tk, err)
		})
	}
	t.Run("bad rating", func(t *testing.T) {
		tk := walk(t, st, StatusClosed)
		_, err := st.Move(ctx, tk.ID, StatusVisited, "测试员", "还行吧")
		assertRefused(t, st, tk, err)
	})
	t.Run("no by", func(t *testing.T) {
		tk := walk(t, st, StatusReceived)
		if _, err := st.Move(ctx, tk.ID, StatusDispatched, " ", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("Move without by error = %v, want ErrInvalid", err)
		}
	})
	t.Run("unknown ticket", func(t *testing.T) {
		if _, err := st.Move(ctx, "CQ-20261127-9999", StatusDispatched, "测试员", ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("Move(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func assertRefused(t *testing.T, st *Store, before Ticket, err error) {
	t.Helper()
	var ii interface{ InvalidInput() bool }
	if !errors.Is(err, ErrBadMove) || !errors.As(err, &ii) || !ii.InvalidInput() {
		t.Errorf("refused move error = %v, want ErrBadMove", err)
	}
	after, gerr := st.Get(context.Background(), before.ID)
	if gerr != nil {
		t.Fatal(gerr)
	}
	before.Secret = ""
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a refused move changed the ticket:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestUnsatisfiedReopens(t *testing.T) {
	clk := newClock()
	st := mustStore(t, mustOpenDB(t), clk.Now)
	tk := walk(t, st, StatusClosed)
	clk.Add(72 * time.Hour) // Monday 2026-11-30
	got, err := st.Move(context.Background(), tk.ID, StatusVisited, "回访员", "不满意:问题没解决")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusHandling || got.Rating != RatingUnsatisfied || got.Due.String() != "2026-12-07" || got.Reply != "" {
		t.Errorf("after 不满意: status %s rating %s due %s reply %q; want 办理中 不满意 2026-12-07 empty", got.Status, got.Rating, got.Due, got.Reply)
	}
	n := len(got.Events)
	if got.Events[n-2].Status != StatusVisited || got.Events[n-1].Kind != KindReopen || got.Events[n-1].Status != StatusHandling {
		t.Errorf("events end with %+v, want 已回访 then reopen to 办理中", got.Events[n-2:])
	}
	// It can be closed and rated again.
	if _, err := st.Move(context.Background(), tk.ID, StatusClosed, "人社局", "再次答复"); err != nil {
		t.Errorf("close again: %v", err)
	}
}

func TestExtend(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := walk(t, st, StatusHandling)
	tests := []struct {
		days    int
		reason  string
		wantDue string
		wantErr bool
	}{
		{5, "需现场核查", "2026-12-11", false},
		{0, "", "", true},     // no reason
		{11, "还要等", "", true}, // 5 + 11 > 15
		{10, "等待上级批复", "2026-12-25", false},
		{1, "再延", "", true}, // all used
	}
	for _, tt := range tests {
		before, _ := st.Get(ctx, tk.ID)
		got, err := st.Extend(ctx, tk.ID, tt.days, "人社局", tt.reason)
		if tt.wantErr {
			assertRefused(t, st, before, err)
			continue
		}
		if err != nil || got.Due.String() != tt.wantDue {
			t.Errorf("Extend(%d, %q) = due %s, %v; want %s", tt.days, tt.reason, got.Due, err, tt.wantDue)
		}
	}
	// Not before the unit signs.
	tk2 := walk(t, st, StatusDispatched)
	_, err := st.Move(ctx, tk2.ID, Extend, "人社局", "理由")
	assertRefused(t, st, tk2, err)
}

func TestReroute(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := walk(t, st, StatusReturned)
	got, err := st.Reroute(ctx, tk.ID, Route{LeadUnit: "区行政审批局", CoUnits: []string{"区住建局"}, Measures: []string{"ind-08"}}, "坐席小李", "退单原因属实")
	if err != nil {
		t.Fatal(err)
	}
	last := got.Events[len(got.Events)-1]
	if got.LeadUnit != "区行政审批局" || got.Mode != ModeJoint || last.Kind != KindReroute || !strings.Contains(last.Internal, "区人社局 → 区行政审批局") || last.Note != "" {
		t.Errorf("Reroute = lead %s mode %s last event %+v", got.LeadUnit, got.Mode, last)
	}
	if got, err = st.Move(ctx, tk.ID, StatusDispatched, "坐席小李", ""); err != nil || got.Status != StatusDispatched {
		t.Errorf("re-dispatch after reroute: %v %v", got.Status, err)
	}
	signed := walk(t, st, StatusSigned)
	_, err = st.Reroute(ctx, signed.ID, Route{LeadUnit: "区住建局"}, "坐席小李", "")
	assertRefused(t, st, signed, err)
}

func TestEventsAppendOnly(t *testing.T) {
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := walk(t, st, StatusSigned)
	for _, q := range []string{
		`UPDATE intake_events SET note = 'x' WHERE ticket_id = ?`,
		`DELETE FROM intake_events WHERE ticket_id = ?`,
		`DELETE FROM intake_tickets WHERE id = ?`,
	} {
		if _, err := st.db.Exec(st.d.bind(q), tk.ID); err == nil || !strings.Contains(err.Error(), "never") && !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want the trigger to abort", q, err)
		}
	}
	got, _ := st.Get(context.Background(), tk.ID)
	if len(got.Events) != 3 {
		t.Errorf("events = %d, want 3", len(got.Events))
	}
}

func TestGetForReporter(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	tk := fileOne(t, st, "问题")
	tests := []struct {
		name, id, key, secret string
		wantErr               bool
	}{
		{"by key", tk.ID, "terminal:1", "", false},
		{"by secret", tk.ID, "", tk.Secret, false},
		{"by secret lower case", tk.ID, "discord:9", strings.ToLower(tk.Secret), false},
		{"wrong key", tk.ID, "terminal:2", "", true},
		{"wrong secret", tk.ID, "", "ABCDEFGHJK", true},
		{"nothing", tk.ID, "", "", true},
		{"unknown id", "CQ-20261127-0099", "terminal:1", tk.Secret, true},
		{"garbage id", "'; DROP TABLE x", "terminal:1", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.GetForReporter(ctx, tt.id, tt.key, tt.secret)
			if tt.wantErr {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("GetForReporter(%q, %q, %q) error = %v, want ErrNotFound", tt.id, tt.key, tt.secret, err)
				}
				return
			}
			if err != nil || got.ID != tk.ID {
				t.Errorf("GetForReporter(%q, %q, %q) = %s, %v", tt.id, tt.key, tt.secret, got.ID, err)
			}
		})
	}
	list, err := st.ListByReporter(ctx, "terminal:1")
	if err != nil || len(list) != 1 {
		t.Errorf("ListByReporter = %d, %v; want 1", len(list), err)
	}
	if list, _ := st.ListByReporter(ctx, ""); len(list) != 0 {
		t.Errorf("ListByReporter(\"\") = %d tickets, want none", len(list))
	}
	pub, _ := json.Marshal(tk.Public())
	for _, secret := range []string{"王经理", "某某公司", "terminal:1", tk.Secret} {
		if strings.Contains(string(pub), secret) {
			t.Errorf("Public() JSON %s shows %q", pub, secret)
		}
	}
}

func TestOverdueEscalationQueueStats(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := mustStore(t, mustOpenDB(t), clk.Now)
	a := walk(t, st, StatusHandling) // due 2026-12-04
	b := walk(t, st, StatusVisited)  // done
	rt := Route{Matched: true, Measures: []string{"ind-06"}, LeadUnit: "区住建局", CoUnits: []string{"市交警二大队"}, Mode: ModeJoint}
	c, err := st.File(ctx, NewTicket{Text: "货车被限行", Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, zhtext.China())) // Monday after the deadline
	esc, err := st.EscalateOverdue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(esc) != 2 {
		t.Fatalf("EscalateOverdue = %d tickets, want 2 (%s, %s)", len(esc), a.ID, c.ID)
	}
	for _, e := range esc {
		last := e.Events[len(e.Events)-1]
		if e.Mode != ModeByLevel || !e.Escalated || e.EscalatedTo != "专班办公室(区工信局)" || last.Kind != KindEscalate {
			t.Errorf("escalated %s: mode %s escalated %v to %q last %+v", e.ID, e.Mode, e.Escalated, e.EscalatedTo, last)
		}
	}
	if again, _ := st.EscalateOverdue(ctx); len(again) != 0 {
		t.Errorf("second EscalateOverdue = %d, want 0", len(again))
	}
	q, err := st.Queue(ctx, "市交警二大队")
	if err != nil || len(q) != 1 || q[0].ID != c.ID || !q[0].Overdue || !q[0].SignOverdue {
		t.Errorf("Queue(市交警二大队) = %v, %v; want [%s] overdue", ids(q), err, c.ID)
	}
	if got, _ := st.Get(ctx, a.ID); got.SignOverdue {
		t.Errorf("%s is 办理中: sign_overdue = true, want false", a.ID)
	}
	all, _ := st.Queue(ctx, "")
	if len(all) != 2 {
		t.Errorf("Queue(all) = %v, want 2 open tickets (not %s)", ids(all), b.ID)
	}
	desk, _ := st.Queue(ctx, "区中小企业发展中心")
	if len(desk) != 1 || desk[0].ID != c.ID {
		t.Errorf("Queue(desk) = %v, want [%s] (awaiting dispatch)", ids(desk), c.ID)
	}
	if office, _ := st.Queue(ctx, "区工信局"); len(office) != 2 {
		t.Errorf("Queue(区工信局) = %v, want the 2 escalated", ids(office))
	}
	if err := st.RecordUnanswered(ctx, "公积金怎么提取?"); err != nil {
		t.Fatal(err)
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Total: 3, Open: 2, Overdue: 2, Escalated: 2, Unanswered: 1,
		ByStatus: map[Status]int{StatusHandling: 1, StatusVisited: 1, StatusReceived: 1},
		ByUnit:   map[string]map[Status]int{"区人社局": {StatusHandling: 1, StatusVisited: 1}, "区住建局": {StatusReceived: 1}}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Stats() = %+v, want %+v", s, want)
	}
}

func ids(ts []Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestUnanswered(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	for _, q := range []string{"公积金怎么提取?", "公积金 怎么提取", "  ", "我的电话13912345678怎么办", "公积金怎么提取"} {
		if err := st.RecordUnanswered(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Unanswered(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Count != 3 || got[0].Question != "公积金怎么提取?" || got[1].Question != "我的电话***怎么办" {
		t.Errorf("Unanswered() = %+v", got)
	}
	if err := st.ResolveUnanswered(ctx, "公积金怎么提取", "ind-13"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Unanswered(ctx); len(got) != 1 {
		t.Errorf("after ResolveUnanswered: %+v, want 1 left", got)
	}
}

func TestConcurrentFilingGoroutines(t *testing.T) {
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	const workers, each = 8, 10
	var wg sync.WaitGroup
	idc := make(chan string, workers*each)
	errc := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				rt := testRoute
				tk, err := st.File(context.Background(), NewTicket{Text: "并发", Route: &rt})
				if err != nil {
					errc <- err
					return
				}
				idc <- tk.ID
			}
		}()
	}
	wg.Wait()
	close(idc)
	close(errc)
	for err := range errc {
		t.Errorf("File: %v", err)
	}
	seen := map[string]bool{}
	for id := range idc {
		if seen[id] {
			t.Errorf("duplicate id %s", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each {
		t.Errorf("%d unique ids, want %d", len(seen), workers*each)
	}
}

func TestNormalizeChannel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "线上"}, {"discord", "线上"}, {"Web", "线上"}, {"terminal", "线上"},
		{"热线", "热线"}, {"hotline", "热线"}, {"线下", "线下"}, {"邮件", "邮件"},
	}
	for _, tt := range tests {
		if got := NormalizeChannel(tt.in); got != tt.want {
			t.Errorf("NormalizeChannel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"CQ-20261127-0001", "CQ-20261127-0001", false},
		{" cq-20261127-0001 ", "CQ-20261127-0001", false},
		{"CQ-20261127-12345", "CQ-20261127-12345", false},
		{"CQ-20261202-1000000", "CQ-20261202-1000000", false}, // the earlier scheme past a million a day
		{"CQ-20261127-48213957", "CQ-20261127-48213957", false},
		{"CQ-20261127-1234567890123", "", true},
		{"CQ-20261127-123", "", true},
		{"CQ-2026112-0001", "", true},
		{"20261127-0001", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseID(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseID(%q) = %q, %v, want %q (err %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"CQ-20261127-0001", "cq 20261127 0001", "", "CQ--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err == nil && !idRe.MatchString(id) {
			t.Errorf("ParseID(%q) = %q, not an id", s, id)
		}
	})
}

func FuzzParseStatusAndRating(f *testing.F) {
	for _, s := range []string{"已派单", "延期", "满意", "基本满意:好", "不满意", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if st, err := ParseStatus(s); err == nil && st == "" {
			t.Errorf("ParseStatus(%q) = empty, nil", s)
		}
		if r, _, err := ParseRating(s); err == nil && r != RatingSatisfied && r != RatingFair && r != RatingUnsatisfied {
			t.Errorf("ParseRating(%q) = %q", s, r)
		}
	})
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

// TestDeskAndEscalationFromRules: the store sends what no measure fits to
// the routing rules' desk and escalates to their escalation unit, under its
// label; nothing of the two is the store's own.
func TestDeskAndEscalationFromRules(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	rules := &Rules{Desk: "测试服务中心", EscalateTo: "测试督办室", EscalateLabel: "专班(测试督办室)"}
	st, err := mustOpenDB(t).open(ctx, Config{Rules: rules}, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := st.File(ctx, NewTicket{Text: "没有路由器时由平台坐席分派"})
	if err != nil || tk.LeadUnit != "测试服务中心" || !slices.Contains(tk.Flags, FlagDeskTriage) {
		t.Fatalf("File without a route = lead %q flags %v, %v; want the rules' desk", tk.LeadUnit, tk.Flags, err)
	}
	if q, _ := st.Queue(ctx, "测试服务中心"); len(q) != 1 {
		t.Errorf("desk queue = %v, want the ticket awaiting dispatch", ids(q))
	}
	clk.Set(time.Date(2026, 12, 7, 9, 0, 0, 0, zhtext.China()))
	esc, err := st.EscalateOverdue(ctx)
	if err != nil || len(esc) != 1 || esc[0].EscalatedTo != "专班(测试督办室)" || !strings.Contains(esc[0].Events[len(esc[0].Events)-1].Note, "专班(测试督办室)") {
		t.Fatalf("EscalateOverdue = %+v, %v; want the ticket escalated to the rules' unit", esc, err)
	}
	if q, _ := st.Queue(ctx, "测试督办室"); len(q) != 1 {
		t.Errorf("escalation unit's queue = %v, want the escalated ticket", ids(q))
	}
}

// TestDeadlines: deadlines.json holds the platform's defaults (1, 5 and 15
// working days, as the README says), a Config overrides any of them, and a
// limit out of range is refused.
func TestDeadlines(t *testing.T) {
	dl, err := BuiltinDeadlines()
	if err != nil {
		t.Fatal(err)
	}
	if dl != (Deadlines{SignDays: 1, CloseDays: 5, MaxExtensionDays: 15}) {
		t.Errorf("deadlines.json = %+v, want sign 1, close 5, extension 15", dl)
	}
	tests := []struct {
		over    Deadlines
		want    Deadlines
		wantErr bool
	}{
		{Deadlines{}, dl, false},
		{Deadlines{CloseDays: 3}, Deadlines{1, 3, 15}, false},
		{Deadlines{SignDays: 2, CloseDays: 10, MaxExtensionDays: 30}, Deadlines{2, 10, 30}, false},
		{Deadlines{CloseDays: -1}, Deadlines{}, true},
		{Deadlines{MaxExtensionDays: 251}, Deadlines{}, true},
	}
	for _, tt := range tests {
		got, err := dl.Override(tt.over)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("Override(%+v) = %+v, %v; want %+v (err %v)", tt.over, got, err, tt.want, tt.wantErr)
		}
	}
	for _, bad := range []string{`{"sign_days":1,"close_days":5}`, `{"sign_days":0,"close_days":5,"max_extension_days":15}`, `{`} {
		if _, err := LoadDeadlines(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadDeadlines(%s) accepted", bad)
		}
	}

	// The store counts with the limits it was given.
	ctx := context.Background()
	st, err := mustOpenDB(t).open(ctx, Config{Deadlines: Deadlines{SignDays: 2, CloseDays: 3, MaxExtensionDays: 4}}, newClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	tk := fileOne(t, st, "招工难")
	if tk.Due.String() != "2026-12-02" || tk.SignDue.String() != "2026-12-01" {
		t.Errorf("filed Friday 2026-11-27 with close 3, sign 2: due %s sign %s, want 2026-12-02 and 2026-12-01", tk.Due, tk.SignDue)
	}
	for _, to := range []Status{StatusDispatched, StatusSigned} {
		if tk, err = st.Move(ctx, tk.ID, to, "测试员", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Extend(ctx, tk.ID, 5, "测试员", "材料未齐"); !errors.Is(err, ErrBadMove) {
		t.Errorf("Extend 5 days of a 4-day limit = %v, want ErrBadMove", err)
	}
	if _, err := mustOpenDB(t).open(ctx, Config{Deadlines: Deadlines{CloseDays: 999}}, newClock().Now); err == nil {
		t.Error("OpenStore accepted a 999-day close limit")
	}
}
