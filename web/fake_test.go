package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"

	"golang.org/x/crypto/bcrypt"
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

func (k *fakeKnowledge) Lexicon(id string) *knowledge.LexEntry {
	if id == "ind-03" {
		return &knowledge.LexEntry{Measure: id, Amounts: []knowledge.Amount{
			{Text: "30万元", Condition: "首次认定的省级“专精特新”企业（省市奖励）", Level: "province"},
			{Text: "2万元", Condition: "首次认定的省级“专精特新”企业，区级配套奖励", Level: "district"}}}
	}
	return nil
}

func (k *fakeKnowledge) Scope() knowledge.Scope {
	return knowledge.Scope{Place: "阳泉市城区", Local: "城区", DocNos: []string{"城政办发〔2023〕5号"}}
}

func (k *fakeKnowledge) Validity(m *knowledge.Measure, now time.Time) knowledge.Validity {
	if m.ValidUntil.IsZero() {
		return knowledge.Validity{Status: knowledge.NoTerm}
	}
	return knowledge.Validity{Status: knowledge.Passed, Expired: true, Until: m.ValidUntil, Text: "有效期至2024年2月12日，已过期"}
}

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

func (fakeRouter) Route(text, location string) intake.Route {
	if strings.Contains(text, "招工") {
		return intake.Route{Matched: true, Measures: []string{"ind-07"}, LeadUnit: "区人社局", CoUnits: []string{}, Mode: "分类"}
	}
	return intake.Route{Matched: false, Measures: []string{}, LeadUnit: "区中小企业发展中心", CoUnits: []string{}, Mode: "分类"}
}

type fakeEngine struct{}

func (fakeEngine) Handle(ctx context.Context, key bot.Key, in bot.Input) ([]bot.Reply, error) {
	return []bot.Reply{{Text: "您好，" + in.Text + in.Action, Choices: []bot.Choice{{ID: "ask", Label: "问政策"}},
		Card: &bot.Card{Title: "卡片", Fields: []bot.Field{{Name: "会话", Value: key.User}}}}}, nil
}

// fakeBackend is an in-memory ticket store and question log; the moves it
// allows are intake's workflow.
type fakeBackend struct {
	mu         sync.Mutex
	tickets    map[string]*intake.Ticket
	secrets    map[string]string
	seq        int
	questions  []intake.Unanswered
	resolved   map[string]string
	unanswered []string
	keys       map[string]fakeKey
	filed      []intake.NewTicket // what File was given, in order
	seqOf      []int              // the ticket each of filed made
	daily      fakeDaily
}

type fakeKey struct{ id, print string }

func newFakeBackend() *fakeBackend {
	return &fakeBackend{tickets: map[string]*intake.Ticket{}, secrets: map[string]string{}, resolved: map[string]string{},
		keys: map[string]fakeKey{}}
}

// count is how many tickets the backend holds.
func (b *fakeBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.tickets)
}

func (b *fakeBackend) add(t intake.Ticket, secret string) intake.Ticket {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(t.Events) == 0 {
		t.Events = []intake.Event{{At: fixedNow, Kind: intake.KindFile, Status: t.Status, By: "企业", Note: "登记"}}
	}
	b.tickets[t.ID] = &t
	b.secrets[t.ID] = secret
	return t
}

func (b *fakeBackend) File(ctx context.Context, nt intake.NewTicket) (intake.Ticket, error) {
	b.mu.Lock()
	if k, ok := b.keys[nt.Key]; ok && nt.Key != "" { // intake's filing keys
		t := *b.tickets[k.id]
		b.mu.Unlock()
		if k.print != nt.Text+"|"+nt.Enterprise+"|"+nt.Contact+"|"+nt.Location {
			return intake.Ticket{}, intake.ErrKeyReused
		}
		t.Secret, t.Replayed = b.secrets[t.ID], true
		return t, nil
	}
	for i, was := range b.filed { // intake folds the same text from one origin
		if nt.Origin != "" && was.Origin == nt.Origin && was.Text == nt.Text {
			t := *b.tickets[fmt.Sprintf("CQ-20261127-%04d", b.seqOf[i])]
			b.mu.Unlock()
			t.Duplicate = true
			return t, nil
		}
	}
	b.seq++
	id := fmt.Sprintf("CQ-20261127-%04d", b.seq)
	b.seqOf = append(b.seqOf, b.seq)
	if nt.Key != "" {
		b.keys[nt.Key] = fakeKey{id, nt.Text + "|" + nt.Enterprise + "|" + nt.Contact + "|" + nt.Location}
	}
	b.filed = append(b.filed, nt)
	if nt.Origin != "" {
		b.daily.count(nt.Origin, true)
	}
	b.mu.Unlock()
	lead := "区中小企业发展中心"
	if strings.Contains(nt.Text, "招工") {
		lead = "区人社局"
	}
	t := b.add(intake.Ticket{Summary: intake.Summary{ID: id, Status: intake.StatusReceived, LeadUnit: lead, CoUnits: []string{},
		Measures: []string{}, Mode: "分类", Due: day(2026, 12, 4), CreatedAt: fixedNow},
		Text: nt.Text, Enterprise: nt.Enterprise, Contact: nt.Contact, Location: nt.Location, Channel: intake.NormalizeChannel(nt.Channel)},
		"SECRET"+id[len(id)-4:])
	t.Secret = "SECRET" + id[len(id)-4:]
	return t, nil
}

