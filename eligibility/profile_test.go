package eligibility

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeProfile(t *testing.T) {
	yes := true
	tests := []struct {
		in        string
		wantField string // the field the error names; "" for a whole-input error
		wantMsg   string // a substring of the error
		wantErr   bool
	}{
		{`{}`, "", "", false},
		{` {"above_scale_industrial": true} `, "", "", false},
		{`{"above_scale_industrial": null}`, "", "", false},
		{`{"first_recognitions":[{"title":"little_giant","year":2021.0}]}`, "", "", false},
		{`{"first_recognitions":[{"title":"little_giant","year":2026}]}`, "", "", false},
		{`{"first_recognitions":[{"title":"little_giant","year":2027}]}`, "first_recognitions[0].year", "晚于今年（2026年）", true},
		{"\xef\xbb\xbf{}", "", "", false},
		{``, "", "输入为空", true},
		{`   `, "", "输入为空", true},
		{`not json`, "", "不是有效的 JSON", true},
		{`{"revenue_yuan": 1} trailing`, "", "不是有效的 JSON", true},
		{`{} {}`, "", "不是有效的 JSON", true},
		{`[]`, "", "应为 JSON 对象", true},
		{`"profile"`, "", "应为 JSON 对象", true},
		{`null`, "", "应为 JSON 对象", true},
		{`{"revenue_yuan": 1`, "", "不是有效的 JSON", true},
		{`{"revenue_prev_max_yuan":-1,"revenue_yuan":10}`, "revenue_prev_max_yuan", "金额不能为负数 (got -1)", true},
		{`{"annual_procurement_yuan":"3000万"}`, "annual_procurement_yuan", "应为数字", true},
		{`{"revenue_yuan":1e16}`, "revenue_yuan", "金额过大", true},
		{`{"revenue_yuan":1e400}`, "revenue_yuan", "超出范围", true},
		{`{"first_batch_material_premium_yuan":-0.5}`, "first_batch_material_premium_yuan", "负数", true},
		{`{"local_rate_pct":101}`, "local_rate_pct", "0 到 100", true},
		{`{"local_rate_prev_pct":-1}`, "local_rate_prev_pct", "0 到 100", true},
		{`{"local_rate_pct":"50%"}`, "local_rate_pct", "应为数字", true},
		{`{"above_scale_industrial":"true"}`, "above_scale_industrial", "true 或 false", true},
		{`{"above_scale_industrial":1}`, "above_scale_industrial", "true 或 false", true},
		{`{"small_to_scale_key":"是"}`, "small_to_scale_key", "true 或 false", true},
		{`{"consecutive_years_in_scale":2.5}`, "consecutive_years_in_scale", "整数", true},
		{`{"consecutive_years_in_scale":-1}`, "consecutive_years_in_scale", "负数", true},
		{`{"output_growth_pct":45}`, "output_growth_pct", "jan_feb", true},
		{`{"output_growth_pct":{"jan_feb":"45"}}`, "output_growth_pct.jan_feb", "应为数字", true},
		{`{"output_growth_pct":{"feb":45}}`, `output_growth_pct."feb"`, "未知字段", true},
		{`{"output_growth_pct":{"mar":-101}}`, "output_growth_pct.mar", "-100%", true},
		{`{"first_recognitions":[{"title":"provincial_zjtx","year":"前年"}]}`, "first_recognitions[0].year", "整数年份", true},
		{`{"first_recognitions":[{"title":"provincial_zjtx","year":2021.5}]}`, "first_recognitions[0].year", "整数年份", true},
		{`{"first_recognitions":[{"title":"provincial_zjtx","year":21}]}`, "first_recognitions[0].year", "四位数年份", true},
		{`{"first_recognitions":[{"title":"hero","year":2021}]}`, "first_recognitions[0].title", "未知称号", true},
		{`{"first_recognitions":[{"year":2021}]}`, "first_recognitions[0].title", "缺少称号", true},
		{`{"first_recognitions":[{"title":"little_giant","year":2021,"level":"x"}]}`, `first_recognitions[0]."level"`, "未知字段", true},
		{`{"first_recognitions":{"title":"little_giant"}}`, "first_recognitions", "应为列表", true},
		{`{"first_recognitions":["little_giant"]}`, "first_recognitions[0]", "应为对象", true},
		{`{"revenue":1}`, `"revenue"`, "未知字段", true},
		{`{"Revenue_Yuan":1}`, `"Revenue_Yuan"`, "未知字段", true},
		{`{"revenue_yuan":1,"revenue_yuan":2}`, "revenue_yuan", "重复", true},
		{`{"revenue_yuan":` + strings.Repeat(" ", MaxProfileBytes) + `1}`, "", "输入过大", true},
		{"{\"revenue_yuan\":1,\"x\xff\":1}", "", "UTF-8", true},
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			_, err := DecodeProfile(strings.NewReader(tc.in), fixedNow)
			if (err != nil) != tc.wantErr {
				t.Fatalf("DecodeProfile(%q, fixedNow) error = %v, want error %v", short(tc.in), err, tc.wantErr)
			}
			if err == nil {
				return
			}
			var pe *ProfileError
			if !errors.As(err, &pe) {
				t.Fatalf("DecodeProfile(%q, fixedNow) error %T, want *ProfileError", short(tc.in), err)
			}
			if pe.Field != tc.wantField || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("DecodeProfile(%q, fixedNow) = %q (field %q), want field %q and %q", short(tc.in), err, pe.Field, tc.wantField, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "\n") || !pe.InvalidInput() {
				t.Errorf("DecodeProfile(%q, fixedNow) error %q must be one line and InvalidInput", short(tc.in), err)
			}
		})
	}
	p := mustProfile(t, `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":12}}`)
	scale, _ := p.flag("above_scale_industrial")
	jf, _ := p.number("output_growth_pct.jan_feb")
	mar, _ := p.number("output_growth_pct.mar")
	if scale != yes || jf != 45 || mar != 12 {
		t.Errorf("DecodeProfile decoded %+v", p)
	}
}

