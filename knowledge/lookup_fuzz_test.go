package knowledge

import (
	"slices"
	"testing"
)

// FuzzBaseLookups throws any text at the built-in base's measure and unit
// lookups (huiqi measure, huiqi unit, /measure, /unit): a found measure or
// unit is a real one of the base, and nothing panics.
func FuzzBaseLookups(f *testing.F) {
	for _, s := range []string{"ind-03", "inv-18", "二十条第3条", "十八条第12条", "二十条第二十一条", "ind-00", "ind-999999999999999999999",
		"第3条", "rsj", "区审批局", "人社", "", " ", "\xff", "\u202e", "<script>", "@everyone", "../../etc/passwd", "ＩＮＤ－０３"} {
		f.Add(s)
	}
	b, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	ms := b.Measures()
	f.Fuzz(func(t *testing.T, q string) {
		if m, ok := b.Measure(q); ok && !slices.Contains(ms, m) {
			t.Fatalf("Measure(%q) = %v, not a measure of the base", q, m.ID)
		}
		r := b.Unit(q)
		for _, id := range r.Measures {
			if _, ok := b.Measure(id); !ok {
				t.Fatalf("Unit(%q) lists unknown measure %q", q, id)
			}
		}
		if r.Unit == "" && len(r.Measures) != 0 {
			t.Fatalf("Unit(%q) lists measures without a unit", q)
		}
	})
}
