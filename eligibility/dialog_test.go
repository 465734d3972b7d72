package eligibility

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// walk runs a whole dialog, answering each question from answers (a
// missing answer skips it), and returns the fields asked and the end state.
func walk(t *testing.T, answers map[string]string) ([]string, Answers) {
	t.Helper()
	var a Answers
	var asked []string
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatalf("dialog does not end: asked %v", asked)
		}
		q, ok := Next(a)
		if !ok {
			return asked, a
		}
		asked = append(asked, q.Field)
		in, has := answers[q.Field]
		if !has {
			a = Skip(a, q.Field)
			continue
		}
		var err error
		a, err = Apply(a, q.Field, in, fixedNow)
		if err != nil {
			t.Fatalf("Apply(%s, %q) = %v", q.Field, in, err)
		}
		// The state survives a round trip through JSON (the bot stores it).
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		a = Answers{}
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDialogWalks(t *testing.T) {
	tests := []struct {
		name     string
		answers  map[string]string
		asked    []string
		district int64
		other    int64
	}{
		{
			name: "not above scale, nothing else",
			answers: map[string]string{"above_scale_industrial": "不是", "small_to_scale_key": "否", "first_recognitions": "没有",
				"district_whitelist": "没有", "city_chain_leader": "不是", "revenue_yuan": "800万", "first_batch_material_premium_yuan": "没有"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist",
				"city_chain_leader", "revenue_yuan", "first_batch_material_premium_yuan"},
		},
		{
			name: "above scale with growth and R&D",
			answers: map[string]string{"above_scale_industrial": "是的", "output_growth_pct.jan_feb": "百分之四十五",
				"output_growth_pct.mar": "12%", "small_to_scale_key": "否", "first_recognitions": "去年评上省级专精特新",
				"district_whitelist": "否", "city_chain_leader": "否", "has_rd_institution": "有", "rd_growth_target_met": "没完成",
				"revenue_yuan": "5200万", "revenue_prev_max_yuan": "四千万", "first_batch_material_premium_yuan": "100万"},
			asked: []string{"above_scale_industrial", "output_growth_pct.jan_feb", "output_growth_pct.mar", "small_to_scale_key",
				"first_recognitions", "district_whitelist", "city_chain_leader", "has_rd_institution", "rd_growth_target_met",
				"revenue_yuan", "revenue_prev_max_yuan", "first_batch_material_premium_yuan"},
			district: 20000 + 20000 + 20000 + 20000, other: 300000 + 800000,
		},
		{
			name: "growth fell in jan-feb: March is not asked",
			answers: map[string]string{"above_scale_industrial": "是", "output_growth_pct.jan_feb": "下降了5%",
				"small_to_scale_key": "是", "upgraded_to_scale_this_year": "是"},
			asked: []string{"above_scale_industrial", "output_growth_pct.jan_feb", "small_to_scale_key", "upgraded_to_scale_this_year",
				"first_recognitions", "district_whitelist", "city_chain_leader", "has_rd_institution", "rd_growth_target_met",
				"revenue_yuan", "first_batch_material_premium_yuan"},
			district: 20000,
		},
		{
			name: "small-to-scale not upgraded this year: asked years in scale",
			answers: map[string]string{"above_scale_industrial": "否", "small_to_scale_key": "是", "upgraded_to_scale_this_year": "还没",
				"consecutive_years_in_scale": "连续三年"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "upgraded_to_scale_this_year", "consecutive_years_in_scale",
				"first_recognitions", "district_whitelist", "city_chain_leader", "revenue_yuan", "first_batch_material_premium_yuan"},
			district: 30000,
		},
		{
			name: "whitelist, rate rose 12 points: procurement asked",
			answers: map[string]string{"above_scale_industrial": "否", "small_to_scale_key": "否", "district_whitelist": "是",
				"city_chain_leader": "否", "local_rate_prev_pct": "五成", "local_rate_pct": "62%", "annual_procurement_yuan": "1个亿"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist", "city_chain_leader",
				"local_rate_prev_pct", "local_rate_pct", "annual_procurement_yuan", "revenue_yuan", "first_batch_material_premium_yuan"},
			district: 50000,
		},
		{
			name: "whitelist, rate rose 4.99 points: procurement not asked",
			answers: map[string]string{"district_whitelist": "是", "city_chain_leader": "否", "local_rate_prev_pct": "50",
				"local_rate_pct": "54.99"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist", "city_chain_leader",
				"local_rate_prev_pct", "local_rate_pct", "revenue_yuan", "first_batch_material_premium_yuan"},
		},
		{
			name:    "revenue under 30M: previous best not asked",
			answers: map[string]string{"revenue_yuan": "2999万"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist", "city_chain_leader",
				"revenue_yuan", "first_batch_material_premium_yuan"},
		},
		{
			name:    "revenue exactly 30M: previous best asked",
			answers: map[string]string{"revenue_yuan": "3000万", "revenue_prev_max_yuan": "2500万"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist", "city_chain_leader",
				"revenue_yuan", "revenue_prev_max_yuan", "first_batch_material_premium_yuan"},
			district: 10000,
		},
		{
			name:    "everything unknown",
			answers: map[string]string{"above_scale_industrial": "不知道", "small_to_scale_key": "不清楚"},
			asked: []string{"above_scale_industrial", "small_to_scale_key", "first_recognitions", "district_whitelist", "city_chain_leader",
				"revenue_yuan", "first_batch_material_premium_yuan"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			asked, a := walk(t, tc.answers)
			if !slices.Equal(asked, tc.asked) {
				t.Errorf("asked %v\nwant  %v", asked, tc.asked)
			}
			r := Evaluate(a.Profile, fixedNow)
			if r.DistrictTotalYuan != tc.district || r.OtherLevelsTotalYuan != tc.other {
				t.Errorf("Evaluate = %d / %d, want %d / %d (%+v)", r.DistrictTotalYuan, r.OtherLevelsTotalYuan, tc.district, tc.other, r.Items)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	var a Answers
	tests := []struct{ field, in, hint string }{
		{"above_scale_industrial", "很多", "是"},
		{"output_growth_pct.jan_feb", "很多", "例如"},
		{"output_growth_pct.jan_feb", "下降了120%", "100%"},
		{"local_rate_pct", "120%", "0到100%"},
		{"annual_procurement_yuan", "3000", "万元"},
		{"first_recognitions", "小巨人", "年份"},
		{"no_such_field", "是", "没有这个问题"},
	}
	for _, tc := range tests {
		t.Run(tc.field+"/"+tc.in, func(t *testing.T) {
			got, err := Apply(a, tc.field, tc.in, fixedNow)
			if err == nil || !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("Apply(%s, %q) error = %v, want a hint containing %q", tc.field, tc.in, err, tc.hint)
			}
			var ae *AnswerError
			if !errors.As(err, &ae) || !ae.InvalidInput() {
				t.Errorf("Apply(%s, %q) error %T, want *AnswerError", tc.field, tc.in, err)
			}
			if len(got.Answered) != 0 || len(got.Skipped) != 0 {
				t.Errorf("Apply(%s, %q) changed the answers: %+v", tc.field, tc.in, got)
			}
		})
	}
}

func TestApplyUnsureSkipsAndAnswerClearsSkip(t *testing.T) {
	a, err := Apply(Answers{}, "above_scale_industrial", "不知道", fixedNow)
	if err != nil || !slices.Contains(a.Skipped, "above_scale_industrial") {
		t.Fatalf("Apply(不知道) = %+v, %v, want skipped", a, err)
	}
	a, err = Apply(a, "above_scale_industrial", "是", fixedNow)
	if err != nil || slices.Contains(a.Skipped, "above_scale_industrial") || !slices.Contains(a.Answered, "above_scale_industrial") {
		t.Fatalf("Apply(是) after skip = %+v, %v", a, err)
	}
	if v, _ := a.Profile.flag("above_scale_industrial"); !v {
		t.Errorf("profile not set: %+v", a.Profile)
	}
}

func TestApplyDoesNotAlias(t *testing.T) {
	a, _ := Apply(Answers{}, "first_recognitions", "小巨人2021", fixedNow)
	b, _ := Apply(a, "first_recognitions", "单项冠军2022", fixedNow)
	if a.Profile.titles("first_recognitions")[0].Title != TitleLittleGiant || b.Profile.titles("first_recognitions")[0].Title != TitleSingleChampion {
		t.Errorf("Apply changed an earlier state: %+v / %+v", a.Profile, b.Profile)
	}
}

func TestStakes(t *testing.T) {
	stakes := Stakes(Answers{})
	got := map[string]Stake{}
	for _, s := range stakes {
		got[s.Field] = s
	}
	want := map[string][2]int64{
		"above_scale_industrial":            {50000 + 30000, 0},
		"output_growth_pct.jan_feb":         {50000, 0},
		"small_to_scale_key":                {30000, 0},
		"first_recognitions":                {130000, 2300000},
		"district_whitelist":                {50000, 0},
		"city_chain_leader":                 {0, 500000},
		"local_rate_pct":                    {50000, 500000},
		"annual_procurement_yuan":           {50000, 500000},
		"revenue_yuan":                      {50000, 0},
		"revenue_prev_max_yuan":             {50000, 0},
		"first_batch_material_premium_yuan": {0, 5000000},
	}
	for f, w := range want {
		s, ok := got[f]
		if !ok {
			t.Errorf("Stakes(empty) lacks %s", f)
			continue
		}
		if s.UpTo != w[0] || s.UpToOther != w[1] || s.Why == "" || s.Question == "" {
			t.Errorf("Stakes(empty)[%s] = %+v, want up to %d / %d", f, s, w[0], w[1])
		}
	}
	if !strings.Contains(got["district_whitelist"].Why, "最多可增加5万元区级奖励") {
		t.Errorf("Why = %q", got["district_whitelist"].Why)
	}

	// Once the enterprise says it is not 规上, growth and R&D questions drop out.
	a, _ := Apply(Answers{}, "above_scale_industrial", "否", fixedNow)
	for _, s := range Stakes(a) {
		switch s.Field {
		case "output_growth_pct.jan_feb", "output_growth_pct.mar", "has_rd_institution", "rd_growth_target_met", "above_scale_industrial":
			t.Errorf("Stakes after 否 still lists %s", s.Field)
		}
	}
	// Not on the whitelist and not a chain leader: no procurement questions left.
	a, _ = Apply(a, "district_whitelist", "否", fixedNow)
	a, _ = Apply(a, "city_chain_leader", "否", fixedNow)
	for _, s := range Stakes(a) {
		if strings.HasPrefix(s.Field, "local_rate") || s.Field == "annual_procurement_yuan" {
			t.Errorf("Stakes after no whitelist/chain still lists %s", s.Field)
		}
	}
}

func TestQuestionsCoverTheProfile(t *testing.T) {
	if _, err := Builtin(); err != nil {
		t.Fatalf("rules.json, questions.json: %v", err)
	}
	qs := Questions()
	fields := map[string]bool{}
	for _, q := range qs {
		fields[q.Field] = true
		if q.Text == "" || q.Help == "" || len(q.Accepted) == 0 {
			t.Errorf("question %s lacks text, help or accepted answers", q.Field)
		}
		// Every example answer the questionnaire shows must be understood.
		for _, ex := range q.Accepted {
			if _, err := Apply(Answers{}, q.Field, ex, fixedNow); err != nil {
				t.Errorf("question %s: example answer %q refused: %v", q.Field, ex, err)
			}
		}
	}
	for _, f := range []string{"above_scale_industrial", "output_growth_pct.jan_feb", "output_growth_pct.mar", "small_to_scale_key",
		"upgraded_to_scale_this_year", "consecutive_years_in_scale", "first_recognitions", "district_whitelist", "city_chain_leader",
		"local_rate_prev_pct", "local_rate_pct", "annual_procurement_yuan", "has_rd_institution", "rd_growth_target_met",
		"revenue_prev_max_yuan", "revenue_yuan", "first_batch_material_premium_yuan"} {
		if !fields[f] {
			t.Errorf("no question for profile field %s", f)
		}
	}
}

func BenchmarkNextApply(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var a Answers
		a, _ = Apply(a, "above_scale_industrial", "是", fixedNow)
		a, _ = Apply(a, "output_growth_pct.jan_feb", "百分之四十五", fixedNow)
		Next(a)
		Stakes(a)
	}
}

// TestAskedOnlyWhenItCanChangeTheResult: 小升规 pays at most 3万 and is not
// paid beside the growth award (不重复奖励), so with growth already at 5万 it
// is not asked; with growth at 2万 it is, for the 1万 it could add.
func TestAskedOnlyWhenItCanChangeTheResult(t *testing.T) {
	base := map[string]string{"above_scale_industrial": "是", "output_growth_pct.jan_feb": "120%", "output_growth_pct.mar": "10%"}
	asked, _ := walk(t, base)
	if slices.Contains(asked, "small_to_scale_key") {
		t.Errorf("growth pays 5万, yet 小升规 was asked: %v", asked)
	}
	base["output_growth_pct.jan_feb"] = "35%"
	asked, a := walk(t, base)
	if !slices.Contains(asked, "small_to_scale_key") {
		t.Fatalf("growth pays 2万, yet 小升规 was not asked: %v", asked)
	}
	a2 := Answers{}
	for _, f := range []string{"above_scale_industrial", "output_growth_pct.jan_feb", "output_growth_pct.mar"} {
		a2, _ = Apply(a2, f, base[f], fixedNow)
	}
	for _, s := range Stakes(a2) {
		if s.Field == "small_to_scale_key" && (s.UpTo != 10000 || !strings.Contains(s.Why, "最多可增加1万元")) {
			t.Errorf("stake of 小升规 beside a 2万 growth award = %+v, want 1万", s)
		}
	}
	_ = a
}

// TestAnswersAreNeverDropped: an estimate is taken as its lower bound with a
// note, "不知道" is recorded as not known and listed with what it could add,
// and a question back is an error the dialog answers.
func TestAnswersAreNeverDropped(t *testing.T) {
	a, err := Apply(Answers{}, "revenue_yuan", "大概两千八九百万吧", fixedNow)
	if v, _ := a.Profile.number("revenue_yuan"); err != nil || v != 28_000_000 {
		t.Fatalf("Apply(大概两千八九百万吧) = %v, %v", v, err)
	}
	if n := a.Estimates["revenue_yuan"]; !strings.Contains(n, "约2800万元") || !strings.Contains(n, "下限") {
		t.Errorf("estimate note = %q", n)
	}
	a, err = Apply(a, "revenue_yuan", "可能有3200万", fixedNow)
	if v, _ := a.Profile.number("revenue_yuan"); err != nil || v != 32_000_000 || slices.Contains(a.Skipped, "revenue_yuan") {
		t.Fatalf("可能有3200万 was not taken: %+v %v", a, err)
	}
	a, err = Apply(a, "first_batch_material_premium_yuan", "不知道", fixedNow)
	if err != nil || !slices.Contains(a.Unsure, "first_batch_material_premium_yuan") {
		t.Fatalf("不知道 not recorded as unknown: %+v %v", a, err)
	}
	if _, err := Apply(a, "first_recognitions", "不知道啥是专精特新", fixedNow); !errors.Is(err, ErrQuestion) {
		t.Errorf("不知道啥是专精特新 = %v, want a question back", err)
	}
	rep := DialogReport(a, fixedNow)
	text := rep.Text()
	for _, want := range []string{"【没有回答的问题】", "重点新材料首批次", "不清楚", "最多可增加500万元", "【按估计计算的回答】", "约3200万元"} {
		if !strings.Contains(text, want) {
			t.Errorf("dialog report lacks %q:\n%s", want, text)
		}
	}
}

// TestOneRoundingRule: the dialog keeps money as said, exactly as `award`
// reads a profile, so 29999999.6元 has crossed no threshold either way.
func TestOneRoundingRule(t *testing.T) {
	a, err := Apply(Answers{}, "revenue_yuan", "29999999.6元", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	a, _ = Apply(a, "revenue_prev_max_yuan", "没有", fixedNow)
	p, err := DecodeProfile(strings.NewReader(`{"revenue_yuan": 29999999.6, "revenue_prev_max_yuan": 0}`), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	d, c := Evaluate(a.Profile, fixedNow), Evaluate(p, fixedNow)
	if d.DistrictTotalYuan != c.DistrictTotalYuan || d.DistrictTotalYuan != 0 {
		t.Errorf("29999999.6: dialog %d, award %d, want both 0", d.DistrictTotalYuan, c.DistrictTotalYuan)
	}
}

// TestQuestionsNameThePolicyYear: no question says 今年; they name 2023.
func TestQuestionsNameThePolicyYear(t *testing.T) {
	for _, q := range Questions() {
		if strings.Contains(q.Text, "今年") || strings.Contains(q.Text, "{") {
			t.Errorf("question %s: %q", q.Field, q.Text)
		}
	}
	q, _ := question("revenue_yuan")
	if !strings.Contains(q.Text, "2023年") {
		t.Errorf("revenue question = %q, want the policy year", q.Text)
	}
}
