package eligibility

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// fixedNow is the tests' clock: 2026-11-27 in China time.
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

// nonsense must be refused by every parser, with a hint.
var nonsense = []string{"", "很多", "-", "😀", "🙂🙂", strings.Repeat("三", 10000), "asdf", "？", "一些", "几百万", "不少"}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"是", true, false}, {"是的", true, false}, {"对", true, false}, {"对的", true, false}, {"有", true, false},
		{"嗯", true, false}, {"嗯嗯", true, false}, {"是啊", true, false}, {"是的。", true, false}, {"对！", true, false},
		{"Yes", true, false}, {"ｙｅｓ", true, false}, {"是的，我们是规上企业", true, false}, {"有的", true, false},
		{"完成了", true, false}, {"已经是了", true, false},
		{"否", false, false}, {"不是", false, false}, {"没有", false, false}, {"还没", false, false}, {"还没有", false, false},
		{"没", false, false}, {"不", false, false}, {"不是的", false, false}, {"没有，不是", false, false}, {"no", false, false},
		{"没完成", false, false}, {"不在白名单上", false, false}, {"尚未", false, false},
		{"是不是", false, true}, {"有没有", false, true}, {"是吗", false, true}, {"也许", false, true}, {"不知道", false, true},
		{"蓝色", false, true}, {"12", false, true},
	}
	for _, tc := range nonsense {
		tests = append(tests, struct {
			in      string
			want    bool
			wantErr bool
		}{tc, false, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParseYesNo(tc.in)
			if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
				t.Errorf("ParseYesNo(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "是") && !strings.Contains(err.Error(), "跳过") {
				t.Errorf("ParseYesNo(%q) error %q gives no hint", short(tc.in), err)
			}
		})
	}
}

func TestParseYesNoUnsureSkips(t *testing.T) {
	for _, in := range []string{"不知道", "不清楚", "跳过", "不确定", "也许", "大概吧", "不太懂", "不清楚呀"} {
		if _, err := ParseYesNo(in); !errors.Is(err, ErrUnsure) {
			t.Errorf("ParseYesNo(%q) error = %v, want ErrUnsure", in, err)
		}
	}
}

