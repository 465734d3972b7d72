package knowledge

import (
	"os"
	"strings"
	"testing"
)

func mustGazetteer(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := builtinGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGazetteerFind(t *testing.T) {
	g := mustGazetteer(t)
	tests := []struct {
		q    string
		want []string // place names, in order
	}{
		{"盂县对白名单企业的奖励咋算", []string{"盂县"}},
		{"于县对白名单企页的奖励", []string{"盂县"}},
		{"晋城城区的白名单奖励", []string{"晋城市城区"}},
		{"晋城的城区有什么奖励", []string{"晋城市城区"}},
		{"晋城市城区对规上企业的奖励", []string{"晋城市城区"}},
		{"城区对规上企业的奖励", []string{"阳泉市城区"}},
		{"阳泉市城区的白名单", []string{"阳泉市城区"}},
		{"郊区那边的专精特新企业", []string{"阳泉市郊区"}},
		{"阳泉矿区有没有奖励", []string{"阳泉市矿区"}},
		{"太原小店区技改补贴", []string{"小店区"}},
		{"太原小店的技改补贴", []string{"小店区"}},
		{"开个小店要什么手续", nil},
		{"平定县小升规", []string{"平定县"}},
		{"平顶县专精特新配套多少钱", []string{"平定县"}},
		{"大同平城区小升规", []string{"平城区"}},
		{"两个政策大同小异", nil},
		{"主城区的交通", nil},
		{"老城区改造", nil},
		{"汕尾市城区企业", []string{"汕尾市城区"}},
		{"苏州工业园区首台套", []string{"苏州市"}},
		{"香港中小企业融资担保计划", []string{"香港特别行政区"}},
		{"taiyuan 太原的技改", []string{"太原市"}},
		{"区里对小升规奖多少", []string{"阳泉市城区"}},
		{"市生态环境局城区分局", []string{"阳泉市城区"}},
		{"大阳泉煤矿新采区", []string{"阳泉市"}},
		{"符合山西省保险补偿要求", []string{"山西省"}},
		{"义井镇是否成立了专班", []string{"阳泉市城区"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var got []string
			for _, m := range g.Find(Normalize(tt.q)) {
				got = append(got, m.Place.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Find(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// TestGazetteerCounts holds the Shanxi divisions to the counts of the
// 民政部 list the file records.
func TestGazetteerCounts(t *testing.T) {
	g := mustGazetteer(t)
	n := map[string]int{}
	for _, p := range g.places {
		if p.Province == "山西省" && p.Level != "former" {
			n[p.Level]++
		}
	}
	for level, want := range map[string]int{"prefecture": 11, "district": 26, "county_city": 11, "county": 80} {
		if n[level] != want {
			t.Errorf("Shanxi %s divisions = %d, want %d", level, n[level], want)
		}
	}
	home := g.Home()
	if home.Name != "阳泉市城区" {
		t.Fatalf("Home() = %q", home.Name)
	}
	for _, name := range []string{"阳泉市", "山西省"} {
		p, ok := g.Lookup(name)
		if !ok || !g.Contains(p, home) {
			t.Errorf("%s does not contain home", name)
		}
	}
	if p, ok := g.Lookup("盂县"); !ok || g.Contains(p, home) || g.Contains(home, p) {
		t.Errorf("Lookup(盂县) = %v, %v; want a place apart from home", p, ok)
	}
}

// TestGazetteerNoticeNamesNoOtherPlace: the notice and the lexicon name no
// place but the district and those above it, so a place found in a question
// is the question's, not an echo of the notice's words.
func TestGazetteerNoticeNamesNoOtherPlace(t *testing.T) {
	g := mustGazetteer(t)
	home := g.Home()
	src, err := os.ReadFile("source/chengzhengbanfa-2023-5.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{string(src)}
	lx, err := embeddedLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lx.Entries {
		for _, c := range e.Concepts {
			texts = append(texts, c.Term)
			texts = append(texts, c.Say...)
		}
		texts = append(texts, e.Questions...)
	}
	for _, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			for _, m := range g.Find(Normalize(line)) {
				if !g.Contains(m.Place, home) {
					t.Errorf("%q names %s (%q)", line, m.Place.Name, m.Text)
				}
			}
		}
	}
}
