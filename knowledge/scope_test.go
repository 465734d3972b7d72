package knowledge

import (
	"reflect"
	"strings"
	"testing"
)

func TestScopeBuiltin(t *testing.T) {
	b := mustBuiltin(t)
	s := b.Scope()
	if s.Place != "阳泉市城区" || s.Local != "城区" || !reflect.DeepEqual(s.DocNos, []string{"城政办发〔2023〕5号"}) {
		t.Errorf("Scope() place %q, local %q, doc nos %q; want 阳泉市城区, 城区, [城政办发〔2023〕5号]", s.Place, s.Local, s.DocNos)
	}
	want := []ScopePackage{
		{Name: "二十条", Title: "阳泉市城区加快工业企业复产达产二十条措施", Short: "工业企业复产达产二十条", DocNo: "城政办发〔2023〕5号"},
		{Name: "十八条", Title: "阳泉市城区狠抓项目建设扩大有效投资十八条措施", Short: "项目建设扩大有效投资十八条", DocNo: "城政办发〔2023〕5号"},
	}
	if !reflect.DeepEqual(s.Packages, want) {
		t.Errorf("Scope().Packages = %+v, want %+v", s.Packages, want)
	}
	const sentence = "惠企助手解答城区两项惠企政策：《工业企业复产达产二十条》和《项目建设扩大有效投资十八条》，" +
		"涉及奖励补贴、融资担保与贷款、审批办证、电气供应、交通运输、用工招聘、项目建设与招商等。"
	if got := b.Coverage(); got != sentence {
		t.Errorf("Coverage() = %q, want %q", got, sentence)
	}
	for _, tt := range []struct{ name, got, want string }{
		{"Docs", s.Docs(), "城政办发〔2023〕5号"}, {"Names", s.Names(), "二十条、十八条"}, {"Cited", s.Cited(), "《二十条》《十八条》"},
	} {
		if tt.got != tt.want {
			t.Errorf("Scope().%s() = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// An ingested notice is covered by every sentence at once: no copy of the
// old sentence is left saying 两项.
func TestScopeWithIngestedNotice(t *testing.T) {
	parts, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNotice([]byte(synthWeb))
	if err != nil {
		t.Fatal(err)
	}
	b := newBase([]*Notice{parts.notice, n}, parts.lex, nil)
	b.norm = parts.norm
	b.ix.Store(buildIndex(b.measures, b.lex, nil, b.norm))
	s := b.Scope()
	if got, want := s.Docs(), "城政办发〔2023〕5号、城政办发〔2024〕12号"; got != want {
		t.Errorf("Docs() = %q, want %q", got, want)
	}
	if got, want := s.Names(), "二十条、十八条、2024年促进民营经济高质量发展"; got != want {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	const want = "惠企助手解答城区三项惠企政策：《工业企业复产达产二十条》、《项目建设扩大有效投资十八条》和《2024年促进民营经济高质量发展》，" +
		"涉及奖励补贴、融资担保与贷款、审批办证、电气供应、交通运输、用工招聘、项目建设与招商等。"
	if got := b.Coverage(); got != want {
		t.Errorf("Coverage() = %q, want %q", got, want)
	}
	if a := b.Ask("明天会下雨吗", 3, fixedNow); a.Answered || !strings.Contains(a.Text, "三项惠企政策") {
		t.Errorf("Ask(out of scope).Text = %q, want the coverage of three packages", a.Text)
	}
}

func TestScopePieces(t *testing.T) {
	tests := []struct{ office, place, local string }{
		{"阳泉市城区人民政府办公室", "阳泉市城区", "城区"}, {"某某市人民政府", "某某市", "某某市"},
		{"山西省人民政府办公厅", "山西省", "山西省"}, {"某某区人民政府办公室", "某某区", "某某区"}, {"", "", ""},
	}
	for _, tt := range tests {
		p := placeOf(tt.office)
		if p != tt.place || localPlace(p) != tt.local {
			t.Errorf("placeOf(%q) = %q (local %q), want %q (local %q)", tt.office, p, localPlace(p), tt.place, tt.local)
		}
	}
	for _, tt := range []struct{ title, place, want string }{
		{"阳泉市城区加快工业企业复产达产二十条措施", "阳泉市城区", "加快工业企业复产达产二十条"},
		{"城区2024年促进民营经济高质量发展若干措施", "阳泉市城区", "2024年促进民营经济高质量发展"},
		{"某某市稳就业办法", "某某市", "稳就业办法"}, {"措施", "", "措施"},
	} {
		if got := shortTitle(tt.title, tt.place, localPlace(tt.place)); got != tt.want {
			t.Errorf("shortTitle(%q, %q) = %q, want %q", tt.title, tt.place, got, tt.want)
		}
	}
	if got := (Scope{Local: "城区"}).Sentence(); got != "惠企助手解答城区的惠企政策。" {
		t.Errorf("Sentence() of no packages = %q", got)
	}
}

// TestBuiltinScopeIsTheBase's: what --help says without building the base
// is what the built-in base says.
func TestBuiltinScopeIsTheBase(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	got, err := BuiltinScope()
	if err != nil {
		t.Fatal(err)
	}
	if want := b.Scope(); !reflect.DeepEqual(got, want) {
		t.Errorf("BuiltinScope() = %+v, want %+v", got, want)
	}
}
