package knowledge

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"
)

// comparable strips what legitimately differs between layouts (source lines).
func comparableMeasures(n *Notice) []Measure {
	var out []Measure
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			m.Source = 0
			out = append(out, m)
		}
	}
	return out
}

func header(n *Notice) []any {
	var pk []any
	for _, p := range n.Packages {
		pk = append(pk, p.Key, p.Name, p.Title, p.Preamble, p.ValidUntil.Format(time.DateOnly), p.ValidityText)
	}
	return []any{n.Office, n.DocNo, n.Title, n.Addressees, n.Issued.Format(time.DateOnly), n.Published.Format(time.DateOnly), n.Public, pk}
}

func assertSameNotice(t *testing.T, name string, got, want *Notice) {
	t.Helper()
	if g, w := header(got), header(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s header = %q, want %q", name, g, w)
	}
	g, w := comparableMeasures(got), comparableMeasures(want)
	if len(g) != len(w) {
		t.Fatalf("%s has %d measures, want %d", name, len(g), len(w))
	}
	for i := range w {
		if !reflect.DeepEqual(g[i], w[i]) {
			t.Errorf("%s measure %d =\n%+v\nwant\n%+v", name, i, g[i], w[i])
		}
	}
}

func TestOneLineNotice(t *testing.T) {
	want := mustOfficial(t)
	lines := strings.Split(string(OfficialSource()), "\n")
	for _, sep := range []string{"", " ", "  "} {
		t.Run("sep="+strconvQuote(sep), func(t *testing.T) {
			got, err := ParseNotice([]byte(strings.Join(lines, sep)))
			if err != nil {
				t.Fatalf("ParseNotice(one line) error = %v", err)
			}
			assertSameNotice(t, "one line", got, want)
		})
	}
}

func strconvQuote(s string) string { return "\"" + s + "\"" }

func TestTraditionalNotice(t *testing.T) {
	cc, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	trad, err := cc.Convert(string(OfficialSource()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trad, "區審批局") {
		t.Fatalf("s2t did not convert: %.200s", trad)
	}
	got, err := ParseNotice([]byte(trad))
	if err != nil {
		t.Fatalf("ParseNotice(traditional) error = %v", err)
	}
	// OpenCC's s2t writes 抬 as 擡, which its t2s keeps (a variant, not a
	// traditional-only character): the one known round-trip loss.
	for i := range got.Packages {
		for j := range got.Packages[i].Measures {
			m := &got.Packages[i].Measures[j]
			m.Text = strings.ReplaceAll(m.Text, "擡", "抬")
		}
	}
	assertSameNotice(t, "traditional", got, mustOfficial(t))
}

// fullWidth turns ASCII punctuation and digits into their full-width forms.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7F {
			return r + 0xFEE0
		}
		return r
	}, s)
}

func TestFullWidthNotice(t *testing.T) {
	got, err := ParseNotice([]byte(fullWidth(string(OfficialSource()))))
	if err != nil {
		t.Fatalf("ParseNotice(full width) error = %v", err)
	}
	assertSameNotice(t, "full width", got, mustOfficial(t))
}