func (b *fakeBackend) Get(ctx context.Context, id string) (intake.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return intake.Ticket{}, fmt.Errorf("ticket %s: %w", id, intake.ErrNotFound)
	}
	return *t, nil
}

func (b *fakeBackend) GetForReporter(ctx context.Context, id, key, secret string) (intake.Ticket, error) {
	t, err := b.Get(ctx, id)
	if err != nil {
		return intake.Ticket{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.secrets[id] != secret {
		return intake.Ticket{}, intake.ErrNotFound
	}
	return t, nil
}

// QueuePage is intake's queue cut into keyset pages: overdue first, then
// the nearest deadline, then the id.
func (b *fakeBackend) QueuePage(ctx context.Context, unit string, p intake.Page) (intake.TicketPage, error) {
	b.mu.Lock()
	var ts []intake.Ticket
	for _, t := range b.tickets {
		if t.Status != intake.StatusVisited && (unit == "" || t.LeadUnit == unit || slices.Contains(t.CoUnits, unit)) {
			ts = append(ts, *t)
		}
	}
	b.mu.Unlock()
	key := func(t intake.Ticket) string {
		o := "1"
		if t.Overdue {
			o = "0"
		}
		return o + "|" + t.Due.String() + "|" + t.ID
	}
	slices.SortFunc(ts, func(x, y intake.Ticket) int { return strings.Compare(key(x), key(y)) })
	keys := make([]string, len(ts))
	for i, t := range ts {
		keys[i] = key(t)
	}
	start, end, next, err := fakePage(keys, p)
	if err != nil {
		return intake.TicketPage{}, err
	}
	return intake.TicketPage{Tickets: ts[start:end], Next: next}, nil
}

// fakePage cuts the page p of a list sorted by keys: the cursor is the
// last key of the page before.
func fakePage(keys []string, p intake.Page) (start, end int, next string, err error) {
	if p.After != "" {
		after, derr := base64.RawURLEncoding.DecodeString(p.After)
		if derr != nil {
			return 0, 0, "", fmt.Errorf("%w: 翻页参数无效", intake.ErrInvalid)
		}
		start = sort.SearchStrings(keys, string(after)+"\x00")
		if start < len(keys) && keys[start] == string(after) {
			start++
		}
	}
	limit := p.Limit
	if limit <= 0 {
		limit = intake.DefaultPageSize
	}
	end = min(start+limit, len(keys))
	if end < len(keys) && end > start {
		next = base64.RawURLEncoding.EncodeToString([]byte(keys[end-1]))
	}
	return start, end, next, nil
}

// Move is intake's Move: the reply and the rating are told to the
// enterprise, other notes stay with staff.
func (b *fakeBackend) Move(ctx context.Context, id string, to intake.Status, by, note string) (intake.Ticket, error) {
	r := intake.Remark{Internal: note}
	if t, err := b.Get(ctx, id); err == nil {
		for _, tr := range t.Status.Next() {
			if tr.To == to && (tr.Need == intake.NeedReply || tr.Need == intake.NeedRating) {
				r = intake.Remark{Told: note}
			}
		}
	}
	return b.MoveWith(ctx, id, to, by, r)
}

func (b *fakeBackend) MoveWith(ctx context.Context, id string, to intake.Status, by string, r intake.Remark) (intake.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return intake.Ticket{}, intake.ErrNotFound
	}
	if !t.Status.Allows(to) {
		return intake.Ticket{}, intake.ErrBadMove
	}
	if to != intake.Extend {
		t.Events = append(t.Events, intake.Event{At: fixedNow, Kind: intake.KindMove, From: t.Status, Status: to, By: by, Note: r.Told, Internal: r.Internal})
		t.Status = to
	}
	return *t, nil
}

func (b *fakeBackend) Reroute(ctx context.Context, id string, rt intake.Route, by, note string) (intake.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.tickets[id]
	if !ok {
		return intake.Ticket{}, intake.ErrNotFound
	}
	if !t.Status.CanReroute() {
		return intake.Ticket{}, intake.ErrBadMove
	}
	t.Events = append(t.Events, intake.Event{At: fixedNow, Kind: intake.KindReroute, From: t.Status, Status: t.Status, By: by,
		Note: "改派:" + t.LeadUnit + " → " + rt.LeadUnit + "；" + note})
	t.LeadUnit, t.CoUnits = rt.LeadUnit, rt.CoUnits
	return *t, nil
}

func (b *fakeBackend) Stats(ctx context.Context) (intake.Stats, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := intake.Stats{ByUnit: map[string]map[intake.Status]int{}, Unanswered: len(b.questions)}
	for _, t := range b.tickets {
		if st.ByUnit[t.LeadUnit] == nil {
			st.ByUnit[t.LeadUnit] = map[intake.Status]int{}
		}
		st.ByUnit[t.LeadUnit][t.Status]++
		st.Total++
		if t.Overdue {
			st.Overdue++
		}
	}
	return st, nil
}

func (b *fakeBackend) RecordUnanswered(ctx context.Context, q string) error {
	return b.RecordUnansweredFrom(ctx, q, "", "")
}

// RecordUnansweredFrom keeps q and counts it toward origin's day.
func (b *fakeBackend) RecordUnansweredFrom(ctx context.Context, q, reporterKey, origin string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unanswered = append(b.unanswered, q)
	if origin != "" {
		b.daily.count(origin, false)
	}
	for i := range b.questions {
		if b.questions[i].Question == q {
			b.questions[i].Count++
			return nil
		}
	}
	b.questions = append(b.questions, intake.Unanswered{Question: q, Count: 1, FirstAt: fixedNow, LastAt: fixedNow})
	return nil
}

func (b *fakeBackend) Unanswered(ctx context.Context) ([]intake.Unanswered, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.questions), nil
}

