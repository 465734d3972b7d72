package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"

	"huiqi/internal/zhtext"
)

// The fakes stand in for the knowledge, eligibility and intake packages in
// the engine's unit tests. Their "measures" are placeholders on purpose
// (测试措施甲…), so no made-up policy fact lives in this package.

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

type fakeKnowledge struct{}

var (
	resA = knowledge.Result{ID: "t-01", Ref: "测试条第1条", Title: "测试措施甲", Score: 0.9,
		Units: []string{"测试局"}, Snippet: "测试措施甲的关键句。", Amounts: []string{"2万元"}, Validity: "测试有效期"}
	resB = knowledge.Result{ID: "t-02", Ref: "测试条第2条", Title: "测试措施乙", Score: 0.6,
		Units: []string{"测试中心", "测试局"}, Snippet: "测试措施乙的关键句。"}
)

// The fake measures behind resA and resB, for follow-ups.
var fakeMeasures = []*knowledge.Measure{
	{ID: "t-01", Package: "测试条", Number: 1, Section: "一、测试部分", Title: "测试措施甲", Text: "测试措施甲。测试措施甲的关键句。",
		Units: []string{"测试局"}},
	{ID: "t-02", Package: "测试条", Number: 2, Section: "一、测试部分", Title: "测试措施乙", Text: "测试措施乙。测试措施乙的关键句。",
		Units: []string{"测试中心", "测试局"}},
}

func init() {
	resA.Measure, resB.Measure = fakeMeasures[0], fakeMeasures[1]
}

var fakeNotice = &knowledge.Notice{DocNo: "测政发〔2026〕1号", Issued: time.Date(2026, 1, 5, 0, 0, 0, 0, zhtext.China()),
	Packages: []knowledge.Package{{Key: "t", Name: "测试条", Title: "测试区测试条措施"}}}

func (fakeKnowledge) Measures() []*knowledge.Measure { return fakeMeasures }

func (fakeKnowledge) Measure(ref string) (*knowledge.Measure, bool) {
	return knowledge.ParseMeasureRef(ref, fakeMeasures)
}

func (fakeKnowledge) Package(id string) (*knowledge.Package, bool) {
	return &fakeNotice.Packages[0], id == "t-01" || id == "t-02"
}

func (fakeKnowledge) Notices() []*knowledge.Notice { return []*knowledge.Notice{fakeNotice} }

func (fakeKnowledge) Lexicon(id string) *knowledge.LexEntry {
	if id == "t-01" {
		return &knowledge.LexEntry{Measure: id, Amounts: []knowledge.Amount{{Text: "2万元", Condition: "测试条件", Level: "district"}}}
	}
	return nil
}

func (fakeKnowledge) Validity(m *knowledge.Measure, now time.Time) knowledge.Validity {
	return knowledge.Validity{Status: knowledge.NoTerm, Text: "测试有效期"}
}

func (fakeKnowledge) Scope() knowledge.Scope {
	return knowledge.Scope{Place: "测试区", Local: "测试区", DocNos: []string{"测政发〔2026〕1号"},
		Packages: []knowledge.ScopePackage{{Name: "测试条"}}}
}

// SmallTalk knows three greetings; the real classifier is knowledge's.
func (fakeKnowledge) SmallTalk(text string) (knowledge.SmallTalk, bool) {
	st, ok := map[string]knowledge.SmallTalk{
		"你好":  {Kind: "greeting", Reply: "您好！", Then: knowledge.AfterIntroduce},
		"谢谢":  {Kind: "thanks", Reply: "不客气！"},
		"你是谁": {Kind: "who", Reply: "我是测试助手。", Then: knowledge.AfterIntroduce},
		"再见":  {Kind: "bye", Reply: "再见！", Then: knowledge.AfterEnd},
	}[text]
	return st, ok
}

func (fakeKnowledge) Ask(q string, top int, now time.Time) knowledge.Answer {
	switch {
	case strings.Contains(q, "甲"):
		return knowledge.Answer{Answered: true, Results: []knowledge.Result{resA, resB}, Text: "甲。"}
	case strings.Contains(q, "乙"):
		return knowledge.Answer{Answered: true, Results: []knowledge.Result{resB}, Text: "乙。"}
	case strings.Contains(q, "大概"):
		return knowledge.Answer{Kind: "uncertain", Results: []knowledge.Result{resB, resA},
			Text: "我不太确定您问的是哪条政策，可能相关的是：测试措施乙、测试措施甲。"}
	case strings.Contains(q, "文号"):
		return knowledge.Answer{Answered: true, Kind: knowledge.KindNoticeFact, Results: []knowledge.Result{}, Text: "文号是测试〔2023〕1号。"}
	case strings.Contains(q, "哈哈"):
		return knowledge.Answer{Kind: "chitchat:laugh", Text: "很高兴和您聊天。"}
	case strings.Contains(q, "含糊"):
		return knowledge.Answer{Answered: true, Ambiguous: true, Results: []knowledge.Result{resA, resB},
			Text: "您问的是 测试条第1条 测试措施甲 还是 测试条第2条 测试措施乙?"}
	}
	return knowledge.Answer{Text: "这个问题不在政策措施的范围内。"}
}

// fakeAward asks: scale (bool) → growth (percent, only when scale) → rd (bool).
type fakeAward struct{}

type fakeAnswers map[string]string

func decodeFake(raw json.RawMessage) (fakeAnswers, error) {
	a := fakeAnswers{}
	if len(raw) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("fake answers: %w", err)
	}
	return a, nil
}

func (fakeAward) Start(now time.Time) (json.RawMessage, error) { return nil, nil }

