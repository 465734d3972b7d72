package intake

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"huiqi/sqlite"
)

// TestPublicViewHidesStaff: a ticket moved by staff signed in as
// 'admin（管理员）' and 'ua（区人社局）', with internal notes at every step
// (a reason, a remark with a phone number, an extension's reason, a
// re-routing), shows the enterprise its status, dates, the acting units and
// only what staff chose to tell it: the JSON of Public and of the receipt
// holds no sign-in name and no internal note. Staff still see everything.
func TestPublicViewHidesStaff(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	const (
		admin  = "admin（管理员）"
		unit   = "ua（区人社局）"
		hotln  = "热线张三"
		remark = "内部备注：该企业去年有欠薪投诉，联系人手机13912345678"
		reason = "需调取社保记录，内部原因"
		route  = "先转审批局试试"
		reply  = "经核实，已协调区人社局为企业办理补贴申领"
		told   = "我们已签收，三个工作日内联系您"
	)
	rt := testRoute
	tk, err := st.File(ctx, NewTicket{Text: "企业招不到技术工人", Enterprise: "某某公司", Contact: "王经理", Channel: "热线", By: hotln, Route: &rt})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (Ticket, error){
		func() (Ticket, error) {
			return st.Reroute(ctx, tk.ID, Route{LeadUnit: "区人社局", CoUnits: []string{"区住建局"}}, admin, route)
		},
		func() (Ticket, error) { return st.Move(ctx, tk.ID, StatusDispatched, admin, remark) },
		func() (Ticket, error) {
			return st.MoveWith(ctx, tk.ID, StatusSigned, unit, Remark{Told: told, Internal: remark})
		},
		func() (Ticket, error) { return st.Move(ctx, tk.ID, StatusHandling, unit, remark) },
		func() (Ticket, error) { return st.Extend(ctx, tk.ID, 2, unit, reason) },
		func() (Ticket, error) { return st.Move(ctx, tk.ID, StatusClosed, unit, reply) },
	}
	for i, step := range steps {
		if tk, err = step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got, err := st.Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(got.Public())
	rec, _ := json.Marshal(got.Receipt())
	for _, view := range []string{string(pub), string(rec)} {
		for _, secret := range []string{admin, unit, hotln, "管理员", remark, "13912345678", reason, route, "渠道", "王经理", "某某公司"} {
			if strings.Contains(view, secret) {
				t.Errorf("the public view shows %q:\n%s", secret, view)
			}
		}
		for _, shown := range []string{reply, told, `"status":"已办结"`, `"by":"区人社局"`, `"by":"区中小企业发展中心"`, "延期2个工作日至", `"due":"2026-12-08"`} {
			if !strings.Contains(view, shown) {
				t.Errorf("the public view lacks %q:\n%s", shown, view)
			}
		}
	}
	// Staff see who did what and every remark.
	staff, _ := json.Marshal(got)
	for _, want := range []string{admin, unit, remark, reason, route} {
		if !strings.Contains(string(staff), want) {
			t.Errorf("the staff view lacks %q", want)
		}
	}
}

// TestNeedOfState: every person's move to one state needs the same note
// (Move decides from the target state what its note is).
func TestNeedOfState(t *testing.T) {
	for _, tr := range Transitions() {
		if tr.By != ActorSystem && needOf(tr.To) != tr.Need {
			t.Errorf("moves to %s need %v and %v", tr.To, needOf(tr.To), tr.Need)
		}
	}
}

// stepsUpTo is the intake migrations up to version v, as a release before
// would have had them.
func stepsUpTo(t *testing.T, v int) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if i >= v {
			break
		}
		b, _ := fs.ReadFile(migrations, "migrations/"+e.Name())
		m["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	return m
}

// TestEarlierNotesBecomeInternal: events recorded before notes were split
// (intake version 4, every note shown to the enterprise) are carried
// forward with the staff's remarks internal and the replies, ratings and
// new deadlines still told; the sign-in names give way to the units; an id
// of the earlier scheme past a million a day reads and moves.
func TestEarlierNotesBecomeInternal(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	if err := sqlite.Migrate(ctx, db.lite, "intake", stepsUpTo(t, 4)); err != nil {
		t.Fatal(err)
	}
	const id = "CQ-20261202-1000000"
	if _, err := db.ExecContext(ctx, `INSERT INTO intake_tickets (id, status, lead_unit, co_units, measures, mode, matched, flags,
		unresolved, confidence, due, sign_due, created_at, updated_at, text, enterprise, contact, location, channel, reporter_key, secret_hash)
		VALUES (?, '已办结', '区人社局', '[]', '["ind-07"]', '按类', 1, '[]', '[]', 0.9, '2026-12-08', '2026-11-30',
		'2026-11-27T10:00:00+08:00', '2026-11-27T10:00:00+08:00', '招工难', '某某公司', '王经理', '', '线上', '', 'x')`, id); err != nil {
		t.Fatal(err)
	}
	for i, ev := range [][4]string{
		{"file", "", "已受理", "渠道:线上"},
		{"move", "已受理", "已派单", "内部备注：该企业去年有欠薪投诉"},
		{"move", "已派单", "已签收", ""},
		{"extend", "已签收", "已签收", "延期2个工作日至2026-12-08:材料未齐"},
		{"move", "已签收", "办理中", "电话13912345678"},
		{"move", "办理中", "已办结", "已协调解决"},
	} {
		by := "admin（管理员）"
		if ev[2] == "已签收" || ev[2] == "办理中" || ev[2] == "已办结" {
			by = "ua（区人社局）"
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO intake_events VALUES (?, ?, '2026-11-27T10:00:00+08:00', ?, ?, ?, ?, ?)`,
			id, i+1, ev[0], ev[1], ev[2], by, ev[3]); err != nil {
			t.Fatal(err)
		}
	}
	st := mustStore(t, db, newClock().Now)
	tk, err := st.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	pub, _ := json.Marshal(tk.Public())
	for _, hidden := range []string{"内部备注", "13912345678", "材料未齐", "渠道", "admin", "ua（"} {
		if strings.Contains(string(pub), hidden) {
			t.Errorf("the public view of an earlier ticket shows %q:\n%s", hidden, pub)
		}
	}
	for _, shown := range []string{"已协调解决", "延期2个工作日至2026-12-08", `"by":"区人社局"`, `"by":"区中小企业发展中心"`} {
		if !strings.Contains(string(pub), shown) {
			t.Errorf("the public view of an earlier ticket lacks %q:\n%s", shown, pub)
		}
	}
	if tk.Events[3].Internal != "材料未齐" || tk.Events[1].Internal != "内部备注：该企业去年有欠薪投诉" {
		t.Errorf("the remarks are not kept for staff: %+v", tk.Events)
	}
	if _, err := st.Move(ctx, id, StatusVisited, "坐席", "满意"); err != nil {
		t.Errorf("moving %s: %v", id, err)
	}
	checkDerived(t, st)
}

// TestIDs: ids are the day and 8 random digits, so consecutive filings
// say nothing of the day's count; a taken id is drawn again, and after
// some draws with one more digit, so any count of a day gets ids.
func TestIDs(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	var prev int
	increasing := 0
	for i := range 12 {
		tk := fileOne(t, st, "问题"+string(rune('甲'+i)))
		var n int
		for _, c := range tk.ID[len("CQ-20261127-"):] {
			n = n*10 + int(c-'0')
		}
		if n == prev+1 {
			increasing++
		}
		prev = n
	}
	if increasing > 2 {
		t.Errorf("%d of 12 ids follow the one before: the ids count the day's tickets", increasing)
	}
	// Every draw the same: the second filing takes a ninth digit.
	zero := mustStoreWith(t, mustOpenDB(t), Config{Rand: zeroReader{}})
	a, b := fileOne(t, zero, "第一个"), fileOne(t, zero, "第二个")
	if a.ID != "CQ-20261127-00000000" || b.ID != "CQ-20261127-000000000" {
		t.Errorf("ids with every draw the same = %s, %s; want 8 zeros, then 9", a.ID, b.ID)
	}
	for _, id := range []string{a.ID, b.ID} {
		if got, err := zero.Get(ctx, id); err != nil || got.ID != id {
			t.Errorf("Get(%s) = %v", id, err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