// TestDecodeRoundTrip checks that a decoded profile encodes to JSON that
// decodes to the same profile (the bot stores profiles this way).
// TestEveryFieldHasACheck: the profile's fields are the rules table's
// declarations, each with a check the decoder knows and a label.
func TestEveryFieldHasACheck(t *testing.T) {
	tb, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Fields) != 17 {
		t.Errorf("the built-in table declares %d fields, want the 17 of awards.md", len(tb.Fields))
	}
	for _, f := range tb.Fields {
		switch f.Check {
		case CheckBool, CheckMoney, CheckRate, CheckGrowth, CheckCount, CheckTitles:
		default:
			t.Errorf("field %s has check %q", f.Name, f.Check)
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	for _, g := range goldens {
		p := mustProfile(t, g.profile)
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q := mustProfile(t, string(b))
		b2, _ := json.Marshal(q)
		if string(b) != string(b2) {
			t.Errorf("round trip of %s: %s != %s", g.name, b, b2)
		}
	}
}

func TestBadProfilesEval(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "bad_profiles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row struct {
			Name string `json:"name"`
			Raw  string `json:"raw"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeProfile(strings.NewReader(row.Raw), fixedNow); err == nil {
			t.Errorf("DecodeProfile(%q, fixedNow) (%s) = nil error, want refusal", row.Raw, row.Name)
		}
	}
}

func FuzzDecodeProfile(f *testing.F) {
	for _, g := range goldens {
		f.Add(g.profile)
	}
	for _, s := range []string{``, `{`, `[]`, `{"revenue_yuan":-1}`, `{"first_recognitions":[{"title":"x","year":"前年"}]}`,
		`{"output_growth_pct":{"jan_feb":1e308,"mar":-100}}`, `{"a":1,"a":2}`, `{"revenue_yuan":1e15}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := DecodeProfile(strings.NewReader(in), fixedNow)
		if err != nil {
			var pe *ProfileError
			if !errors.As(err, &pe) || strings.Contains(err.Error(), "\n") {
				t.Errorf("DecodeProfile(%q, fixedNow) error %v is not a one-line ProfileError", in, err)
			}
			return
		}
		r := Evaluate(p, fixedNow)
		var d, o int64
		for _, it := range r.Items {
			if it.AmountYuan <= 0 {
				t.Errorf("Evaluate(%q) has an item of %d", in, it.AmountYuan)
			}
			if it.Level == LevelDistrict {
				d += it.AmountYuan
			} else {
				o += it.AmountYuan
			}
		}
		if d != r.DistrictTotalYuan || o != r.OtherLevelsTotalYuan {
			t.Errorf("Evaluate(%q) totals %d/%d, items sum %d/%d", in, r.DistrictTotalYuan, r.OtherLevelsTotalYuan, d, o)
		}
		_ = r.Text()
	})
}
