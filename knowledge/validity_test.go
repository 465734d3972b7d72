package knowledge

import (
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

func TestValidity(t *testing.T) {
	b := mustBuiltin(t)
	cst := zhtext.China()
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }
	tests := []struct {
		id      string
		now     time.Time
		want    Status
		until   string // the package's last day, "" when none
		wantIn  []string
		wantOut []string
	}{
		// The 十八条: 有效期1年 from 2023-02-13, so its last day is 2024-02-12.
		{"inv-15", day(2023, 6, 1, 9), InForce, "2024-02-12", []string{"《十八条》有效期至2024年2月12日。"}, []string{"时效提示"}},
		{"inv-15", day(2024, 2, 12, 23), InForce, "2024-02-12", []string{"有效期至2024年2月12日"}, []string{"到期"}},
		{"inv-15", day(2024, 2, 13, 0), Passed, "2024-02-12", []string{"已到期", "请向区商务局确认"}, nil},
		{"inv-01", fixedNow, Passed, "2024-02-12", []string{"《十八条》有效期至2024年2月12日，已到期"}, nil},
		// The 二十条 states no validity; a clause without a date of its own
		// has no term to pass, however old the notice.
		{"ind-03", fixedNow, NoTerm, "", []string{"《二十条》", "没有写明有效期", "2023年2月13日印发", "区中小企业发展中心"}, []string{"已过", "阶段性"}},
		{"ind-03", day(2023, 3, 1, 9), NoTerm, "", []string{"没有写明有效期"}, nil},
		{"ind-07", day(2031, 1, 1, 9), NoTerm, "", []string{"区人社局"}, []string{"已过"}},
		// 从2023年起 starts an award; it sets no end, and the answer says so
		// (issue 13: it was once called a period that had passed).
		{"ind-14", fixedNow, NoTerm, "", []string{"没有写明有效期", "“从2023年起”执行，没有截止日期"}, []string{"已过", "到期"}},
		// A clause's own limit: loans may be deferred to 2023-06-30.
		{"ind-11", day(2023, 6, 30, 22), InForce, "", []string{"“付息日期原则上最长可延至2023年6月30日”的期限尚未到"}, []string{"时效提示"}},
		{"ind-11", day(2023, 7, 1, 8), Passed, "", []string{"“付息日期原则上最长可延至2023年6月30日”的期限已过", "请向区政府办公室确认"}, nil},
		// A month range ends on the month's last day: 2023年1月至3月期间.
		{"ind-02", day(2023, 3, 31, 12), InForce, "", []string{"“2023年1月至3月期间”"}, nil},
		{"ind-02", day(2023, 4, 1, 12), Passed, "", []string{"“2023年1月至3月期间”的期限已过"}, nil},
		{"ind-05", fixedNow, Passed, "", []string{"“至2023年3月期间”的期限已过"}, nil},
		// The day is China's: 16:30 UTC on 12 February 2024 is already the 13th.
		{"inv-15", time.Date(2024, 2, 12, 16, 30, 0, 0, time.UTC), Passed, "2024-02-12", nil, nil},
		{"inv-15", time.Date(2024, 2, 12, 15, 30, 0, 0, time.UTC), InForce, "2024-02-12", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.id+"@"+tt.now.Format(time.RFC3339), func(t *testing.T) {
			m, ok := b.Measure(tt.id)
			if !ok {
				t.Fatalf("no measure %s", tt.id)
			}
			v := b.Validity(m, tt.now)
			if v.Status != tt.want || v.Expired != (tt.want == Passed) {
				t.Errorf("Validity(%s, %v) = %s (expired %v), want %s; text %q", tt.id, tt.now, v.Status, v.Expired, tt.want, v.Text)
			}
			until := ""
			if !v.Until.IsZero() {
				until = v.Until.Format(time.DateOnly)
			}
			if until != tt.until {
				t.Errorf("Validity(%s).Until = %q, want %q", tt.id, until, tt.until)
			}
			if tt.until != "" && !strings.Contains(v.Basis, "有效期1年") {
				t.Errorf("Validity(%s).Basis = %q, want the clause that sets the term", tt.id, v.Basis)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(v.Text, w) {
					t.Errorf("Validity(%s, %v).Text = %q, want %q in it", tt.id, tt.now, v.Text, w)
				}
			}
			for _, w := range tt.wantOut {
				if strings.Contains(v.Text, w) {
					t.Errorf("Validity(%s, %v).Text = %q, want no %q", tt.id, tt.now, v.Text, w)
				}
			}
		})
	}
}

// The statuses no official measure has: some limits passed and others not;
// a package term still running over a clause whose own limit has passed.
func TestValidityMixed(t *testing.T) {
	cst := zhtext.China()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, cst) }
	now := at(2024, 1, 1)
	tests := []struct {
		name string
		m    Measure
		want Status
		in   string
	}{
		{"one of two limits passed", Measure{ID: "x-01", Package: "十条", Units: []string{"区财政局"}, Windows: []Window{
			{Until: at(2023, 6, 30), Text: "贷款延至2023年6月30日"}, {Until: at(2024, 12, 31), Text: "补贴至2024年底"}}},
			PartlyPassed, "其他期限尚未到"},
		{"its limit passed, the term runs", Measure{ID: "x-02", Package: "十条", ValidUntil: at(2025, 1, 1), Windows: []Window{
			{Until: at(2023, 6, 30), Text: "贷款延至2023年6月30日"}}},
			Passed, "“贷款延至2023年6月30日”的期限已过。请向责任单位确认"},
		{"nothing dated", Measure{ID: "x-03", Package: "十条"}, NoTerm, "《十条》没有写明有效期"},
		{"zero limits are ignored", Measure{ID: "x-04", Package: "十条", Windows: []Window{{Text: "无日期"}}}, NoTerm, "没有写明有效期"},
	}
	var b *Base // a measure that is not in any base still has a validity
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := b.Validity(&tt.m, now)
			if v.Status != tt.want || !strings.Contains(v.Text, tt.in) {
				t.Errorf("Validity(%+v) = %s %q, want %s with %q", tt.m, v.Status, v.Text, tt.want, tt.in)
			}
		})
	}
	if v := b.Validity(nil, now); v.Status != "" || v.Text != "" {
		t.Errorf("Validity(nil) = %+v, want the zero value", v)
	}
}

// Ask says of every measure what Validity says: one decision, not two.
func TestAskUsesValidity(t *testing.T) {
	b := mustBuiltin(t)
	for _, now := range []time.Time{fixedNow, time.Date(2023, 3, 1, 9, 0, 0, 0, zhtext.China())} {
		for _, m := range b.Measures() {
			a := b.Ask(m.ID, 1, now)
			if len(a.Results) == 0 || a.Results[0].ID != m.ID {
				t.Fatalf("Ask(%q) did not cite the measure: %+v", m.ID, a.Results)
			}
			v, r := b.Validity(m, now), a.Results[0]
			if r.Expired != v.Expired || r.Validity != v.Text || r.ValidityStatus != v.Status {
				t.Errorf("Ask(%q) at %s: expired %v %q %s, Validity: expired %v %q %s", m.ID, now.Format(time.DateOnly),
					r.Expired, r.Validity, r.ValidityStatus, v.Expired, v.Text, v.Status)
			}
			if v.Text != "" && !strings.Contains(a.Text, v.Text) {
				t.Errorf("Ask(%q).Text = %q, want the 时效提示 %q in it", m.ID, a.Text, v.Text)
			}
		}
	}
}
