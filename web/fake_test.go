package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"huiqi/bot"
	"huiqi/knowledge"
	"huiqi/sqlite"
)

// fixedNow is the tests' clock: 2026-11-27 10:00 China time.
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// fakeKnowledge knows two measures and one unit.
type fakeKnowledge struct {
	mu    sync.Mutex
	added map[string][]string
}

var fakeMeasures = []*knowledge.Measure{
	{ID: "ind-07", Package: "二十条", Number: 7, Title: "着力做好稳岗用工工作", Units: []string{"区人社局"},
		ValidUntil: time.Date(2024, 2, 12, 0, 0, 0, 0, time.UTC)},
	{ID: "ind-03", Package: "二十条", Number: 3, Title: "支持中小微企业发展", Units: []string{"区中小企业发展中心", "区财政局", "区工信局"}},
}

func (k *fakeKnowledge) Ask(q string, top int, now time.Time) knowledge.Answer {
	k.mu.Lock()
	defer k.mu.Unlock()
	for mid, qs := range k.added {
		if slices.Contains(qs, q) {
			return knowledge.Answer{Answered: true, Text: "已学会", Results: []knowledge.Result{{ID: mid, Title: "learned", Score: 0.9}}}
		}
	}
	switch {
	case strings.Contains(q, "稳岗") || strings.Contains(q, "招工"):
		return knowledge.Answer{Answered: true, Text: "稳岗用工：见二十条第7条。", Results: []knowledge.Result{{
			ID: "ind-07", Title: "着力做好稳岗用工工作", Score: 0.91, Units: []string{"区人社局"},
			Snippet: "对吸纳就业困难人员的企业给予社保补贴", Ref: "二十条第7条", Amounts: []string{"1000元"},
			Validity: "有效期至2024年2月12日，已过期", Expired: true}}}
	case strings.Contains(q, "专精特新"):
		return knowledge.Answer{Answered: true, Text: "专精特新：见二十条第3条。", Results: []knowledge.Result{{
			ID: "ind-03", Title: "支持中小微企业发展", Score: 0.87, Units: []string{"区中小企业发展中心", "区财政局", "区工信局"},
			Snippet: "首次认定的省级专精特新企业奖励2万元", Ref: "二十条第3条", Amounts: []string{"2万元", "30万元"}}}}
	}
	return knowledge.Answer{Answered: false, Text: "这个问题不在惠企措施范围内。", Results: []knowledge.Result{}}
}

func (k *fakeKnowledge) Measure(ref string) (*knowledge.Measure, bool) {
	for _, m := range fakeMeasures {
		if m.ID == ref {
			return m, true
		}
	}
	return nil, false
}

func (k *fakeKnowledge) Measures() []*knowledge.Measure { return fakeMeasures }

func (k *fakeKnowledge) Unit(name string) knowledge.UnitResult {
	if name == "rsj" || strings.Contains(name, "人社") {
		return knowledge.UnitResult{Unit: "区人社局", Measures: []string{"ind-07"}}
	}
	return knowledge.UnitResult{}
}

func (k *fakeKnowledge) AddQuestion(measureID, q string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.added == nil {
		k.added = map[string][]string{}
	}
	k.added[measureID] = append(k.added[measureID], q)
	return nil
}

// fakeProfileError is a bad profile.
type fakeProfileError struct{ msg string }

func (e fakeProfileError) Error() string      { return e.msg }
func (e fakeProfileError) InvalidInput() bool { return true }

type fakeAwarder struct{}

func (fakeAwarder) Award(r io.Reader) (any, error) {
	var p map[string]any
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fakeProfileError{"不是有效的 JSON"}
	}
	for k := range p {
		if k != "above_scale_industrial" && k != "has_rd_institution" {
			return nil, fakeProfileError{"未知字段 " + k}
		}
	}
	total := 0
	if p["above_scale_industrial"] == true && p["has_rd_institution"] == true {
		total = 20000
	}
	return map[string]any{"items": []any{}, "district_total_yuan": total, "other_levels_total_yuan": 0, "notes": []string{}}, nil
}

type fakeRouter struct{}

func (fakeRouter) Route(text, location string) any {
	if strings.Contains(text, "招工") {
		return map[string]any{"matched": true, "measures": []string{"ind-07"}, "lead_unit": "区人社局", "co_units": []string{}, "mode": "分类"}
	}
	return map[string]any{"matched": false, "measures": []string{}, "lead_unit": "区中小企业发展中心", "co_units": []string{}, "mode": "分类"}
}

