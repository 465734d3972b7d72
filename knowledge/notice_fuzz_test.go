package knowledge

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseNotice checks that no input panics the parser or yields
// inconsistent measures. Seeds are kept small (the whole official notice is
// tested elsewhere): the fuzzer minimises every new input, which for a
// 20 KB text takes minutes. Run: go test -fuzz FuzzParseNotice -fuzzminimizetime 2x ./knowledge
func FuzzParseNotice(f *testing.F) {
	official := string(OfficialSource())
	head := official[strings.Index(official, "阳泉市城区人民政府办公室 关于"):strings.Index(official, "3.支持中小微企业发展")]
	f.Add([]byte(head))
	f.Add([]byte(strings.ReplaceAll(head, "\n", "")))
	f.Add([]byte(official[strings.Index(official, "17.加强组织领导"):strings.Index(official, "2.复工实地帮扶")]))
	f.Add([]byte(official[strings.Index(official, "17.强化考核奖惩"):]))
	f.Add([]byte(synthWeb))
	f.Add([]byte(synthParen))
	f.Add([]byte(synthTiao))
	f.Add([]byte(synthParenSections))
	f.Add([]byte(synthRestart))
	f.Add([]byte(""))
	f.Add([]byte("1."))
	f.Add([]byte("一、\n1.(责任单位:"))
	f.Add([]byte("第一条第二条第三条"))
	f.Add([]byte("《》关于的通知:\n2023年2月30日\n(一)(二)(四)"))
	f.Add([]byte("\xff\xfe1.区\x00局。"))
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ParseNotice(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseNotice(%q) error = %v, want *ParseError", src, err)
			}
			if pe.Line < 1 || pe.Line > strings.Count(string(src), "\n")+1 {
				t.Fatalf("ParseNotice(%q) error line %d out of range", src, pe.Line)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range n.Packages {
			if len(p.Measures) == 0 {
				t.Fatalf("ParseNotice(%q) package %q has no measures", src, p.Key)
			}
			for _, m := range p.Measures {
				if m.ID == "" || seen[m.ID] || !utf8.ValidString(m.Text) {
					t.Fatalf("ParseNotice(%q) measure id %q duplicate or empty, or text invalid", src, m.ID)
				}
				seen[m.ID] = true
			}
		}
	})
}

func FuzzFindUnits(f *testing.F) {
	for _, s := range []string{"rsj", "人社", "区审批局", "", "中心", "\xff", "區人社局", "a", "zzzzzzzzzzzzzz", "(((", "等等等"} {
		f.Add(s)
	}
	known := []string{"区人社局", "区行政审批局", "区项目推进中心", "区中小企业发展中心", "义井镇人民政府"}
	f.Fuzz(func(t *testing.T, q string) {
		best, cands := FindUnits(q, known)
		if best != "" && !contains(known, best) {
			t.Fatalf("FindUnits(%q) = %q, not a known unit", q, best)
		}
		for _, c := range cands {
			if !contains(known, c) {
				t.Fatalf("FindUnits(%q) candidate %q not a known unit", q, c)
			}
		}
		_ = CanonicalUnit(q)
		ParseMeasureRef(q, nil)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
