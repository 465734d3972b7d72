package intake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"
	"huiqi/sqlite"
)

// busyStore files tickets for three units over three weeks, moves them
// through every state (some rated, some re-routed, some escalated when
// overdue) and returns the store with its clock on the last day.
func busyStore(t *testing.T, db testDB) (*Store, *clock) {
	t.Helper()
	ctx := context.Background()
	clk := newClock()
	st := mustStore(t, db, clk.Now)
	routes := []Route{
		{Matched: true, Measures: []string{"ind-07"}, LeadUnit: "区人社局", CoUnits: []string{}, Mode: ModeByKind},
		{Matched: true, Measures: []string{"ind-06"}, LeadUnit: "区住建局", CoUnits: []string{"市交警二大队", "区人社局"}, Mode: ModeJoint},
		{Matched: true, Measures: []string{"ind-08"}, LeadUnit: "区行政审批局", CoUnits: []string{"区住建局"}, Mode: ModeJoint},
	}
	paths := [][]struct {
		to   Status
		note string
	}{
		nil,
		{{StatusDispatched, ""}},
		{{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}},
		{{StatusDispatched, ""}, {StatusReturned, "职能不符"}},
		{{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已答复"}},
		{{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已答复"}, {StatusVisited, "满意"}},
		{{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已答复"}, {StatusVisited, "不满意"}},
	}
	n := 0
	for day := range 15 {
		for i := range 4 {
			n++
			rt := routes[n%len(routes)]
			tk, err := st.File(ctx, NewTicket{Text: fmt.Sprintf("第%d个问题", n), ReporterKey: fmt.Sprintf("web:%d", n%4), Route: &rt})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths[(n+i)%len(paths)] {
				if tk, err = st.Move(ctx, tk.ID, p.to, "测试员", p.note); err != nil {
					t.Fatalf("move %s to %s: %v", tk.ID, p.to, err)
				}
			}
			if n%9 == 0 && tk.Status.CanReroute() {
				if _, err := st.Reroute(ctx, tk.ID, Route{LeadUnit: "市交警二大队", CoUnits: []string{"区人社局"}}, "坐席", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		clk.Add(24 * time.Hour)
		if day%5 == 4 {
			if _, err := st.EscalateOverdue(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st, clk
}

// wantQueue is the queue of unit as the store always defined it, worked
// out from every ticket: not yet rated; led or co-handled by unit, or for
// the desk waiting for dispatch, or for the escalation unit escalated;
// overdue first, then by deadline and id.
func wantQueue(t *testing.T, st *Store, unit string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := st.db.QueryContext(ctx, `SELECT id FROM intake_tickets`)
	if err != nil {
		t.Fatal(err)
	}
	var idList []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		idList = append(idList, id)
	}
	rows.Close()
	var all []Ticket
	for _, id := range idList {
		tk, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, tk)
	}
	var q []Ticket
	for _, tk := range all {
		if tk.Status == StatusVisited {
			continue
		}
		if unit == "" || tk.LeadUnit == unit || slices.Contains(tk.CoUnits, unit) ||
			(unit == st.cfg.Rules.Desk && awaitsDispatch(tk.Status)) || (unit == st.cfg.Rules.EscalateTo && tk.Escalated) {
			q = append(q, tk)
		}
	}
	slices.SortFunc(q, func(a, b Ticket) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Due.String(), b.Due.String()), strings.Compare(a.ID, b.ID))
	})
	return ids(q)
}

// TestQueuePages: every unit's queue, read whole or page by page at any
// size, is the queue as defined by the tickets themselves; pages never
// repeat a ticket, even when tickets are filed between them; the lists and
// tally the pages read agree with the tickets.
func TestQueuePages(t *testing.T) {
	ctx := context.Background()
	st, _ := busyStore(t, mustOpenDB(t))
	checkDerived(t, st)
	for _, unit := range []string{"", "区人社局", "区住建局", "市交警二大队", "区行政审批局", st.cfg.Rules.Desk, st.cfg.Rules.EscalateTo, "无此单位"} {
		want := wantQueue(t, st, unit)
		whole, err := st.Queue(ctx, unit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(whole); !slices.Equal(got, want) {
			t.Errorf("Queue(%q) =\n%q\nwant\n%q", unit, got, want)
		}
		for _, size := range []int{1, 3, 7} {
			var got []string
			p := Page{Limit: size}
			for pages := 0; ; pages++ {
				pg, err := st.QueuePage(ctx, unit, p)
				if err != nil {
					t.Fatal(err)
				}
				if len(pg.Tickets) > size || (pg.Next != "" && len(pg.Tickets) != size) {
					t.Fatalf("QueuePage(%q, %d) gave %d tickets, next %q", unit, size, len(pg.Tickets), pg.Next)
				}
				got = append(got, ids(pg.Tickets)...)
				if pg.Next == "" {
					break
				}
				if pages > 200 {
					t.Fatal("pages never end")
				}
				p.After = pg.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("QueuePage(%q) by %d =\n%q\nwant\n%q", unit, size, got, want)
			}
		}
	}
	// Filing between pages neither repeats nor hides what was there.
	before := wantQueue(t, st, "区人社局")
	first, err := st.QueuePage(ctx, "区人社局", Page{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	rt := testRoute
	for i := range 3 {
		if _, err := st.File(ctx, NewTicket{Text: fmt.Sprintf("翻页中新来的%d", i), Route: &rt}); err != nil {
			t.Fatal(err)
		}
	}
	seen := ids(first.Tickets)
	for p := (Page{Limit: 5, After: first.Next}); p.After != ""; {
		pg, err := st.QueuePage(ctx, "区人社局", p)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(pg.Tickets)...)
		p.After = pg.Next
	}
	for _, id := range before {
		if n := count(seen, id); n != 1 {
			t.Errorf("%s seen %d times across the pages, want once", id, n)
		}
	}
	for _, bad := range []string{"x", "bm90IGEgY3Vyc29y", encodeCursor("7", "", "")} {
		if _, err := st.QueuePage(ctx, "", Page{After: bad}); !errors.Is(err, ErrInvalid) {
			t.Errorf("QueuePage(after %q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func count(s []string, x string) int {
	n := 0
	for _, v := range s {
		if v == x {
			n++
		}
	}
	return n
}

// TestReporterPages: a reporter's tickets newest first, page by page, as
// ListByReporter; another reporter's are not among them.
func TestReporterPages(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := mustStore(t, mustOpenDB(t), clk.Now)
	rt := testRoute
	var mine []string
	for i := range 8 {
		key := "web:a"
		if i%3 == 2 {
			key = "web:b"
		}
		tk, err := st.File(ctx, NewTicket{Text: fmt.Sprintf("问题%d", i), ReporterKey: key, Route: &rt})
		if err != nil {
			t.Fatal(err)
		}
		if key == "web:a" {
			mine = append([]string{tk.ID}, mine...)
		}
		if i%2 == 0 {
			clk.Add(time.Hour)
		}
	}
	var got []string
	p := Page{Limit: 2}
	for {
		pg, err := st.ReporterPage(ctx, "web:a", p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(pg.Tickets)...)
		if pg.Next == "" {
			break
		}
		p.After = pg.Next
	}
	whole, err := st.ListByReporter(ctx, "web:a")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, ids(whole)) || len(got) != len(mine) {
		t.Errorf("ReporterPage by 2 = %q, ListByReporter = %q, want the %d of web:a", got, ids(whole), len(mine))
	}
	for i := 1; i < len(whole); i++ {
		a, b := whole[i-1], whole[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Errorf("not newest first: %s (%v) before %s (%v)", a.ID, a.CreatedAt, b.ID, b.CreatedAt)
		}
	}
	if got, _ := st.ListByReporter(ctx, " "); len(got) != 0 {
		t.Errorf("ListByReporter(blank) = %d tickets", len(got))
	}
}

// TestUnansweredPages: the review list page by page is the whole list,
// most asked first.
func TestUnansweredPages(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := mustStore(t, mustOpenDB(t), clk.Now)
	for i := range 9 {
		for range i%4 + 1 {
			if err := st.RecordUnanswered(ctx, fmt.Sprintf("问题%d怎么办", i)); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Minute)
		}
	}
	whole, err := st.Unanswered(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []Unanswered
	p := Page{Limit: 2}
	for {
		pg, err := st.UnansweredPage(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pg.Questions...)
		if pg.Next == "" {
			break
		}
		p.After = pg.Next
	}
	if len(whole) != 9 || len(got) != 9 {
		t.Fatalf("Unanswered = %d, pages = %d, want 9", len(whole), len(got))
	}
	for i := range got {
		if got[i].Question != whole[i].Question {
			t.Errorf("page order %d: %q, whole %q", i, got[i].Question, whole[i].Question)
		}
		if i > 0 && (got[i-1].Count < got[i].Count || (got[i-1].Count == got[i].Count && got[i-1].LastAt.Before(got[i].LastAt))) {
			t.Errorf("not most asked first at %d: %+v then %+v", i, got[i-1], got[i])
		}
	}
}

// TestDuplicatesFolded: the same text from one reporter (conversation key
// or address) within the window is the first ticket again, not a new one;
// another reporter, a later day or a closed first ticket file anew. The
// same question asked again is counted once. DailyCount counts what each
// filed.
func TestDuplicatesFolded(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := mustStore(t, mustOpenDB(t), clk.Now)
	rt := testRoute
	file := func(text, key, origin string) Ticket {
		t.Helper()
		tk, err := st.File(ctx, NewTicket{Text: text, ReporterKey: key, Origin: origin, Route: &rt})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	a := file("企业招不到技术工人", "web:c1", "ip:203.0.113.5")
	again := file(" 企业招不到技术工人。", "web:c1", "")
	if again.ID != a.ID || !again.Duplicate || again.Secret != "" || a.Duplicate {
		t.Errorf("the same text again = %s duplicate %v secret %q; want %s folded, no secret", again.ID, again.Duplicate, again.Secret, a.ID)
	}
	// A new conversation from the same address is folded too.
	if b := file("企业招不到技术工人", "web:c2", "ip:203.0.113.5"); b.ID != a.ID {
		t.Errorf("the same text from the same address = %s, want %s", b.ID, a.ID)
	}
	if c := file("企业招不到技术工人", "web:c3", "ip:198.51.100.7"); c.ID == a.ID || c.Duplicate {
		t.Errorf("another reporter's same text was folded into %s", a.ID)
	}
	if d := file("企业招不到技术工人", "", ""); d.ID == a.ID {
		t.Errorf("a filing without reporter (staff) was folded")
	}
	d, err := st.DailyCount(ctx, "ip:203.0.113.5")
	if err != nil || d.Tickets != 1 {
		t.Errorf("DailyCount(address) = %+v, %v; want 1 ticket (folded ones not counted)", d, err)
	}
	if d, _ := st.DailyCount(ctx, "web:c3"); d.Tickets != 1 {
		t.Errorf("DailyCount(web:c3) = %+v, want 1", d)
	}
	clk.Add(25 * time.Hour)
	if e := file("企业招不到技术工人", "web:c1", ""); e.ID == a.ID {
		t.Errorf("a day later the same text was still folded")
	}
	if d, _ := st.DailyCount(ctx, "ip:203.0.113.5"); d.Tickets != 0 {
		t.Errorf("the next day's count = %+v, want 0", d)
	}
	// A closed ticket is not reopened by folding.
	f := file("用电增容没有答复", "web:c9", "")
	for _, p := range []struct {
		to   Status
		note string
	}{{StatusDispatched, ""}, {StatusSigned, ""}, {StatusHandling, ""}, {StatusClosed, "已答复"}} {
		if _, err := st.Move(ctx, f.ID, p.to, "测试员", p.note); err != nil {
			t.Fatal(err)
		}
	}
	if g := file("用电增容没有答复", "web:c9", ""); g.ID == f.ID {
		t.Errorf("the same text after the first was closed was folded into it")
	}

	for range 3 {
		if err := st.RecordUnansweredFrom(ctx, "公积金怎么提取?", "web:q1", "ip:203.0.113.9"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RecordUnansweredFrom(ctx, "公积金怎么提取", "web:q2", "ip:198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordUnansweredFrom(ctx, "社保怎么转移", "web:q1", "ip:203.0.113.9"); err != nil {
		t.Fatal(err)
	}
	qs, _ := st.Unanswered(ctx)
	if len(qs) != 2 || qs[0].Count != 2 {
		t.Errorf("Unanswered = %+v, want 公积金 counted twice (once per reporter) and 社保 once", qs)
	}
	if d, _ := st.DailyCount(ctx, "ip:203.0.113.9"); d.Questions != 2 {
		t.Errorf("DailyCount(address).Questions = %d, want 2 distinct", d.Questions)
	}
	var raw int
	st.db.QueryRow(`SELECT COUNT(*) FROM intake_daily WHERE who LIKE '%203.0.113%'`).Scan(&raw)
	if raw != 0 {
		t.Errorf("an address is stored in clear")
	}
}

// TestQueryPlans: the staff queries read an index range, never a whole
// table of tickets or events (the cost of a page is the page).
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	st, _ := busyStore(t, mustOpenDB(t))
	list := st.d.listArg([]string{"CQ-20261127-00000001", "CQ-20261127-00000002"})
	queries := []struct {
		q    string
		args []any
	}{
		{qByReporter, []any{"web:1", "~", "", 10}},
		{qListOverdue, []any{listAll, "2026-12-01", "", "", 10}},
		{qListOnTime, []any{"区人社局", "2026-12-01", "", "", 10}},
		{qListClosed, []any{listDesk, "", "", 10}},
		{qSweep, []any{listSweep, "2026-12-01"}},
		{qOverdue, []any{"2026-12-01"}},
		{qDueSoon, []any{listAll, "2026-12-01", "2026-12-02", "2026-12-01", "2026-12-02"}},
		{qGetTicket, []any{"CQ-20261127-00000001"}},
		{qEventsOne, []any{"CQ-20261127-00000001"}},
		{st.qEventsMany, []any{list}},
		{st.qTicketsMany, []any{list}},
		{qUnansweredPage, []any{1 << 62, "", "", 10}},
		{qRecentFind, []any{kindTicket, "x", "y", "2026-11-27"}},
		{qRecentPrune, []any{"2026-11-27"}},
		{qSelectKey, []any{"CQ-20261127-00000001"}},
		{qListsDelete, []any{"CQ-20261127-00000001"}},
	}
	for _, q := range queries {
		rows, err := st.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q.q, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN json_each") {
				t.Errorf("%s\nreads a whole table: %q", strings.Join(strings.Fields(q.q), " "), plan)
			}
		}
	}
}

// TestMigrationFillsListsAsCode: the lists and tallies that 0006 and 0007
// fill for the tickets of an earlier release are those the code keeps: the
// same tickets, carried from version 5 on, give the rows checkDerived wants.
func TestMigrationFillsListsAsCode(t *testing.T) {
	ctx := context.Background()
	src := mustOpenDB(t)
	busyStore(t, src)
	path := filepath.Join(t.TempDir(), "v3.db")
	old, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := sqlite.Migrate(ctx, old, "intake", stepsUpTo(t, 5)); err != nil {
		t.Fatal(err)
	}
	old.SetMaxOpenConns(1) // ATTACH is per connection
	if _, err := old.ExecContext(ctx, `ATTACH DATABASE ? AS src`, src.lite.Path); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"intake_tickets", "intake_events"} {
		if _, err := old.ExecContext(ctx, `INSERT INTO `+table+` SELECT * FROM src.`+table); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.ExecContext(ctx, `DETACH DATABASE src`); err != nil {
		t.Fatal(err)
	}
	old.SetMaxOpenConns(sqlite.MaxOpenConns)
	st := mustStore(t, onSQLite(old), func() time.Time { return time.Date(2026, 12, 12, 9, 0, 0, 0, zhtext.China()) })
	checkDerived(t, st)
	for _, unit := range []string{"", "区人社局", st.cfg.Rules.Desk, st.cfg.Rules.EscalateTo} {
		got, _ := st.Queue(ctx, unit)
		if want := wantQueue(t, st, unit); !slices.Equal(ids(got), want) {
			t.Errorf("Queue(%q) after the migration = %q, want %q", unit, ids(got), want)
		}
	}
}

// TestImport: imported tickets keep their ids, states and history, are on
// the lists a filed ticket would be on, and a batch holding a taken id or a
// bad one stores nothing.
func TestImport(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	at := fixedNow.Add(-48 * time.Hour)
	mk := func(id string, s Status) Ticket {
		return Ticket{Summary: Summary{ID: id, Status: s, LeadUnit: "区人社局", CoUnits: []string{"区住建局"}, Measures: []string{"ind-07"},
			Mode: ModeJoint, Due: DateOf(fixedNow.AddDate(0, 0, -1)), CreatedAt: at}, UpdatedAt: at, Text: "招工难",
			Events: []Event{{At: at, Kind: KindFile, Status: StatusReceived, By: "企业"}}}
	}
	a, b := mk("CQ-20261125-12345678", StatusHandling), mk("CQ-20261125-0007", StatusVisited)
	if err := st.Import(ctx, []Ticket{a, b}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(ctx, a.ID)
	if err != nil || got.Status != StatusHandling || !got.Overdue || got.CreatedAt != at || len(got.Events) != 1 || got.Events[0].Unit == "" {
		t.Errorf("imported %s = %+v, %v", a.ID, got, err)
	}
	if q, _ := st.Queue(ctx, "区住建局"); len(q) != 1 || q[0].ID != a.ID {
		t.Errorf("Queue(co-unit) = %q, want the imported open ticket", ids(q))
	}
	for _, batch := range [][]Ticket{{mk("CQ-20261125-22222222", StatusReceived), a}, {mk("CQ-1", StatusReceived)}, {mk("CQ-20261125-33333333", "未知")}} {
		if err := st.Import(ctx, batch); !errors.Is(err, ErrInvalid) {
			t.Errorf("Import(%s…) = %v, want ErrInvalid", batch[0].ID, err)
		}
	}
	if _, err := st.Get(ctx, "CQ-20261125-22222222"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused batch left a ticket: %v", err)
	}
	checkDerived(t, st)
}
