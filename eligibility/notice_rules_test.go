package eligibility_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"huiqi/eligibility"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// The rules of a notice that is not the built-in one, as data only: the
// money items of 嵊州's 加快推进工业经济高质量发展若干政策 (the development set's
// zhejiang-shengzhou-2022.txt), read against the review file huiqi writes
// for it after `huiqi ingest` (huiqi notices review ID), whose awards a
// reviewer links to the rules by their id.
const (
	shengzhouRules  = "testdata/notices/zhejiang-shengzhou-2022.rules.json"
	shengzhouReview = "testdata/notices/zhejiang-shengzhou-2022.review.json"
)

var sz2026 = time.Date(2026, 12, 1, 10, 0, 0, 0, zhtext.China())

func loadShengzhou(t *testing.T) *eligibility.Table {
	t.Helper()
	f, err := os.Open(shengzhouRules)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := eligibility.LoadTable(f)
	if err != nil {
		t.Fatalf("LoadTable(%s): %v", shengzhouRules, err)
	}
	return tb
}

// TestIngestedNoticeRulesMatchItsReview: every award of the reviewed file
// names a rule of the table that pays that sum at that level for that
// condition, and every sum a rule pays is an award of the file, once — the
// notice's money as the review reads it and as the rules compute it agree.
func TestIngestedNoticeRulesMatchItsReview(t *testing.T) {
	tb := loadShengzhou(t)
	src, err := os.ReadFile(shengzhouReview)
	if err != nil {
		t.Fatal(err)
	}
	var rev knowledge.Review
	if err := json.Unmarshal(src, &rev); err != nil {
		t.Fatal(err)
	}
	amounts := ruleAmounts(t, tb)
	if len(amounts) != 12 {
		t.Fatalf("the rules pay %d sums, want the 12 awards of items 1 and 2", len(amounts))
	}
	awards := 0
	for _, m := range rev.Measures {
		for _, a := range m.Awards {
			if a.Kind != knowledge.KindAward {
				continue
			}
			awards++
			var hit []*ruleAmount
			for _, ra := range amounts {
				if ra.rule.Measure == m.ID && ra.rule.ID == a.Rule && ra.text == zhtext.FormatYuan(a.Yuan) &&
					ra.rule.Level == a.Level && (ra.key == "" || strings.Contains(a.Condition, ra.key)) {
					hit = append(hit, ra)
				}
			}
			if len(hit) != 1 {
				t.Errorf("%s award %s (%s, rule %q) matches %d rule sums, want 1", m.ID, a.Text, a.Condition, a.Rule, len(hit))
			}
			for _, ra := range hit {
				ra.found++
			}
		}
	}
	if awards != len(amounts) {
		t.Errorf("the review has %d awards, the rules pay %d sums", awards, len(amounts))
	}
	for _, ra := range amounts {
		if ra.found != 1 {
			t.Errorf("rule %s pays %s (%q): %d awards of the review name it, want 1", ra.rule.ID, ra.text, ra.key, ra.found)
		}
	}
}

