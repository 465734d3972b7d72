package zhtext

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNumeral(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{
		{0, "零"}, {1, "一"}, {2, "二"}, {9, "九"}, {10, "十"}, {11, "十一"}, {12, "十二"}, {19, "十九"},
		{20, "二十"}, {21, "二十一"}, {99, "九十九"}, {100, "一百"}, {101, "一百零一"}, {105, "一百零五"},
		{110, "一百一十"}, {120, "一百二十"}, {999, "九百九十九"}, {1000, "一千"}, {1005, "一千零五"},
		{1010, "一千零一十"}, {1100, "一千一百"}, {2024, "二千零二十四"}, {9999, "九千九百九十九"},
		{10000, "10000"}, {-3, "-3"},
	}
	for _, tt := range tests {
		if got := Numeral(tt.in); got != tt.want {
			t.Errorf("Numeral(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{1, "一"}, {2, "两"}, {3, "三"}, {12, "十二"}, {20, "二十"}, {22, "二十二"}} {
		if got := Count(tt.in); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every numeral Numeral writes, ParseInt reads back.
func TestNumeralRoundTrip(t *testing.T) {
	for n := 0; n < 10000; n++ {
		s := Numeral(n)
		if got, ok := ParseInt(s); !ok || got != n {
			t.Fatalf("ParseInt(Numeral(%d) = %q) = %d, %v", n, s, got, ok)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    string // a decimal, or "" when refused
		hadUnit bool
	}{
		{"3000万", "30000000", true}, {"三千万", "30000000", true}, {"5千万", "50000000", true},
		{"0.3亿", "30000000", true}, {"1.2个亿", "120000000", true}, {"1亿2000万", "120000000", true},
		{"一百二十", "120", true}, {"三万五", "35000", true}, {"一百五", "150", true}, {"一千零五", "1005", true},
		{"三十五点五", "35.5", true}, {"3,000,000", "3000000", false}, {"12.5", "12.5", false},
		{"两", "2", false}, {"十五", "15", true}, {"壹万", "10000", true}, {"贰拾", "20", true},
		{"5w", "50000", true}, {"3k", "3000", true}, {"零", "0", false}, {"一百亿", "10000000000", true},
		{"二二", "", false}, {"3000万5", "", false}, {"百千", "", false}, {"万", "", false}, {"", "", false},
		{"十", "10", true}, {"abc", "", false}, {strings.Repeat("一", 41), "", false}, {"1.2.3", "", false},
	}
	for _, tt := range tests {
		v, hadUnit, ok := ParseNumber(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseNumber(%q) = %v, want refused", tt.in, v.FloatString(4))
			}
			continue
		}
		want, _ := new(big.Rat).SetString(tt.want)
		if !ok || v.Cmp(want) != 0 || hadUnit != tt.hadUnit {
			got := "<nil>"
			if v != nil {
				got = v.FloatString(4)
			}
			t.Errorf("ParseNumber(%q) = %s, %v, %v, want %s, %v, true", tt.in, got, hadUnit, ok, tt.want, tt.hadUnit)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"三", 3, true}, {"十二", 12, true}, {"二十", 20, true}, {"一百零五", 105, true}, {"12", 12, true},
		{" 7 ", 7, true}, {"007", 7, true}, {"0", 0, true}, {"1.5", 0, false}, {"-3", 0, false}, {"", 0, false},
		{"九千亿", 0, false}, {"x", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParseInt(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseInt(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDigitAndUnits(t *testing.T) {
	for i, r := range []rune("零一二三四五六七八九") {
		if v, ok := Digit(r); !ok || v != i {
			t.Errorf("Digit(%q) = %d, %v, want %d, true", r, v, ok, i)
		}
	}
	for i, r := range []rune("〇壹贰叁肆伍陆柒捌玖") {
		if v, ok := Digit(r); !ok || v != i {
			t.Errorf("Digit(%q) = %d, %v, want %d, true", r, v, ok, i)
		}
	}
	if v, ok := Digit('两'); !ok || v != 2 {
		t.Errorf("Digit('两') = %d, %v, want 2, true", v, ok)
	}
	for _, r := range "5十万a" {
		if _, ok := Digit(r); ok {
			t.Errorf("Digit(%q) is a digit, want not", r)
		}
	}
	for _, tt := range []struct {
		r    rune
		want int
	}{{'十', 10}, {'拾', 10}, {'百', 100}, {'佰', 100}, {'千', 1000}, {'仟', 1000}, {'k', 0}, {'万', 0}} {
		if v, _ := SmallUnit(tt.r); v != tt.want {
			t.Errorf("SmallUnit(%q) = %d, want %d", tt.r, v, tt.want)
		}
	}
	for _, tt := range []struct {
		r    rune
		want bool
	}{{'三', true}, {'万', true}, {'亿', true}, {'十', true}, {'两', true}, {'5', false}, {'企', false}, {'k', false}} {
		if got := IsNumeral(tt.r); got != tt.want {
			t.Errorf("IsNumeral(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestSimplify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"貸款延期", "贷款延期"}, {"專精特新企業獎勵多少", "专精特新企业奖励多少"}, {"營業收入", "营业收入"},
		{"第一行國\n第二行貸", "第一行国\n第二行贷"}, {"已是简体", "已是简体"}, {"", ""}, {"abc 123", "abc 123"},
	}
	for _, tt := range tests {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("Simplify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want bool
	}{{"貸款", true}, {"贷款", false}, {"", false}, {"abc", false}, {"𠁞", true}} {
		if got := HasTraditional(tt.in); got != tt.want {
			t.Errorf("HasTraditional(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The set is what t2s rewrites: every character in it, converted alone,
// becomes another character.
func TestTraditionalSetConverts(t *testing.T) {
	cc, err := t2s()
	if err != nil {
		t.Fatal(err)
	}
	set := strings.TrimSpace(traditionalChars)
	if n := utf8.RuneCountInString(set); n < 4000 {
		t.Fatalf("traditional.txt holds %d characters, want the ~4100 of TSCharacters", n)
	}
	var kept []rune
	for _, r := range set {
		if !IsTraditional(r) {
			t.Fatalf("IsTraditional(%q) = false for a character of traditional.txt", r)
		}
		if c, err := cc.Convert(string(r)); err != nil || c == string(r) {
			kept = append(kept, r)
		}
	}
	if len(kept) > 0 {
		t.Errorf("t2s keeps %d characters of traditional.txt as they are: %q", len(kept), string(kept))
	}
}

func TestFormatYuan(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0元"}, {1, "1元"}, {800, "800元"}, {9999, "9999元"}, {10000, "1万元"}, {15000, "1.5万元"}, {25000, "2.5万元"},
		{50000, "5万元"}, {12345, "1.2345万元"}, {100000, "10万元"}, {300000, "30万元"}, {5000000, "500万元"},
		{30000000, "3000万元"}, {99999999, "9999.9999万元"}, {100000000, "1亿元"}, {120000000, "1.2亿元"},
		{150000000, "1.5亿元"}, {100005000, "1.00005亿元"}, {-50000, "-5万元"}, {-800, "-800元"},
		{math.MaxInt64, "92233720368.54775807亿元"}, {math.MinInt64, "-92233720368.54775808亿元"},
	}
	for _, tt := range tests {
		if got := FormatYuan(tt.in); got != tt.want {
			t.Errorf("FormatYuan(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, China()).Zone(); off != 8*3600 {
		t.Errorf("China() offset = %d s, want 28800 (UTC+8, no summer time)", off)
	}
	tests := []struct {
		in   time.Time
		date string
		day  string
	}{
		{time.Date(2023, 2, 13, 0, 0, 0, 0, China()), "2023年2月13日", "2023-02-13T00:00:00+08:00"},
		{time.Date(2024, 12, 31, 23, 59, 0, 0, China()), "2024年12月31日", "2024-12-31T00:00:00+08:00"},
		// 16:30 UTC on 30 November is already 1 December in China.
		{time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC), "2026年11月30日", "2026-12-01T00:00:00+08:00"},
	}
	for _, tt := range tests {
		if got := Date(tt.in); got != tt.date {
			t.Errorf("Date(%v) = %q, want %q", tt.in, got, tt.date)
		}
		if got := Day(tt.in).Format(time.RFC3339); got != tt.day {
			t.Errorf("Day(%v) = %s, want %s", tt.in, got, tt.day)
		}
	}
}

func TestLevelName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"district", "区级"}, {"city", "市级"}, {"province", "省级"}, {"national", "国家级"}, {"county", "县级"}, {"", ""}, {"prefecture", ""},
	}
	for _, tt := range tests {
		if got := LevelName(tt.in); got != tt.want {
			t.Errorf("LevelName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"三千万", "1.2个亿", "三万五", "一百零五", "3,000,000", "二二", "点", "个亿", "0.3亿"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, _, ok := ParseNumber(s)
		if ok && (v == nil || v.Sign() < 0) {
			t.Fatalf("ParseNumber(%q) = %v, ok, want a number ≥ 0", s, v)
		}
	})
}

func TestTraditional(t *testing.T) {
	tests := []struct{ in, want string }{
		{"查进度", "查進度"},
		{"反映问题", "反映問題"},
		{"【坐席】变更工单状态", "【坐席】變更工單狀態"},
		{"ind-03", "ind-03"},
	}
	for _, tt := range tests {
		if got := Traditional(tt.in); got != tt.want {
			t.Errorf("Traditional(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := Simplify(Traditional(tt.in)); back != tt.in {
			t.Errorf("Simplify(Traditional(%q)) = %q", tt.in, back)
		}
	}
}
