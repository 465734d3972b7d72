package knowledge

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// baseOf is the built-in base with notices of the fixtures loaded, as
// published, in order.
func baseOf(t *testing.T, files ...string) *Base {
	t.Helper()
	var st []StoredNotice
	for i, f := range files {
		st = append(st, StoredNotice{ID: int64(i + 1), Notice: parseFixture(t, f), State: Published})
	}
	b, err := baseWith(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Units are canonical within their place: 阳泉's 区发改局 and 官渡's are two
// units; a name only another place uses is that place's; the query may name
// the place.
func TestUnitsByPlace(t *testing.T) {
	b := baseOf(t, "eval/kunming-guandu-2017-24tiao.txt", "eval/nanchang-25tiao-2020.txt")
	tests := []struct {
		q, unit, place string
		builtin        bool // its measures are the built-in notice's
		cand           string
	}{
		// The notice loaded last with the name first; the other place is a candidate.
		{"区发改局", "区发改局", "昆明市官渡区", false, "区发改局(阳泉市城区)"},
		{"阳泉市城区发改局", "区发改局", "阳泉市城区", true, ""},
		{"官渡区住建局", "区住建局", "昆明市官渡区", false, ""},
		{"市金融办", "市金融办", "南昌市", false, ""},
		// 南昌's 市税务局 is not 阳泉's 国家税务总局阳泉市城区税务局.
		{"市税务局", "市税务局", "南昌市", false, ""},
		{"南昌市税务局", "市税务局", "南昌市", false, ""},
		{"区人社局", "区人社局", "阳泉市城区", true, ""},
	}
	for _, tt := range tests {
		r := b.Unit(tt.q)
		if r.Unit != tt.unit || r.Place != tt.place || len(r.Measures) == 0 {
			t.Errorf("Unit(%q) = %+v, want %s of %s", tt.q, r, tt.unit, tt.place)
			continue
		}
		for _, id := range r.Measures {
			if builtin := strings.HasPrefix(id, "ind-") || strings.HasPrefix(id, "inv-"); builtin != tt.builtin {
				t.Errorf("Unit(%q) lists %s: measures of two places merged", tt.q, id)
			}
		}
		if tt.cand != "" && !slices.Contains(r.Candidates, tt.cand) {
			t.Errorf("Unit(%q) candidates = %q, want %q", tt.q, r.Candidates, tt.cand)
		}
	}
	// 南昌's 市商务局 is unknown here (the excerpt has none): it must not be 阳泉's 区商务局.
	if r := b.Unit("市商务局"); r.Unit == "区商务局" {
		t.Errorf("Unit(市商务局) = %+v, want not 阳泉's 区商务局", r)
	}
}

// Each notice says its place and issuer in answers when it is not the home
// place's; an expired notice's answer opens with its 时效提示.
func TestAnswersSayWhosePolicy(t *testing.T) {
	b := baseOf(t, "eval/zhejiang-shengzhou-2022.txt", "synthetic-riders.txt")
	a := b.Ask("省级未来工厂奖励多少", 3, day("2026-12-01"))
	if !a.Answered || !strings.Contains(a.Text, "出自嵊州市人民政府《加快推进工业经济高质量发展若干政策》") || !strings.Contains(a.Text, "100万元") {
		t.Errorf("answer = %q, want whose policy and the sum", a.Text)
	}
	a = b.Ask("科技成果转化基金规模", 3, day("2026-12-01"))
	if !strings.HasPrefix(a.Text, "时效提示") || !strings.Contains(a.Text, "已到期") {
		t.Errorf("answer from an expired notice = %q, want its 时效提示 first", a.Text)
	}
	a = b.Ask("科技成果转化基金规模", 3, day("2025-12-01"))
	if strings.HasPrefix(a.Text, "时效提示") {
		t.Errorf("answer while in force = %q, want no 时效提示 first", a.Text)
	}
	// The built-in notice's answers are as they were.
	a = b.Ask("二十条第3条", 3, day("2026-12-01"))
	if !strings.HasPrefix(a.Text, "【二十条第3条】") || !strings.Contains(a.Text, "（出自《阳泉市城区加快工业企业复产达产二十条措施》）") {
		t.Errorf("built-in answer = %q", a.Text)
	}
}

// The notices of a base with their status on a day: the built-in one's
// 十八条 has ended, its 二十条 states no term; an ingested notice with a
// term is in force until it ends; one another notice replaces (同时废止 in
// its text) is superseded and its measures say so.
func TestNoticeListStatus(t *testing.T) {
	old := `某某市人民政府关于印发某某市促进科技创新若干措施的通知
某府〔2021〕8号
各县(市、区)人民政府:
《某某市促进科技创新若干措施》已经市政府同意,现印发给你们。
某某市人民政府
2021年5月1日
某某市促进科技创新若干措施
一、支持研发
(一)鼓励研发投入。对研发投入大的企业给予奖励。(责任单位:市科技局)
`
	on, err := ParseNotice([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	b, err := baseWith([]StoredNotice{{ID: 1, Notice: on, State: Published}, {ID: 2, Notice: parseFixture(t, "synthetic-riders.txt"), State: Published}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := b.NoticeList(day("2025-06-01"))
	if len(list) != 3 {
		t.Fatalf("%d notices, want 3", len(list))
	}
	want := []struct {
		id     string
		status NoticeStatus
	}{{BuiltinID, NoticePartlyExpired}, {"1", NoticeSuperseded}, {"2", NoticeInForce}}
	for i, w := range want {
		if list[i].ID != w.id || list[i].Status != w.status {
			t.Errorf("notice %d = %s %s (%s), want %s %s", i, list[i].ID, list[i].Status, list[i].Validity, w.id, w.status)
		}
	}
	if list[1].SupersededBy == nil || list[1].SupersededBy.DocNo != "某府〔2024〕3号" || list[2].Supersedes == nil || list[2].Supersedes.ID != "1" {
		t.Errorf("supersession = %+v / %+v", list[1].SupersededBy, list[2].Supersedes)
	}
	if got := b.NoticeList(day("2026-12-01"))[2].Status; got != NoticeExpired {
		t.Errorf("after its term the notice is %s, want expired", got)
	}
	m, _ := b.Measure(on.Packages[0].Measures[0].ID)
	v := b.Validity(m, day("2025-06-01"))
	if v.Status != Superseded || !v.Expired || v.SupersededBy == nil || !strings.Contains(v.Text, "某府〔2024〕3号") {
		t.Errorf("validity of a superseded measure = %+v", v)
	}
	// On the topic, the new notice answers before the superseded one (its
	// title is the question word for word).
	a := b.Ask("鼓励研发投入", 5, day("2025-06-01"))
	newAt := slices.IndexFunc(a.Results, func(r Result) bool { return strings.HasPrefix(r.ID, "n2024-3") })
	oldAt := slices.IndexFunc(a.Results, func(r Result) bool { return strings.HasPrefix(r.ID, "n2021-8") })
	if newAt < 0 || oldAt >= 0 && oldAt < newAt {
		t.Errorf("ask on the topic = %+v, want the new notice before the superseded one", a.Results)
	}
}

// A Live base reloads from the database: a published notice is answered
// at once, a withdrawn one no more.
func TestLiveReload(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(b)
	desk := NewDesk(db, live, func() time.Time { return day("2026-12-01") })
	_, src := fixtureFile(t, "eval/nanchang-25tiao-2020.txt")
	id, err := desk.Ingest(ctx, Upload{Name: "nc.txt", Source: src, By: "张三"})
	if err != nil {
		t.Fatal(err)
	}
	q := "普惠性转贷基金的费率"
	if a := live.Ask(q, 3, day("2026-12-01")); strings.Contains(a.Results[0].Title, "纾困基金") {
		t.Fatalf("a draft is answered from")
	}
	if err := desk.Publish(ctx, id, "李四"); err != nil {
		t.Fatal(err)
	}
	if a := live.Ask(q, 3, day("2026-12-01")); !strings.Contains(a.Results[0].Title, "纾困基金") {
		t.Errorf("published, not answered from: %+v", a.Results[0])
	}
	if changed, err := live.ReloadIfChanged(ctx, db.DB); changed || err != nil {
		t.Errorf("ReloadIfChanged without a change = %v, %v", changed, err)
	}
	if err := WithdrawNotice(ctx, db.DB, id, "王五", "", day("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	if changed, err := live.ReloadIfChanged(ctx, db.DB); !changed || err != nil {
		t.Errorf("ReloadIfChanged after a withdrawal elsewhere = %v, %v", changed, err)
	}
	if a := live.Ask(q, 3, day("2026-12-01")); strings.Contains(a.Results[0].Title, "纾困基金") {
		t.Errorf("withdrawn, still answered from")
	}
	list, err := desk.List(ctx)
	if err != nil || len(list) != 2 || list[1].State != Withdrawn {
		t.Errorf("desk list = %+v, %v; want the built-in and the withdrawn one", list, err)
	}
}

// Live serves every exported method of Base, so a channel given a Live
// instead of a Base loses nothing.
func TestLiveHasBaseMethods(t *testing.T) {
	bt, lt := reflect.TypeOf(&Base{}), reflect.TypeOf(&Live{})
	for i := 0; i < bt.NumMethod(); i++ {
		m := bt.Method(i)
		lm, ok := lt.MethodByName(m.Name)
		if !ok || lm.Type.NumIn() != m.Type.NumIn() || lm.Type.NumOut() != m.Type.NumOut() {
			t.Errorf("Live lacks Base's method %s", m.Name)
		}
	}
}