func (fakeAward) Next(raw json.RawMessage) (Question, bool, error) {
	a, err := decodeFake(raw)
	if err != nil {
		return Question{}, false, err
	}
	if _, ok := a["scale"]; !ok {
		return Question{Field: "scale", Kind: "bool", Text: "是规上企业吗？", Help: "回答是或否。"}, true, nil
	}
	if _, ok := a["growth"]; !ok && a["scale"] == "yes" {
		return Question{Field: "growth", Kind: "percent", Text: "增速是多少？", Help: "填一个百分数，如35%。"}, true, nil
	}
	if _, ok := a["rd"]; !ok {
		return Question{Field: "rd", Kind: "bool", Text: "有研发机构吗？", Help: "回答是或否。"}, true, nil
	}
	return Question{}, false, nil
}

func (fakeAward) Apply(raw json.RawMessage, field, input string, now time.Time) (json.RawMessage, Applied, error) {
	out, err := fakeApply(raw, field, input)
	return out, Applied{}, err
}

func fakeApply(raw json.RawMessage, field, input string) (json.RawMessage, error) {
	a, err := decodeFake(raw)
	if err != nil {
		return nil, err
	}
	input = strings.TrimSpace(input)
	switch field {
	case "scale", "rd":
		switch input {
		case "是", "对", "有":
			a[field] = "yes"
		case "否", "不是", "没有":
			a[field] = "no"
		default:
			return nil, &BadAnswer{Hint: "请回答是或否"}
		}
	case "growth":
		v, err := strconv.ParseFloat(strings.TrimSuffix(input, "%"), 64)
		if err != nil {
			return nil, &BadAnswer{Hint: "请填写百分数"}
		}
		a[field] = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("unknown field %q", field)
	}
	return json.Marshal(a)
}

func (fakeAward) Skip(raw json.RawMessage, field string) (json.RawMessage, error) {
	a, err := decodeFake(raw)
	if err != nil {
		return nil, err
	}
	a[field] = "skipped"
	return json.Marshal(a)
}

func (fakeAward) Stakes(raw json.RawMessage) ([]Stake, error) {
	return []Stake{
		{Field: "scale", UpTo: 50000, Why: "规上企业最多可能增加5万元增长奖励"},
		{Field: "growth", UpTo: 50000},
		{Field: "rd", UpTo: 20000, Why: "有研发机构可以奖励"},
	}, nil
}

func (fakeAward) Report(raw json.RawMessage, now time.Time) (string, error) {
	a, err := decodeFake(raw)
	if err != nil {
		return "", err
	}
	keys := []string{"scale", "growth", "rd"}
	var parts []string
	for _, k := range keys {
		if v, ok := a[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return "测试报告：" + strings.Join(parts, "，"), nil
}

// fakeTickets is an in-memory Tickets.
type fakeTickets struct {
	mu         sync.Mutex
	byID       map[string]intake.Ticket
	keys       map[string]string // filing key → ticket id
	unanswered []string
	n          int
}

func newFakeTickets() *fakeTickets { return &fakeTickets{byID: map[string]intake.Ticket{}} }

func (f *fakeTickets) File(ctx context.Context, nt intake.NewTicket) (intake.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.keys[nt.Key]; ok && nt.Key != "" { // intake's filing keys
		t := f.byID[id]
		t.Replayed = true
		return t, nil
	}
	f.n++
	defer func() {
		if nt.Key != "" {
			if f.keys == nil {
				f.keys = map[string]string{}
			}
			f.keys[nt.Key] = fmt.Sprintf("CQ-20261127-%04d", f.n)
		}
	}()
	t := intake.Ticket{Summary: intake.Summary{ID: fmt.Sprintf("CQ-20261127-%04d", f.n), Status: intake.StatusReceived, LeadUnit: "测试中心",
		Due: intake.Date{Year: 2026, Month: 12, Day: 4}, CreatedAt: testNow}, Secret: fmt.Sprintf("S%05d", f.n), ReporterKey: nt.ReporterKey}
	f.byID[t.ID] = t
	return t, nil
}

func (f *fakeTickets) GetForReporter(ctx context.Context, id, reporter, secret string) (intake.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.byID[id]
	if !ok || (t.ReporterKey != reporter && (secret == "" || secret != t.Secret)) {
		return intake.Ticket{}, intake.ErrNotFound
	}
	t.Secret = ""
	return t, nil
}

func (f *fakeTickets) ListByReporter(ctx context.Context, reporter string) ([]intake.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []intake.Ticket
	for _, t := range f.byID {
		if t.ReporterKey == reporter {
			t.Secret = ""
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeTickets) RecordUnanswered(ctx context.Context, q string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unanswered = append(f.unanswered, q)
	return nil
}

// openTestDB opens a database file in a fresh temporary directory.
func openTestDB(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	if path == "" {
		path = tb.TempDir() + "/huiqi.db"
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func newFakeEngine(tb testing.TB, db *sqlite.DB) (*Engine, *fakeTickets) {
	tb.Helper()
	if db == nil {
		db = openTestDB(tb, "")
	}
	tk := newFakeTickets()
	// The rate limits are tested on their own clock (ratelimit_test.go);
	// here a limiter on the real clock would make tests depend on speed.
	e, err := New(Deps{Knowledge: fakeKnowledge{}, Award: fakeAward{}, Tickets: tk, DB: db,
		Now: func() time.Time { return testNow }, RateLimit: -1, ActionLimit: -1, TicketLimit: -1})
	if err != nil {
		tb.Fatal(err)
	}
	return e, tk
}