// UnansweredPage pages the questions, the most asked first.
func (b *fakeBackend) UnansweredPage(ctx context.Context, p intake.Page) (intake.QuestionPage, error) {
	b.mu.Lock()
	qs := slices.Clone(b.questions)
	b.mu.Unlock()
	key := func(q intake.Unanswered) string { return fmt.Sprintf("%010d|%s", 1<<30-q.Count, q.Question) }
	slices.SortFunc(qs, func(x, y intake.Unanswered) int { return strings.Compare(key(x), key(y)) })
	keys := make([]string, len(qs))
	for i, q := range qs {
		keys[i] = key(q)
	}
	start, end, next, err := fakePage(keys, p)
	if err != nil {
		return intake.QuestionPage{}, err
	}
	return intake.QuestionPage{Questions: qs[start:end], Next: next}, nil
}

func (b *fakeBackend) ResolveUnanswered(ctx context.Context, q, measureID string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.resolved[q] = measureID
	b.questions = slices.DeleteFunc(b.questions, func(x intake.Unanswered) bool { return x.Question == q })
	return nil
}

// day is a date of the tests' calendar.
func day(y int, m time.Month, d int) intake.Date { return intake.Date{Year: y, Month: m, Day: d} }

// env is one test server with its fakes and accounts.
type testEnv struct {
	srv *Server
	kb  *fakeKnowledge
	be  *fakeBackend
	db  *sqlite.DB
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
	if err := knowledge.MigrateLexicon(ctx, db); err != nil {
		t.Fatal(err)
	}
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
	be.add(intake.Ticket{Summary: intake.Summary{ID: "CQ-20261120-0001", Status: intake.StatusDispatched, LeadUnit: "区人社局",
		CoUnits: []string{}, Measures: []string{"ind-07"}, Mode: "分类", Due: day(2026, 11, 30), CreatedAt: fixedNow.AddDate(0, 0, -7)},
		Text: "招工难，想了解稳岗补贴", Enterprise: "阳泉某机械有限公司", Contact: "张经理", Location: "义井镇"}, "S1")
	be.add(intake.Ticket{Summary: intake.Summary{ID: "CQ-20261120-0002", Status: intake.StatusDispatched, LeadUnit: "区工信局",
		CoUnits: []string{"区财政局"}, Mode: "综合", Due: day(2026, 11, 30), CreatedAt: fixedNow.AddDate(0, 0, -7)},
		Text: "专精特新奖励何时发放", Enterprise: "城区某新材料公司", Contact: "李会计"}, "S2")
	be.add(intake.Ticket{Summary: intake.Summary{ID: "CQ-20261118-0003", Status: intake.StatusHandling, LeadUnit: "区人社局",
		CoUnits: []string{}, Mode: "分类", Due: day(2026, 11, 25), Overdue: true, CreatedAt: fixedNow.AddDate(0, 0, -9)},
		Text: "社保补贴申请材料", Enterprise: "某商贸公司", Contact: "王女士"}, "S3")
	cfg := Config{Knowledge: kb, Awarder: fakeAwarder{}, Router: fakeRouter{}, Engine: fakeEngine{}, Tickets: be, Questions: be,
		DB: db, Accounts: acc, Now: clock, RatePerSecond: -1, LoginFree: -1}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: srv, kb: kb, be: be, db: db, acc: acc, now: &now}
}

type bytesBuffer = bytes.Buffer

// fakeDaily is intake's daily counts per origin (the backend's lock
// guards it).
type fakeDaily map[string]intake.Daily

func (f *fakeDaily) count(who string, ticket bool) {
	if *f == nil {
		*f = fakeDaily{}
	}
	d := (*f)[who]
	if ticket {
		d.Tickets++
	} else {
		d.Questions++
	}
	(*f)[who] = d
}

// DailyCount is what origin who filed today.
func (b *fakeBackend) DailyCount(ctx context.Context, who string) (intake.Daily, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.daily[who], nil
}
