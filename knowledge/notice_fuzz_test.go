package knowledge

import (
	"errors"
	"slices"
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

// FuzzNoticeFile checks that no file — text, web page or Word file, well
// formed or not — panics the reader or the parser: it parses or is refused
// with a *ParseError. Run: go test -fuzz FuzzNoticeFile ./knowledge
func FuzzNoticeFile(f *testing.F) {
	names := []string{"a.txt", "a.html", "a.docx", "a.doc", "a.pdf", "a"}
	_, page := fixtureFile(f, "yangpu-2022.html")
	_, word := fixtureFile(f, "huaihua-2023.docx.xml")
	f.Add(uint8(1), page)
	f.Add(uint8(2), word)
	f.Add(uint8(2), word[:len(word)/2])
	f.Add(uint8(1), []byte("<html><body><p>1.甲。(责任单位:区财政局)</p><script>x</script></body></html>"))
	f.Add(uint8(2), docxOf(f, []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>1.甲。</w:t></w:r></w:p></w:body></w:document>`)))
	f.Add(uint8(2), docxOf(f, []byte(`<w:document><w:p><w:t>未闭合`)))
	f.Add(uint8(0), []byte("\xb9\xd8\xd3\xda 1.\xbc\xd7"))
	f.Add(uint8(5), []byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, k uint8, src []byte) {
		name := names[int(k)%len(names)]
		n, err := ParseNoticeFile(name, src, ParseOptions{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("ParseNoticeFile(%s, %q) error = %v, want *ParseError", name, src, err)
			}
			return
		}
		if len(n.Packages) == 0 {
			t.Fatalf("ParseNoticeFile(%s, %q) = no packages and no error", name, src)
		}
	})
}

// FuzzExtractAmounts checks the money reader's invariants on any text: no
// panic, sums not negative, a range's least not above its most, each
// figure's text found in the clause, and a known kind.
func FuzzExtractAmounts(f *testing.F) {
	for _, s := range []string{
		"对当年评为省级未来工厂、省级智能工厂的,分别给予 100 万元、30 万元奖励。",
		"年销售收入首次突破1000万元、1亿元的,分别给予一次性奖励10万元、100万元。",
		"给予0.5万元-20万元的扶持奖励,最高不超过50万元,按1%给予奖励",
		"给予五万元补助", "99999999999999999999亿元", "分别给予、、的,", "1-2万元至3%", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := strings.Join(strings.Fields(s), "")
		for _, a := range extractAmounts(s, "district") {
			if a.Yuan < 0 || a.MinYuan < 0 || a.CapYuan < 0 || a.Percent < 0 || a.Kind == KindRange && a.MinYuan > a.Yuan {
				t.Fatalf("extractAmounts(%q) = %+v: bad figures", s, a)
			}
			if !slices.Contains(amountKinds, a.Kind) || a.Text == "" {
				t.Fatalf("extractAmounts(%q) = %+v: kind or text", s, a)
			}
			fig := strings.TrimPrefix(a.Text, capWord(a.Text))
			if !strings.Contains(plain, fig) && !strings.Contains(simplifiedHalfWidth(plain), fig) {
				t.Fatalf("extractAmounts(%q) text %q is not in the clause", s, a.Text)
			}
		}
	})
}

// FuzzApplyReview checks that a review file, however wrong, never panics
// and never changes which items a notice has.
func FuzzApplyReview(f *testing.F) {
	n, err := ParseNotice([]byte(synthParen))
	if err != nil {
		f.Fatal(err)
	}
	var good strings.Builder
	WriteReview(&good, ReviewOf(n, 1))
	f.Add([]byte(good.String()))
	f.Add([]byte(`{"notice":{"doc_no":"某政办发〔2024〕3号"},"measures":[{"id":"n2024-3-p1-01","awards":[{"kind":"award","text":"1","yuan":-1}]}]}`))
	f.Add([]byte(`{"notice":{"doc_no":"某政办发〔2024〕3号","until":"2024-02-30"},"measures":[{"id":"n2024-3-p1-01"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := ApplyReview(n, src)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("ApplyReview(%q) error = %v, want bad input", src, err)
			}
			return
		}
		if !slices.Equal(noticeIDs(got), noticeIDs(n)) {
			t.Fatalf("ApplyReview(%q) changed the items: %q", src, noticeIDs(got))
		}
	})
}
