package knowledge

import (
	"reflect"
	"slices"
	"testing"
)

func TestCanonicalUnit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"区审批局", "区行政审批局"},
		{"审批局", "区行政审批局"},
		{"项目推进中心", "区项目推进中心"},
		{"区中小企业发展中心等", "区中小企业发展中心"},
		{" (区发改局) ", "区发改局"},
		{"区人社局)", "区人社局"},
		{"區審批局", "区行政审批局"},
		{"区发改局", "区发改局"},
		{"义井镇人民政府 ", "义井镇人民政府"},
		{"区教育局", "区教育局"},
		{"区教育局等单位", "区教育局"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CanonicalUnit(tt.in); got != tt.want {
				t.Errorf("CanonicalUnit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnitAliases(t *testing.T) {
	if got := UnitAliases("区行政审批局"); !slices.Contains(got, "区审批局") {
		t.Errorf("UnitAliases(区行政审批局) = %q, want it to contain 区审批局", got)
	}
	if got := UnitAliases("区审批局"); !slices.Contains(got, "审批局") {
		t.Errorf("UnitAliases(区审批局) = %q, want the aliases of its canonical name", got)
	}
	if got := UnitAliases("不存在的单位"); got != nil {
		t.Errorf("UnitAliases(不存在的单位) = %q, want nil", got)
	}
}

func officialUnitNames(t *testing.T) []string {
	t.Helper()
	var known []string
	for _, p := range mustOfficial(t).Packages {
		for _, m := range p.Measures {
			for _, u := range m.Units {
				if !slices.Contains(known, u) {
					known = append(known, u)
				}
			}
		}
	}
	return known
}

func TestFindUnits(t *testing.T) {
	known := officialUnitNames(t)
	tests := []struct {
		in, want string
		cands    []string // must be among the candidates (when want is "")
	}{
		{"rsj", "区人社局", nil},
		{"qrsj", "区人社局", nil},
		{"RSJ", "区人社局", nil},
		{"人社", "区人社局", nil},
		{"人社局", "区人社局", nil},
		{"区人社局", "区人社局", nil},
		{"区审批局", "区行政审批局", nil},
		{"审批局", "区行政审批局", nil},
		{"审批", "区行政审批局", nil},
		{"xzspj", "区行政审批局", nil},
		{"spj", "区行政审批局", nil},
		{"项目推进", "区项目推进中心", nil},
		{"项目推进中心", "区项目推进中心", nil},
		{"发改", "区发改局", nil},
		{"fgj", "区发改局", nil},
		{"zjj", "区住建局", nil},
		{"住建", "区住建局", nil},
		{"交警", "市交警二大队", nil},
		{"税务局", "国家税务总局阳泉市城区税务局", nil},
		{"方舟担保", "阳泉市方舟融资担保公司城区分公司", nil},
		{"中小企业", "区中小企业发展中心", nil},
		{"區人社局", "区人社局", nil},
		{"人设局", "区人社局", nil},
		{"renshe", "区人社局", nil},
		{"shangwu", "区商务局", nil},
		{"中心", "", []string{"区中小企业发展中心", "区项目推进中心", "区融媒体中心"}},
		{"", "", nil},
		{"天气", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			best, cands := FindUnits(tt.in, known)
			if best != tt.want {
				t.Errorf("FindUnits(%q) = %q (candidates %q), want %q", tt.in, best, cands, tt.want)
			}
			for _, c := range tt.cands {
				if !slices.Contains(cands, c) {
					t.Errorf("FindUnits(%q) candidates = %q, want them to include %q", tt.in, cands, c)
				}
			}
		})
	}
}

func TestParseMeasureRef(t *testing.T) {
	var ms []*Measure
	for _, p := range mustOfficial(t).Packages {
		for i := range p.Measures {
			ms = append(ms, &p.Measures[i])
		}
	}
	tests := []struct {
		in, want string // want "" means not found
	}{
		{"ind-03", "ind-03"},
		{"IND-3", "ind-03"},
		{"ind3", "ind-03"},
		{" inv-12 ", "inv-12"},
		{"二十条第3条", "ind-03"},
		{"二十条第三条", "ind-03"},
		{"十八条第12条", "inv-12"},
		{"十八条第十二条", "inv-12"},
		{"二十条措施第20条", "ind-20"},
		{"十八条第19条", ""},
		{"第3条", ""},        // both packages have a 3rd measure
		{"第19条", "ind-19"}, // only 二十条 has a 19th
		{"二十条", ""},
		{"ind-21", ""},
		{"xyz-1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, ok := ParseMeasureRef(tt.in, ms)
			got := ""
			if ok {
				got = m.ID
			}
			if got != tt.want {
				t.Errorf("ParseMeasureRef(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	_ = reflect.DeepEqual
}

func BenchmarkFindUnits(b *testing.B) {
	n, err := OfficialNotice()
	if err != nil {
		b.Fatal(err)
	}
	var known []string
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			for _, u := range m.Units {
				if !slices.Contains(known, u) {
					known = append(known, u)
				}
			}
		}
	}
	for _, q := range []string{"区人社局", "人社", "rsj", "人设局"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				FindUnits(q, known)
			}
		})
	}
}