type fakeChatter struct{}

func (fakeChatter) Chat(ctx context.Context, conv string, in bot.Input) ([]bot.Reply, error) {
	return []bot.Reply{{Text: "您好，" + in.Text + in.Action, Choices: []bot.Choice{{ID: "ask", Label: "问政策"}},
		Card: &bot.Card{Title: "卡片", Fields: []bot.Field{{Name: "会话", Value: conv}}}}}, nil
}

// fakeBackend is an in-memory ticket store with the 12345-style workflow.
type fakeBackend struct {
	mu         sync.Mutex
	tickets    map[string]*Ticket
	secrets    map[string]string
	seq        int
	questions  []Question
	attached   map[string]string
	pingErr    error
	unanswered []string
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{tickets: map[string]*Ticket{}, secrets: map[string]string{}, attached: map[string]string{}}
}

var fakeWorkflow = map[string][]Move{
	"已受理": {{To: "已派单"}},
	"已派单": {{To: "已签收", ByUnit: true}, {To: "退单", ByUnit: true, Need: "请写明原因"}},
	"退单":  {{To: "已派单"}},
	"已签收": {{To: "办理中", ByUnit: true}, {To: "延期", ByUnit: true, Need: "请写明原因"}},
	"办理中": {{To: "已办结", ByUnit: true, Need: "请写答复"}},
	"已办结": {{To: "已回访", Need: "满意/不满意"}},
}

func (b *fakeBackend) add(t Ticket, secret string) Ticket {
	b.mu.Lock()
	defer b.mu.Unlock()
	t.Next = fakeWorkflow[t.Status]
	t.CanReroute = t.Status == "已受理" || t.Status == "已派单" || t.Status == "退单"
	if len(t.Events) == 0 {
		t.Events = []Event{{At: fixedNow, Status: t.Status, By: "企业", Note: "登记"}}
	}
	b.tickets[t.ID] = &t
	b.secrets[t.ID] = secret
	return t
}

func (b *fakeBackend) File(ctx context.Context, nt NewTicket) (Ticket, error) {
	b.mu.Lock()
	b.seq++
	id := fmt.Sprintf("CQ-20261127-%04d", b.seq)
	b.mu.Unlock()
	lead := "区中小企业发展中心"
	if strings.Contains(nt.Text, "招工") {
		lead = "区人社局"
	}
	t := b.add(Ticket{ID: id, Status: "已受理", LeadUnit: lead, CoUnits: []string{}, Measures: []string{}, Mode: "分类",
		Due: "2026-12-04", CreatedAt: fixedNow, Text: nt.Text, Enterprise: nt.Enterprise, Contact: nt.Contact, Channel: nt.Channel},
		"SECRET"+id[len(id)-4:])
	t.Secret = "SECRET" + id[len(id)-4:]
	return t, nil
}

func (b *fakeBackend) Get(ctx context.Context, id string) (Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return Ticket{}, fmt.Errorf("ticket %s: %w", id, ErrNotFound)
	}
	return *t, nil
}

func (b *fakeBackend) GetWithSecret(ctx context.Context, id, secret string) (Ticket, error) {
	t, err := b.Get(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.secrets[id] != secret {
		return Ticket{}, ErrNotFound
	}
	return t, nil
}

func (b *fakeBackend) Queue(ctx context.Context, unit string) ([]Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Ticket
	for _, t := range b.tickets {
		if unit == "" || t.LeadUnit == unit || slices.Contains(t.CoUnits, unit) {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b Ticket) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (b *fakeBackend) Move(ctx context.Context, id, to, by, note string) (Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return Ticket{}, ErrNotFound
	}
	if !hasMove(t.Next, to) {
		return Ticket{}, ErrBadMove
	}
	if to != "延期" {
		t.Events = append(t.Events, Event{At: fixedNow, From: t.Status, Status: to, By: by, Note: note})
		t.Status = to
	}
	t.Next = fakeWorkflow[t.Status]
	t.CanReroute = t.Status == "已受理" || t.Status == "已派单" || t.Status == "退单"
	return *t, nil
}

func (b *fakeBackend) Reroute(ctx context.Context, id, lead string, co []string, by, note string) (Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return Ticket{}, ErrNotFound
	}
	if !t.CanReroute {
		return Ticket{}, ErrBadMove
	}
	t.Events = append(t.Events, Event{At: fixedNow, From: t.Status, Status: t.Status, By: by,
		Note: "改派:" + t.LeadUnit + " → " + lead + "；" + note})
	t.LeadUnit, t.CoUnits = lead, co
	return *t, nil
}

func (b *fakeBackend) RecordUnanswered(ctx context.Context, q string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unanswered = append(b.unanswered, q)
	for i := range b.questions {
		if b.questions[i].Text == q {
			b.questions[i].Count++
			return nil
		}
	}
	b.questions = append(b.questions, Question{ID: fmt.Sprintf("q%d", len(b.questions)+1), Text: q, At: fixedNow, Count: 1})
	return nil
}

func (b *fakeBackend) Unanswered(ctx context.Context) ([]Question, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.questions), nil
}

