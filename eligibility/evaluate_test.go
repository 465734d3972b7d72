package eligibility

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustProfile(t testing.TB, js string) Profile {
	t.Helper()
	p, err := DecodeProfile(strings.NewReader(js), fixedNow)
	if err != nil {
		t.Fatalf("DecodeProfile(%s, fixedNow): %v", js, err)
	}
	return p
}

// byMeasure sums the amounts of the items of one level per measure, as the scorer does.
func byMeasure(r Report, level string) map[string]int64 {
	out := map[string]int64{}
	for _, it := range r.Items {
		if it.Level == level {
			out[it.Measure] += it.AmountYuan
		}
	}
	return out
}

func TestEvaluateRules(t *testing.T) {
	tests := []struct {
		name     string
		profile  string
		district map[string]int64
		other    int64
		excluded string // a substring of some exclusion reason
		note     string // a substring of some item or report note
	}{
		// ind-02 growth: both months > 0, the larger month against 30/50/100 (以上 includes the number).
		{"growth 29.99", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":29.99,"mar":10}}`, nil, 0, "未达到最低一档30%", ""},
		{"growth exactly 30", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":30,"mar":10}}`, map[string]int64{"ind-02": 20000}, 0, "", "“以上”含本数"},
		{"growth 49.9", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":49.9,"mar":1}}`, map[string]int64{"ind-02": 20000}, 0, "", ""},
		{"growth exactly 50", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":5,"mar":50}}`, map[string]int64{"ind-02": 30000}, 0, "", "恰为50%"},
		{"growth 99.99", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":99.99,"mar":1}}`, map[string]int64{"ind-02": 30000}, 0, "", ""},
		{"growth exactly 100", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":100,"mar":0.1}}`, map[string]int64{"ind-02": 50000}, 0, "", ""},
		{"growth 300", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":300,"mar":300}}`, map[string]int64{"ind-02": 50000}, 0, "", ""},
		{"growth zero month", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":0,"mar":70}}`, nil, 0, "零增长不算正增长", ""},
		{"growth negative month", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":-0.5}}`, nil, 0, "不是正增长", ""},
		{"growth one month missing", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45}}`, nil, 0, "未提供3月产值同比增速", ""},
		{"growth not above scale", `{"above_scale_industrial":false,"output_growth_pct":{"jan_feb":45,"mar":45}}`, nil, 0, "须为规上工业企业", ""},
		{"growth scale unknown", `{"output_growth_pct":{"jan_feb":45,"mar":45}}`, nil, 0, "画像中未提供", ""},
		// ind-02 小升规 and 不重复奖励.
		{"upgraded", `{"small_to_scale_key":true,"upgraded_to_scale_this_year":true}`, map[string]int64{"ind-02": 20000}, 0, "", ""},
		{"upgraded not key", `{"small_to_scale_key":false,"upgraded_to_scale_this_year":true}`, nil, 0, "小升规", ""},
		{"three years in scale", `{"small_to_scale_key":true,"consecutive_years_in_scale":3}`, map[string]int64{"ind-02": 30000}, 0, "", ""},
		{"two years in scale", `{"small_to_scale_key":true,"consecutive_years_in_scale":2}`, nil, 0, "未达到最低一档3年", ""},
		{"tie goes to 小升规", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":12},"small_to_scale_key":true,"upgraded_to_scale_this_year":true}`,
			map[string]int64{"ind-02": 20000}, 0, "金额相同的，计“小升规”奖励", "假设"},
		{"growth larger than 小升规", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":120,"mar":12},"small_to_scale_key":true,"upgraded_to_scale_this_year":true}`,
			map[string]int64{"ind-02": 50000}, 0, "金额较小", "不重复奖励"},
		{"3 years larger than growth", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":12},"small_to_scale_key":true,"consecutive_years_in_scale":4}`,
			map[string]int64{"ind-02": 30000}, 0, "金额较小", ""},
		{"both 小升规 awards keep larger", `{"small_to_scale_key":true,"upgraded_to_scale_this_year":true,"consecutive_years_in_scale":3}`,
			map[string]int64{"ind-02": 30000}, 0, "不重复奖励", ""},
		// ind-03 titles.
		{"title 2020", `{"first_recognitions":[{"title":"little_giant","year":2020}]}`, map[string]int64{"ind-03": 30000}, 500000, "", ""},
		{"title 2019", `{"first_recognitions":[{"title":"little_giant","year":2019}]}`, nil, 0, "早于2020年", ""},
		{"title duplicate", `{"first_recognitions":[{"title":"national_little_giant","year":2022},{"title":"national_little_giant","year":2022}]}`,
			map[string]int64{"ind-03": 50000}, 1000000, "", "只计一次"},
		{"title listed 2021 and 2019: the first recognition, 2019, is before 2020", `{"first_recognitions":[{"title":"provincial_zjtx","year":2021},{"title":"provincial_zjtx","year":2019}]}`,
			nil, 0, "于2019年首次认定，早于2020年", "按最早的年份（首次认定）计算"},
		{"little giant 2019 and 2021 earns nothing", `{"first_recognitions":[{"title":"little_giant","year":2019},{"title":"little_giant","year":2021}]}`,
			nil, 0, "于2019年首次认定", "只计一次"},
		{"title listed 2022 and 2021 counts 2021", `{"first_recognitions":[{"title":"little_giant","year":2022},{"title":"little_giant","year":2021}]}`,
			map[string]int64{"ind-03": 30000}, 500000, "", "只计一次"},
		{"title listed 2019 twice", `{"first_recognitions":[{"title":"provincial_zjtx","year":2019},{"title":"provincial_zjtx","year":2018}]}`,
			nil, 0, "于2018年首次认定", "只计一次"},
		{"title 2019 and another 2021", `{"first_recognitions":[{"title":"provincial_zjtx","year":2019},{"title":"single_champion","year":2021}]}`,
			map[string]int64{"ind-03": 30000}, 500000, "早于2020年", ""},
		{"all four titles", `{"first_recognitions":[{"title":"provincial_zjtx","year":2020},{"title":"little_giant","year":2021},{"title":"single_champion","year":2022},{"title":"national_little_giant","year":2023}]}`,
			map[string]int64{"ind-03": 130000}, 2300000, "", ""},
		{"title without year", `{"first_recognitions":[{"title":"single_champion"}]}`, nil, 0, "未提供认定年份", ""},
		// ind-04 procurement: whole 5-point steps, caps 5万 / 50万.
		{"rate exactly 5 points", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":55,"annual_procurement_yuan":10000000}`,
			map[string]int64{"ind-04": 5000}, 0, "", "假设"},
		{"rate 4.99 points", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":54.99,"annual_procurement_yuan":10000000}`,
			nil, 0, "不足5个百分点", ""},
		{"rate decimals 5 points", `{"district_whitelist":true,"local_rate_prev_pct":50.1,"local_rate_pct":55.1,"annual_procurement_yuan":10000000}`,
			map[string]int64{"ind-04": 5000}, 0, "", ""},
		{"rate fell", `{"district_whitelist":true,"local_rate_prev_pct":60,"local_rate_pct":50,"annual_procurement_yuan":10000000}`,
			nil, 0, "未提高", ""},
		{"rate 12 points whitelist cap", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":62,"annual_procurement_yuan":100000000}`,
			map[string]int64{"ind-04": 50000}, 0, "", ""},
		{"whitelist just under cap", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":60,"annual_procurement_yuan":49999900}`,
			map[string]int64{"ind-04": 49999}, 0, "", "不足1元"},
		{"chain leader cap 50万", `{"city_chain_leader":true,"local_rate_prev_pct":10,"local_rate_pct":40,"annual_procurement_yuan":1000000000}`,
			nil, 500000, "", ""},
		{"both whitelist and chain", `{"district_whitelist":true,"city_chain_leader":true,"local_rate_prev_pct":50,"local_rate_pct":60,"annual_procurement_yuan":30000000}`,
			map[string]int64{"ind-04": 30000}, 30000, "", ""},
		{"neither list", `{"local_rate_prev_pct":50,"local_rate_pct":60,"annual_procurement_yuan":30000000}`, nil, 0, "白名单", ""},
		{"procurement missing", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":60}`, nil, 0, "未提供年度原料和物资采购额", ""},
		// ind-14 R&D.
		{"rd both", `{"above_scale_industrial":true,"has_rd_institution":true,"rd_growth_target_met":true}`, map[string]int64{"ind-14": 30000}, 0, "", ""},
		{"rd growth only", `{"above_scale_industrial":true,"rd_growth_target_met":true}`, map[string]int64{"ind-14": 10000}, 0, "", ""},
		{"rd not above scale", `{"has_rd_institution":true}`, nil, 0, "须为规上工业企业", ""},
		// ind-15 revenue thresholds: prev < t ≤ revenue, the highest once.
		{"revenue exactly 30M", `{"revenue_prev_max_yuan":29999999,"revenue_yuan":30000000}`, map[string]int64{"ind-15": 10000}, 0, "", "含本数"},
		{"revenue just under", `{"revenue_prev_max_yuan":10000000,"revenue_yuan":29999999}`, nil, 0, "未达到最低门槛", ""},
		{"prev already at threshold", `{"revenue_prev_max_yuan":30000000,"revenue_yuan":45000000}`, nil, 0, "没有首次突破", ""},
		{"prev above, crosses next", `{"revenue_prev_max_yuan":35000000,"revenue_yuan":50000000}`, map[string]int64{"ind-15": 20000}, 0, "", ""},
		{"crosses all three", `{"revenue_prev_max_yuan":0,"revenue_yuan":150000000}`, map[string]int64{"ind-15": 50000}, 0, "", "最高门槛"},
		{"revenue prev missing", `{"revenue_yuan":52000000}`, nil, 0, "无法判断", ""},
		{"revenue fell", `{"revenue_prev_max_yuan":120000000,"revenue_yuan":60000000}`, nil, 0, "没有首次突破", ""},
		// ind-16 首批次: 80%, cap 500万, province.
		{"premium 1M", `{"first_batch_material_premium_yuan":1000000}`, nil, 800000, "", "首台"},
		{"premium cap", `{"first_batch_material_premium_yuan":6250001}`, nil, 5000000, "", ""},
		{"premium exactly cap", `{"first_batch_material_premium_yuan":6250000}`, nil, 5000000, "", ""},
		{"premium zero", `{"first_batch_material_premium_yuan":0}`, nil, 0, "金额为0", ""},
		{"empty", `{}`, nil, 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(mustProfile(t, tc.profile), fixedNow)
			got := byMeasure(r, LevelDistrict)
			want := tc.district
			if want == nil {
				want = map[string]int64{}
			}
			var sum int64
			for _, v := range want {
				sum += v
			}
			if !equalMaps(got, want) || r.DistrictTotalYuan != sum {
				t.Errorf("Evaluate(%s) district = %v (total %d), want %v", tc.profile, got, r.DistrictTotalYuan, want)
			}
			if r.OtherLevelsTotalYuan != tc.other {
				t.Errorf("Evaluate(%s) other levels = %d, want %d", tc.profile, r.OtherLevelsTotalYuan, tc.other)
			}
			if tc.excluded != "" && !containsReason(r, tc.excluded) {
				t.Errorf("Evaluate(%s) excluded = %+v, want a reason containing %q", tc.profile, r.Excluded, tc.excluded)
			}
			if tc.note != "" && !containsNote(r, tc.note) {
				t.Errorf("Evaluate(%s) notes = %v / items %+v, want a note containing %q", tc.profile, r.Notes, r.Items, tc.note)
			}
			for _, it := range r.Items {
				if it.AmountYuan <= 0 {
					t.Errorf("Evaluate(%s) lists an item of %d yuan", tc.profile, it.AmountYuan)
				}
			}
			if !strings.Contains(strings.Join(r.Notes, ""), "2023年2月13日") {
				t.Errorf("Evaluate(%s) notes lack the policy-year caveat: %v", tc.profile, r.Notes)
			}
		})
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func containsReason(r Report, s string) bool {
	for _, e := range r.Excluded {
		if strings.Contains(e.Reason, s) || strings.Contains(e.Title, s) {
			return true
		}
	}
	return false
}

func containsNote(r Report, s string) bool {
	all := strings.Join(r.Notes, "\n")
	for _, it := range r.Items {
		all += strings.Join(it.Notes, "\n") + it.Arithmetic
	}
	return strings.Contains(all, s)
}

// TestEvalAwards runs the shared evaluation set (a copy under testdata).
func TestEvalAwards(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "awards.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var row struct {
			Name     string           `json:"name"`
			Profile  json.RawMessage  `json:"profile"`
			District int64            `json:"district_total_yuan"`
			Items    map[string]int64 `json:"items"`
			Other    int64            `json:"other_levels_yuan"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		t.Run(row.Name, func(t *testing.T) {
			r := Evaluate(mustProfile(t, string(row.Profile)), fixedNow)
			if r.DistrictTotalYuan != row.District || !equalMaps(byMeasure(r, LevelDistrict), row.Items) || r.OtherLevelsTotalYuan != row.Other {
				t.Errorf("Evaluate(%s) = district %d %v other %d, want %d %v %d", row.Profile, r.DistrictTotalYuan,
					byMeasure(r, LevelDistrict), r.OtherLevelsTotalYuan, row.District, row.Items, row.Other)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestClausesQuoteTheNotice checks that every clause of the table is the
// notice's own words, so a person can find it side by side.
func TestClausesQuoteTheNotice(t *testing.T) {
	notice, err := os.ReadFile(filepath.Join("testdata", "notice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tbl.Rules {
		if !strings.Contains(string(notice), r.Clause) {
			t.Errorf("rule %s: clause %q is not in the notice", r.ID, r.Clause)
		}
	}
	for _, g := range tbl.Groups {
		if !strings.Contains(string(notice), g.Clause) {
			t.Errorf("group %s: clause %q is not in the notice", g.ID, g.Clause)
		}
	}
}

func TestRulesFor(t *testing.T) {
	tbl, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want int
	}{{"ind-02", 3}, {"ind-03", 2}, {"ind-04", 2}, {"ind-14", 2}, {"ind-15", 1}, {"ind-16", 2}, {"ind-12", 1}, {"ind-01", 0}, {"", 0}}
	for _, tc := range tests {
		if got := len(tbl.RulesFor(tc.in)); got != tc.want {
			t.Errorf("RulesFor(%q) = %d rows, want %d", tc.in, got, tc.want)
		}
	}
}

func TestLoadTableRejectsBadRows(t *testing.T) {
	tests := []struct{ name, js string }{
		{"unknown kind", `{"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"magic","level":"district"}]}`},
		{"undeclared field", `{"fields":[],"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"flag","flag":"nope","amount":1,"level":"district"}]}`},
		{"field without a check", `{"fields":[{"name":"x","label":"x"}],"rules":[]}`},
		{"field without a label", `{"fields":[{"name":"x","check":"bool"}],"rules":[]}`},
		{"field twice", `{"fields":[{"name":"x","check":"bool","label":"x"},{"name":"x","check":"money","label":"x"}],"rules":[]}`},
		{"field and object", `{"fields":[{"name":"x","check":"bool","label":"x"},{"name":"x.y","check":"money","label":"y"}],"rules":[]}`},
		{"per_title on a bool", `{"fields":[{"name":"x","check":"bool","label":"x"}],"titles":[{"code":"a","name":"A"}],"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"per_title","list":"x","amounts":{"a":1},"level":"district"}]}`},
		{"undeclared title", `{"fields":[{"name":"x","check":"titles","label":"x"}],"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"per_title","list":"x","amounts":{"a":1},"level":"district"}]}`},
		{"question of another kind", `{"fields":[{"name":"x","check":"bool","label":"x"}],"rules":[],"questions":[{"field":"x","kind":"money","question":"q","help":"h","measures":[]}]}`},
		{"question says 今年", `{"fields":[{"name":"x","check":"bool","label":"x"}],"rules":[],"questions":[{"field":"x","kind":"bool","question":"今年是吗","help":"h","measures":[]}]}`},
		{"bad level", `{"fields":[{"name":"has_rd_institution","check":"bool","label":"x"}],"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"flag","flag":"has_rd_institution","amount":1,"level":"moon"}]}`},
		{"tiers ascending", `{"fields":[{"name":"revenue_yuan","check":"money","label":"x"}],"rules":[{"id":"x","measure":"m","ref":"r","title":"t","clause":"c","kind":"tiers","metrics":["revenue_yuan"],"tiers":[{"min":1,"amount":1},{"min":2,"amount":2}],"level":"district"}]}`},
		{"group of unknown rule", `{"rules":[],"groups":[{"id":"g","members":["a","b"],"keep":"larger","tie":"first"}]}`},
		{"unknown key", `{"rulez":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := LoadTable(strings.NewReader(tc.js)); err == nil {
				t.Errorf("LoadTable(%s) = nil error, want an error", tc.js)
			}
		})
	}
}

// TestNewRowsNeedNoCode adds a package of awards as rows only.
func TestNewRowsNeedNoCode(t *testing.T) {
	js := `{"notice":"测试","package":"测试包","issued":"2024-01-01","policy_year":2024,"deciders":"某局",
	"fields":[{"name":"revenue_yuan","check":"money","label":"营业收入"},{"name":"above_scale_industrial","check":"bool","label":"规上"}],
	"rules":[{"id":"t-1","measure":"t-01","ref":"测试第1条","title":"营收奖励","level":"district","kind":"tiers","requires":["above_scale_industrial"],
	"metrics":["revenue_yuan"],"metric_unit":"元","tiers":[{"min":1000,"amount":7}],"clause":"对营收1000元以上的奖励7元"}]}`
	tbl, err := LoadTable(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tbl.DecodeProfile(strings.NewReader(`{"above_scale_industrial":true,"revenue_yuan":1000}`), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Evaluate(p, fixedNow)
	if r.DistrictTotalYuan != 7 {
		t.Errorf("Evaluate = %d, want 7 (%+v)", r.DistrictTotalYuan, r)
	}
}

var goldens = []struct{ name, profile string }{
	{"empty", `{}`},
	{"growth-tie", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":12},"small_to_scale_key":true,"upgraded_to_scale_this_year":true,"has_rd_institution":true}`},
	{"full", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":30},"small_to_scale_key":true,"upgraded_to_scale_this_year":true,
"first_recognitions":[{"title":"provincial_zjtx","year":2019},{"title":"little_giant","year":2021},{"title":"little_giant","year":2021}],
"district_whitelist":true,"city_chain_leader":true,"local_rate_prev_pct":50,"local_rate_pct":62,"annual_procurement_yuan":100000000,
"has_rd_institution":true,"revenue_prev_max_yuan":20000000,"revenue_yuan":60000000,"first_batch_material_premium_yuan":7000000}`},
	{"negative-month", `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":-1,"mar":70},"rd_growth_target_met":true,"revenue_prev_max_yuan":40000000,"revenue_yuan":52000000}`},
	{"procurement-short", `{"district_whitelist":true,"local_rate_prev_pct":50,"local_rate_pct":54.99,"annual_procurement_yuan":30000000,"first_recognitions":[{"title":"national_little_giant","year":2022}]}`},
}

func TestGoldenText(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			got := Evaluate(mustProfile(t, g.profile), fixedNow).Text()
			path := filepath.Join("testdata", "report-"+g.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Text() for %s differs from %s:\n%s", g.name, path, got)
			}
		})
	}
}

func TestReportJSONShape(t *testing.T) {
	b, err := json.Marshal(Evaluate(Profile{}, fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"items", "district_total_yuan", "other_levels_total_yuan", "notes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report JSON lacks %q: %s", k, b)
		}
	}
	if items, ok := m["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("items of an empty profile = %v, want []", m["items"])
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := mustProfile(b, goldens[2].profile)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, fixedNow)
	}
}

func BenchmarkDecodeProfile(b *testing.B) {
	js := goldens[2].profile
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeProfile(strings.NewReader(js), fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}