// TestHedgesAndQuestions: an answer that merely holds 可能 or 不知道 is not
// dropped; a question back is told apart from "not known".
func TestHedgesAndQuestions(t *testing.T) {
	tests := []struct {
		kind, in     string
		want         any
		estimate     bool
		unsure, asks bool
	}{
		{KindMoney, "可能有3200万", 32_000_000.0, true, false, false},
		{KindMoney, "不太清楚，大概3000万", 30_000_000.0, true, false, false},
		{KindMoney, "3000万", 30_000_000.0, false, false, false},
		{KindMoney, "不知道", nil, false, true, false},
		{KindBool, "应该是", true, true, false, false},
		{KindBool, "可能不是", false, true, false, false},
		{KindTitles, "不知道啥是专精特新", nil, false, false, true},
		{KindTitles, "专精特新是什么", nil, false, false, true},
		{KindBool, "什么是规上企业？", nil, false, false, true},
		{KindMoney, "营业收入指的是什么", nil, false, false, true},
		{KindGrowth, "不记得了", nil, false, true, false},
		{KindGrowth, "1-2月大概增长了35%", 35.0, true, false, false},
	}
	for _, tc := range tests {
		r, err := ParseAnswer(tc.kind, tc.in, fixedNow)
		switch {
		case tc.unsure || tc.asks:
			if !errors.Is(err, ErrUnsure) == tc.unsure || !errors.Is(err, ErrQuestion) == tc.asks {
				t.Errorf("ParseAnswer(%s, %q) error = %v, want unsure %v, question %v", tc.kind, tc.in, err, tc.unsure, tc.asks)
			}
		case err != nil || r.Value != tc.want || r.Estimate != tc.estimate:
			t.Errorf("ParseAnswer(%s, %q) = %+v, %v, want %v (estimate %v)", tc.kind, tc.in, r, err, tc.want, tc.estimate)
		}
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"35", 35, false}, {"35%", 35, false}, {"35％", 35, false}, {"３５%", 35, false}, {"百分之三十五", 35, false},
		{"三成半", 35, false}, {"三成", 30, false}, {"3成", 30, false}, {"翻了一番", 100, false}, {"翻一番", 100, false},
		{"翻番", 100, false}, {"翻倍", 100, false}, {"翻两番", 300, false}, {"翻了两番", 300, false}, {"翻了三番", 700, false},
		{"下降了5%", -5, false}, {"降了百分之五", -5, false}, {"下降5", -5, false}, {"-5%", -5, false}, {"−5%", -5, false},
		{"负5%", -5, false}, {"减少了百分之十二点五", -12.5, false}, {"增长了一倍", 100, false}, {"增长两倍", 200, false},
		{"增长了35%", 35, false}, {"同比增长45%", 45, false}, {"12.5%", 12.5, false}, {"百分之三十五点五", 35.5, false},
		{"30个百分点", 30, false}, {"0", 0, false}, {"持平", 0, false}, {"零增长", 0, false}, {"大约35%", 35, false},
		{"35%左右", 35, false}, {"一百", 100, false}, {"百分之一百", 100, false}, {"29.99", 29.99, false},
		{"多了5%", 5, false}, {"1-2月增长了35%", 35, false}, {"1至2月合计增长35%", 35, false}, {"三月份下降了3%", -3, false},
		{"３月增长１２％", 12, false}, {"增長了三成", 30, false},
		// Estimates are their lower bound.
		{"35%多", 35, false}, {"三十几", 30, false}, {"三四十", 30, false}, {"大概四成吧", 40, false}, {"翻了一番多", 100, false}, {"30%-40%", 30, false},
		{"下降了翻一番", 0, true}, {"降了一倍", 0, true}, {"5%5", 0, true},
		{"翻了十一番", 0, true}, {"蓝色", 0, true}, {"几", 0, true},
	}
	for _, in := range nonsense {
		tests = append(tests, struct {
			in      string
			want    float64
			wantErr bool
		}{in, 0, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParsePercent(tc.in)
			if (err != nil) != tc.wantErr || (err == nil && math.Abs(got-tc.want) > 1e-9) {
				t.Errorf("ParsePercent(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "例如") && !errors.Is(err, ErrUnsure) {
				t.Errorf("ParsePercent(%q) error %q gives no example", short(tc.in), err)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"3000万", 30_000_000, false}, {"三千万元", 30_000_000, false}, {"0.3亿", 30_000_000, false},
		{"1.2个亿", 120_000_000, false}, {"3,000,000", 3_000_000, false}, {"3,000,000元", 3_000_000, false},
		{"300万元", 3_000_000, false}, {"5千万", 50_000_000, false}, {"1亿2000万", 120_000_000, false},
		{"一亿两千万", 120_000_000, false}, {"两个亿", 200_000_000, false}, {"三万五", 35_000, false},
		{"3万5", 35_000, false}, {"1.5万", 15_000, false}, {"一百二十万", 1_200_000, false}, {"十万", 100_000, false},
		{"800元", 800, false}, {"八百元", 800, false}, {"12345.6元", 12345.6, false}, {"29999999.6元", 29999999.6, false}, {"¥30,000", 30_000, false},
		{"大约3000万左右", 30_000_000, false}, {"３０００万", 30_000_000, false}, {"30000000", 30_000_000, false},
		{"没有", 0, false}, {"0", 0, false}, {"无", 0, false}, {"3w", 30_000, false}, {"一千零五万", 10_050_000, false},
		{"5200万", 52_000_000, false}, {"0.52亿", 52_000_000, false}, {"三万亿", 3_000_000_000_000, false},
		{"一千二", 0, true}, {"一千二元", 1200, false}, {"一亿二", 120_000_000, false}, {"1亿2", 120_000_000, false},
		{"两千五百万", 25_000_000, false}, {"3000万5", 0, true}, {"一百二十万五", 0, true},
		{"三千二百萬", 32_000_000, false}, {"沒有", 0, false}, {"没投", 0, false}, {"没有投保", 0, false},
		// Estimates and ranges are their lower bound.
		{"3000多万", 30_000_000, false}, {"大概两千八九百万吧", 28_000_000, false}, {"交了八万多", 80_000, false},
		{"可能有3200万", 32_000_000, false}, {"2800-2900万", 28_000_000, false}, {"两千到三千万", 20_000_000, false},
		{"十几万", 100_000, false}, {"三四千万", 30_000_000, false}, {"3200万左右", 32_000_000, false},
		{"3000", 0, true}, {"800", 0, true}, {"-5万", 0, true}, {"负五万", 0, true}, {"几万", 0, true},
		{"几百万", 0, true}, {"万", 0, true}, {"亿万", 0, true}, {"三万万", 0, true}, {"3,00", 0, true},
		{"二〇二一万", 0, true}, {"五百三千", 0, true}, {"1e9", 0, true}, {"一万亿亿", 0, true},
		{"99999999亿", 0, true},
	}
	for _, in := range nonsense {
		tests = append(tests, struct {
			in      string
			want    float64
			wantErr bool
		}{in, 0, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParseMoney(tc.in)
			if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
				t.Errorf("ParseMoney(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseYear(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"2021", 2021, false}, {"2021年", 2021, false}, {"21年", 2021, false}, {"21", 2021, false},
		{"去年", 2025, false}, {"前年", 2024, false}, {"今年", 2026, false}, {"大前年", 2023, false},
		{"二〇二一年", 2021, false}, {"二零二一", 2021, false}, {"三年前", 2023, false}, {"3年前", 2023, false},
		{"99年", 1999, false}, {"２０２０年", 2020, false}, {"2019年度", 2019, false}, {"在2022年", 2022, false},
		{"2027", 0, true}, {"1900", 0, true}, {"202", 0, true}, {"明年", 0, true}, {"2021.5", 0, true},
	}
	for _, in := range nonsense {
		tests = append(tests, struct {
			in      string
			want    int
			wantErr bool
		}{in, 0, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParseYear(tc.in, fixedNow)
			if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
				t.Errorf("ParseYear(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"3", 3, false}, {"3年", 3, false}, {"三年", 3, false}, {"连续三年", 3, false}, {"三", 3, false},
		{"没有", 0, false}, {"0", 0, false}, {"两年了", 2, false}, {"十年", 10, false},
		{"三年多", 3, false}, {"2.5年", 0, true}, {"-1", 0, true}, {"999", 0, true},
	}
	for _, in := range nonsense {
		tests = append(tests, struct {
			in      string
			want    int
			wantErr bool
		}{in, 0, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParseCount(tc.in)
			if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
				t.Errorf("ParseCount(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseRecognitions(t *testing.T) {
	tests := []struct {
		in      string
		want    []Recognition
		wantErr bool
	}{
		{"省级专精特新 2021年", []Recognition{{TitleProvincialZJTX, 2021}}, false},
		{"小巨人 2022年，单项冠军 2023年", []Recognition{{TitleLittleGiant, 2022}, {TitleSingleChampion, 2023}}, false},
		{"去年评上国家级小巨人", []Recognition{{TitleNationalLittleGiant, 2025}}, false},
		{"2021年评上专精特新“小巨人”", []Recognition{{TitleLittleGiant, 2021}}, false},
		{"国家级专精特新小巨人2020", []Recognition{{TitleNationalLittleGiant, 2020}}, false},
		{"小巨人2021单项冠军2022", []Recognition{{TitleLittleGiant, 2021}, {TitleSingleChampion, 2022}}, false},
		{"省级专精特新2019年、省级专精特新2021年", []Recognition{{TitleProvincialZJTX, 2019}}, false},
		{"制造业单项冠军，二〇二二年", []Recognition{{TitleSingleChampion, 2022}}, false},
		{"专精特新小巨人,2021年", []Recognition{{TitleLittleGiant, 2021}}, false},
		{"國家級專精特新小巨人 2022年", []Recognition{{TitleNationalLittleGiant, 2022}}, false},
		{"国家级专精特新小巨人　２０２２年", []Recognition{{TitleNationalLittleGiant, 2022}}, false},
		{"小巨人，2021年，单项冠军，2022年", []Recognition{{TitleLittleGiant, 2021}, {TitleSingleChampion, 2022}}, false},
		{"小巨人，单项冠军，2022年", nil, true},
		{"沒有", []Recognition{}, false},
		{"制造业单项冠军二〇二二年", []Recognition{{TitleSingleChampion, 2022}}, false},
		{"没有", []Recognition{}, false}, {"都没有", []Recognition{}, false}, {"无", []Recognition{}, false},
		{"小巨人", nil, true}, {"2021年", nil, true}, {"小巨人和单项冠军都是2022年", nil, true},
		{"高新技术企业2021", nil, true}, {"小巨人2030年", nil, true},
	}
	for _, in := range nonsense {
		tests = append(tests, struct {
			in      string
			want    []Recognition
			wantErr bool
		}{in, nil, true})
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			got, err := ParseRecognitions(tc.in, fixedNow)
			if (err != nil) != tc.wantErr || (err == nil && !equalRecs(got, tc.want)) {
				t.Errorf("ParseRecognitions(%q) = %v, %v, want %v (err %v)", short(tc.in), got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func equalRecs(a, b []Recognition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func short(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}

// checkRefusal is what every parser owes a refused answer: a one-line
// Chinese hint.
func checkRefusal(t *testing.T, name, in string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if msg == "" || strings.Contains(msg, "\n") || !utf8.ValidString(msg) {
		t.Errorf("%s(%q) error %q is not a one-line hint", name, short(in), msg)
	}
}

func FuzzParseYesNo(f *testing.F) {
	for _, s := range []string{"是", "不是", "没有", "嗯", "还没", "是不是", "😀", "", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := ParseYesNo(in)
		checkRefusal(t, "ParseYesNo", in, err)
	})
}

func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"35", "35%", "百分之三十五", "三成半", "翻了一番", "翻两番", "下降了5%", "降了百分之五", "很多", "-", "翻了九番"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ParsePercent(in)
		checkRefusal(t, "ParsePercent", in, err)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6) {
			t.Errorf("ParsePercent(%q) = %v, not a sane percentage", in, v)
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"3000万", "三千万元", "0.3亿", "1.2个亿", "3,000,000", "300万元", "5千万", "一千零五万", "三万五", "很多", "-", "万"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ParseMoney(in)
		checkRefusal(t, "ParseMoney", in, err)
		if err == nil && (v < 0 || v > maxMoneyYuan) {
			t.Errorf("ParseMoney(%q) = %v, out of range", in, v)
		}
	})
}

func FuzzParseYear(f *testing.F) {
	for _, s := range []string{"2021", "21年", "去年", "前年", "今年", "二〇二一年", "三年前", "很多"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		y, err := ParseYear(in, fixedNow)
		checkRefusal(t, "ParseYear", in, err)
		if err == nil && (y < 1949 || y > fixedNow.Year()) {
			t.Errorf("ParseYear(%q) = %v, out of range", in, y)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"3", "三年", "连续三年", "没有", "很多"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseCount(in)
		checkRefusal(t, "ParseCount", in, err)
		if err == nil && (n < 0 || n > 200) {
			t.Errorf("ParseCount(%q) = %v, out of range", in, n)
		}
	})
}

func FuzzParseRecognitions(f *testing.F) {
	for _, s := range []string{"省级专精特新 2021年", "小巨人2021单项冠军2022", "没有", "去年评上国家级小巨人", "很多"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := ParseRecognitions(in, fixedNow)
		checkRefusal(t, "ParseRecognitions", in, err)
		for _, r := range recs {
			if tb, _ := Builtin(); r.Year < 1949 || r.Year > fixedNow.Year() || tb.TitleName(r.Title) == r.Title {
				t.Errorf("ParseRecognitions(%q) = %v, invalid entry", in, recs)
			}
		}
	})
}