func (b *fakeBackend) Attach(ctx context.Context, qid, mid, q string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attached[q] = mid
	b.questions = slices.DeleteFunc(b.questions, func(x Question) bool { return x.ID == qid })
	return nil
}

func (b *fakeBackend) Stats(ctx context.Context) (Stats, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := Stats{ByUnit: map[string]map[string]int{}, PendingReview: len(b.questions)}
	for _, t := range b.tickets {
		if st.ByUnit[t.LeadUnit] == nil {
			st.ByUnit[t.LeadUnit] = map[string]int{}
		}
		st.ByUnit[t.LeadUnit][t.Status]++
		st.Total++
		if t.Overdue {
			st.Overdue++
		}
	}
	return st, nil
}

func (b *fakeBackend) Ping(ctx context.Context) error { return b.pingErr }

// env is one test server with its fakes and accounts.
type testEnv struct {
	srv *Server
	kb  *fakeKnowledge
	be  *fakeBackend
	acc *Accounts
	now *time.Time
}

const testPassword = "correct horse"

// newTestEnv builds a server over a temporary database with four accounts
// (hotline hl, unit rs of 区人社局, unit gx of 区工信局, admin ad) and three
// tickets: T1 of 区人社局 (dispatched), T2 of 区工信局, T3 of 区人社局 (overdue).
func newTestEnv(t testing.TB, mod func(*Config)) *testEnv {
	t.Helper()
	return newTestEnvAt(t, fixedNow, mod)
}

// newTestEnvAt is newTestEnv with the server's clock fixed at start.
func newTestEnvAt(t testing.TB, start time.Time, mod func(*Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := start
	clock := func() time.Time { return now }
	acc, err := OpenAccounts(ctx, db, clock)
	if err != nil {
		t.Fatal(err)
	}
	acc.Cost = bcrypt.MinCost
	for _, u := range []struct{ name, role, unit string }{
		{"hl", RoleHotline, ""}, {"rs", RoleUnit, "区人社局"}, {"gx", RoleUnit, "区工信局"}, {"ad", RoleAdmin, ""},
	} {
		if _, err := acc.Add(ctx, u.name, u.role, u.unit, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	kb := &fakeKnowledge{}
	be := newFakeBackend()
	be.add(Ticket{ID: "CQ-20261120-0001", Status: "已派单", LeadUnit: "区人社局", CoUnits: []string{}, Mode: "分类",
		Due: "2026-11-30", CreatedAt: fixedNow.AddDate(0, 0, -7), Text: "招工难，想了解稳岗补贴", Enterprise: "阳泉某机械有限公司", Contact: "张经理"}, "S1")
	be.add(Ticket{ID: "CQ-20261120-0002", Status: "已派单", LeadUnit: "区工信局", CoUnits: []string{"区财政局"}, Mode: "综合",
		Due: "2026-11-30", CreatedAt: fixedNow.AddDate(0, 0, -7), Text: "专精特新奖励何时发放", Enterprise: "城区某新材料公司", Contact: "李会计"}, "S2")
	be.add(Ticket{ID: "CQ-20261118-0003", Status: "办理中", LeadUnit: "区人社局", CoUnits: []string{}, Mode: "分类",
		Due: "2026-11-25", Overdue: true, CreatedAt: fixedNow.AddDate(0, 0, -9), Text: "社保补贴申请材料", Enterprise: "某商贸公司", Contact: "王女士"}, "S3")
	cfg := Config{Knowledge: kb, Awarder: fakeAwarder{}, Router: fakeRouter{}, Chatter: fakeChatter{}, Backend: be,
		Accounts: acc, Now: clock, RatePerSecond: -1, LoginPerMinute: -1}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: srv, kb: kb, be: be, acc: acc, now: &now}
}

var errBoom = errors.New("boom")

type bytesBuffer = bytes.Buffer

func fmtInt(n int) string { return strconv.Itoa(n) }
