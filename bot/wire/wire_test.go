package wire

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/eligibility"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestQuestionnaire(t *testing.T) {
	var q Questionnaire
	// nil, "null" and "{}" are all "nothing answered yet".
	for _, raw := range []json.RawMessage{nil, json.RawMessage("null"), json.RawMessage("{}")} {
		first, ok, err := q.Next(raw)
		if err != nil || !ok || first.Field != "above_scale_industrial" || first.Kind != "bool" {
			t.Fatalf("Next(%q) = %+v, %v, %v, want the 规上 question", raw, first, ok, err)
		}
	}
	tests := []struct {
		field, in string
		wantBad   bool
	}{
		{"above_scale_industrial", "是", false},
		{"above_scale_industrial", "很多", true},
		{"output_growth_pct.jan_feb", "三成半", false},
		{"output_growth_pct.jan_feb", "😀", true},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.in, func(t *testing.T) {
			_, _, err := q.Apply(nil, tt.field, tt.in, now)
			var bad *bot.BadAnswer
			if got := errors.As(err, &bad); got != tt.wantBad {
				t.Fatalf("Apply(%q, %q) = %v, want bad answer %v", tt.field, tt.in, err, tt.wantBad)
			}
			if tt.wantBad && bad.Hint == "" {
				t.Errorf("Apply(%q, %q): empty hint", tt.field, tt.in)
			}
		})
	}
	a, _, err := q.Apply(nil, "above_scale_industrial", "是", now)
	if err != nil {
		t.Fatal(err)
	}
	next, _, _ := q.Next(a)
	if next.Field != "output_growth_pct.jan_feb" {
		t.Errorf("after 是, Next = %q, want output_growth_pct.jan_feb", next.Field)
	}
	stakes, err := q.Stakes(a)
	if err != nil || len(stakes) == 0 || stakes[0].Field != "output_growth_pct.jan_feb" || stakes[0].UpTo != 50000 {
		t.Errorf("Stakes = %+v, %v, want 5万元 on the growth question first", stakes, err)
	}
	skipped, err := q.Skip(a, next.Field)
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := q.Next(skipped); n.Field == next.Field {
		t.Errorf("Skip did not move past %q", next.Field)
	}
	report, err := q.Report(a, now)
	if err != nil || report == "" {
		t.Errorf("Report = %q, %v", report, err)
	}
	if _, _, err := q.Next(json.RawMessage("{not json")); err == nil {
		t.Error("Next accepted broken state")
	}
}

// TestQuestionnaireUsesTheNoticeInForce: with the rules of a newer notice
// loaded (the 嵊州 rows, as if issued for 2026), a dialog started while its
// policy year runs is that notice's — its own questions, its own report —
// and keeps it to the end; once every policy year has ended a new dialog is
// the built-in notice's again.
func TestQuestionnaireUsesTheNoticeInForce(t *testing.T) {
	src, err := os.ReadFile("../../eligibility/testdata/notices/zhejiang-shengzhou-2022.rules.json")
	if err != nil {
		t.Fatal(err)
	}
	js := strings.NewReplacer(`"policy_year": 2023`, `"policy_year": 2026`, `"min_year": 2023`, `"min_year": 2026`,
		`"max_year": 2023`, `"max_year": 2026`, `"issued": "2022-12-19"`, `"issued": "2026-03-01"`, `按2023年计`, `按2026年计`).Replace(string(src))
	sz, err := eligibility.LoadTable(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	set, err := eligibility.NewSet(sz)
	if err != nil {
		t.Fatal(err)
	}
	q := Questionnaire{Set: set}
	raw, err := q.Start(now)
	if err != nil {
		t.Fatal(err)
	}
	first, ok, err := q.Next(raw)
	if err != nil || !ok || first.Field != "factory_titles" || !strings.Contains(first.Text, "2026年") {
		t.Fatalf("first question in 2026 = %+v, %v, %v, want the newer notice's", first, ok, err)
	}
	raw, _, err = q.Apply(raw, "factory_titles", "省级智能工厂 2026年", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"it_lists", "software_enterprise", "first_edition_software"} {
		if raw, _, err = q.Apply(raw, field, "没有", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, more, _ := q.Next(raw); more {
		t.Error("the dialog did not end")
	}
	report, err := q.Report(raw, now)
	if err != nil || !strings.Contains(report, "【市级奖励】2026政策年度合计 30万元") || strings.Contains(report, "申报时间已过") {
		t.Errorf("report = %q, %v", report, err)
	}
	in2027 := now.AddDate(1, 0, 0)
	raw, err = q.Start(in2027)
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := q.Next(raw); first.Field != "above_scale_industrial" {
		t.Errorf("first question in 2027 = %s, want the built-in notice's", first.Field)
	}
}