func TestParseMeasureRefIngested(t *testing.T) {
	n, err := ParseNotice([]byte(synthParen))
	if err != nil {
		t.Fatal(err)
	}
	var ms []*Measure
	for _, p := range append(mustOfficial(t).Packages, n.Packages...) {
		for i := range p.Measures {
			ms = append(ms, &p.Measures[i])
		}
	}
	tests := []struct{ in, want string }{
		{"n2024-3-p1-01", "n2024-3-p1-01"},
		{"N2024-3-P1-2", "n2024-3-p1-02"},
		{"某某区支持中小企业发展若干措施第3条", "n2024-3-p1-03"},
		{"二十条第3条", "ind-03"},
		{"第3条", ""}, // three packages have a 3rd measure
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, ok := ParseMeasureRef(tt.in, ms)
			got := ""
			if ok {
				got = m.ID
			}
			if got != tt.want {
				t.Errorf("ParseMeasureRef(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPackageNamed(t *testing.T) {
	tests := []struct {
		cited, name string
		want        bool
	}{
		{"二十条", "二十条", true},
		{"工业二十条", "二十条", true},
		{"二十条", "十条", false},
		{"某某办法", "某某办法", true},
		{"某某", "某某措施", true},
		{"十八条", "二十条", false},
		{"二十条", "", false},
	}
	for _, tt := range tests {
		if got := packageNamed(tt.cited, tt.name); got != tt.want {
			t.Errorf("packageNamed(%q, %q) = %v, want %v", tt.cited, tt.name, got, tt.want)
		}
	}
}

func TestMeasureRef(t *testing.T) {
	b := mustBuiltin(t)
	tests := []struct{ id, want string }{{"ind-03", "二十条第3条"}, {"inv-12", "十八条第12条"}, {"ind-20", "二十条第20条"}}
	for _, tt := range tests {
		m, ok := b.Measure(tt.id)
		if !ok {
			t.Fatalf("no measure %s", tt.id)
		}
		if got := m.Ref(); got != tt.want {
			t.Errorf("%s.Ref() = %q, want %q", tt.id, got, tt.want)
		}
		// The citation finds the measure again.
		if back, ok := b.Measure(m.Ref()); !ok || back.ID != tt.id {
			t.Errorf("Measure(%q) = %v, %v, want %s", m.Ref(), back, ok, tt.id)
		}
	}
	if got := (&Measure{ID: "x-01", Number: 1}).Ref(); got != "x-01" {
		t.Errorf("Ref() of a measure without a package = %q, want its id", got)
	}
}