// TestIngestedNoticeComputes evaluates profiles against the 嵊州 rules:
// its own level (市级) makes the local total, and the reasons are its own.
func TestIngestedNoticeComputes(t *testing.T) {
	tb := loadShengzhou(t)
	tests := []struct {
		name, profile string
		local         int64
		items         map[string]int64
		reason        string
	}{
		{"everything", `{"factory_titles":[{"title":"provincial_smart_factory","year":2023}],"it_lists":[{"title":"national_it_top100","year":2023}],
			"software_enterprise":true,"software_sales_prev_max_yuan":15000000,"software_sales_yuan":60000000,"first_edition_software":true}`,
			300000 + 200000 + 500000 + 500000, map[string]int64{"sz-01-factory": 300000, "sz-02-it-lists": 200000, "sz-02-software-sales": 500000, "sz-02-first-edition": 500000}, ""},
		{"two titles the same year", `{"factory_titles":[{"title":"provincial_future_factory","year":2023},{"title":"shaoxing_digital_workshop","year":2023}]}`,
			1100000, map[string]int64{"sz-01-factory": 1100000}, ""},
		{"a title of another year", `{"factory_titles":[{"title":"provincial_smart_factory","year":2022}]}`, 0, nil, "须为2023年当年认定"},
		{"not a software enterprise", `{"software_enterprise":false,"software_sales_yuan":60000000}`, 0, nil, "须为通过软件企业评估"},
		{"sales below every threshold", `{"software_enterprise":true,"software_sales_yuan":9000000}`, 0, nil, "未达到最低门槛1000万元"},
		{"a threshold crossed before", `{"software_enterprise":true,"software_sales_prev_max_yuan":12000000,"software_sales_yuan":18000000}`, 0, nil, "没有首次突破新的门槛"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tb.DecodeProfile(strings.NewReader(tc.profile), sz2026)
			if err != nil {
				t.Fatal(err)
			}
			r := tb.Evaluate(p, sz2026)
			got := map[string]int64{}
			for _, it := range r.Items {
				got[it.Rule] += it.AmountYuan
				if it.Level != eligibility.LevelCity {
					t.Errorf("item %s at level %s, want city", it.Rule, it.Level)
				}
			}
			if r.DistrictTotalYuan != tc.local || r.OtherLevelsTotalYuan != 0 || len(got) != len(tc.items) {
				t.Errorf("local %d, other %d, items %v; want %d, 0, %v", r.DistrictTotalYuan, r.OtherLevelsTotalYuan, got, tc.local, tc.items)
			}
			for id, v := range tc.items {
				if got[id] != v {
					t.Errorf("rule %s pays %d, want %d", id, got[id], v)
				}
			}
			text := r.Text()
			if !strings.Contains(text, "【市级奖励】") || !strings.Contains(text, "市经信局") || strings.Contains(text, "区级") {
				t.Errorf("the report does not speak of the notice's own level and deciders:\n%s", text)
			}
			if tc.reason != "" && !strings.Contains(text, tc.reason) {
				t.Errorf("the report lacks the reason %q:\n%s", tc.reason, text)
			}
		})
	}
	// The profile is this notice's: the built-in notice's fields and titles
	// are not, and the other way round.
	for _, bad := range []string{`{"revenue_yuan":1}`, `{"factory_titles":[{"title":"little_giant","year":2023}]}`} {
		if _, err := tb.DecodeProfile(strings.NewReader(bad), sz2026); err == nil {
			t.Errorf("the 嵊州 table took %s", bad)
		}
	}
	if _, err := eligibility.DecodeProfile(strings.NewReader(`{"factory_titles":[]}`), sz2026); err == nil {
		t.Error("the built-in table took a 嵊州 field")
	}
}

// TestIngestedNoticeDialog runs the questionnaire of the 嵊州 table: its
// own questions, about 2023, and a report of its own awards.
func TestIngestedNoticeDialog(t *testing.T) {
	tb := loadShengzhou(t)
	answers := map[string]string{
		"factory_titles":               "省级智能工厂 2023年",
		"it_lists":                     "没有",
		"software_enterprise":          "是的",
		"software_sales_yuan":          "大概六千万",
		"software_sales_prev_max_yuan": "1500万",
		"first_edition_software":       "没有",
	}
	var a eligibility.Answers
	var asked []string
	for i := 0; ; i++ {
		if i > 20 {
			t.Fatalf("the dialog does not end: %v", asked)
		}
		q, ok := tb.Next(a)
		if !ok {
			break
		}
		if strings.Contains(q.Text, "今年") || (strings.Contains(q.Text, "年") && !strings.Contains(q.Text, "2023")) {
			t.Errorf("question %s: %q does not name the policy year", q.Field, q.Text)
		}
		asked = append(asked, q.Field)
		var err error
		if a, err = tb.Apply(a, q.Field, answers[q.Field], sz2026); err != nil {
			t.Fatalf("Apply(%s, %q): %v", q.Field, answers[q.Field], err)
		}
	}
	if len(asked) != len(answers) {
		t.Errorf("asked %v, want all %d questions", asked, len(answers))
	}
	r := tb.DialogReport(a, sz2026)
	if r.DistrictTotalYuan != 300000+500000 {
		t.Errorf("dialog total %d, want 80万 (智能工厂 30万 + 5000万 threshold 50万): %+v", r.DistrictTotalYuan, r.Items)
	}
	if len(r.Estimates) != 1 || !strings.Contains(r.Estimates[0], "约6000万元") {
		t.Errorf("estimates = %q, want the 6000万 estimate", r.Estimates)
	}
}
