package knowledge

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

// benchQuestions are phrased the way owners ask (not the eval set).
var benchQuestions = []string{
	"专精特新企业区里奖多少钱", "贷款到期还不上能不能缓一缓", "拉原料的货车总被交警拦", "厂里招不到工人",
	"营业执照快到期了来不及换", "今年营收头一回过亿有奖励没", "工地上钢材水泥涨价太厉害", "专项债怎么申请",
	"担保费率降到多少", "明天会下雨吗", "项目前期手续太慢", "營業收入首次突破三千萬有獎勵嗎",
	"限形政策取消了吗", "想出口产品有支持吗", "你好", "我们想在区里多采购本地原料，有没有奖励",
}

func benchSearch(b *testing.B, base *Base) {
	b.Helper()
	ix := base.ix.Load()
	for _, q := range benchQuestions {
		ix.search(q, 5) // warm the snippet caches
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		base.Search(benchQuestions[i%len(benchQuestions)], 5)
		i++
	}
}

// BenchmarkSearch38 is one query (normalise, expand, rank, snippet) on the
// official notice's 38 measures with the lexicon.
func BenchmarkSearch38(b *testing.B) {
	benchSearch(b, mustBuiltin(b))
}

// BenchmarkSearch10k is the same on the 38 measures plus 9,962 synthetic
// ones built from shuffled, mutated clauses of the notice.
func BenchmarkSearch10k(b *testing.B) {
	benchSearch(b, syntheticBase(b, 10000))
}

func benchAsk(b *testing.B, base *Base) {
	b.Helper()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())
	for _, q := range benchQuestions {
		base.Ask(q, 3, now) // warm the snippet caches
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		base.Ask(benchQuestions[i%len(benchQuestions)], 3, now)
		i++
	}
}

// BenchmarkAsk38 is one whole answer (Search's work, the rules, validity,
// the reply) on the official notice's 38 measures, the questions of
// BenchmarkSearch38.
func BenchmarkAsk38(b *testing.B) {
	benchAsk(b, mustBuiltin(b))
}

// BenchmarkAsk10k is the same on BenchmarkSearch10k's 10,000 measures.
func BenchmarkAsk10k(b *testing.B) {
	benchAsk(b, syntheticBase(b, 10000))
}

// BenchmarkBuildIndex is the start-up cost of indexing the notice and the
// lexicon (what `huiqi ask` pays once per process).
func BenchmarkBuildIndex(b *testing.B) {
	parts, err := builtin()
	if err != nil {
		b.Fatal(err)
	}
	base := newBase([]*Notice{parts.notice}, parts.lex, nil)
	b.ReportAllocs()
	for b.Loop() {
		buildIndex(base.measures, parts.lex, nil, parts.norm)
	}
}

func syntheticBase(tb testing.TB, n int) *Base {
	tb.Helper()
	parts, err := builtin()
	if err != nil {
		tb.Fatal(err)
	}
	real := newBase([]*Notice{parts.notice}, parts.lex, nil).measures
	var clauses []string
	for _, m := range real {
		clauses = append(clauses, cutAfter(m.Text, ",，。;；")...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	mutate := func(s string) string {
		rs := []rune(s)
		for i, r := range rs {
			if isHan(r) && rng.IntN(4) == 0 {
				rs[i] = rune(0x4E00 + rng.IntN(0x9FA5-0x4E00))
			}
		}
		return string(rs)
	}
	units := []string{"区发改局", "区工信局", "区财政局", "区人社局", "区住建局", "区商务局"}
	syn := &Notice{Packages: []Package{{Key: "syn", Name: "合成条"}}}
	for i := len(real); i < n; i++ {
		var text strings.Builder
		for k := 0; k < 3+rng.IntN(5); k++ {
			text.WriteString(mutate(clauses[rng.IntN(len(clauses))]))
		}
		t := text.String()
		title := []rune(t)
		if len(title) > 12 {
			title = title[:12]
		}
		syn.Packages[0].Measures = append(syn.Packages[0].Measures, Measure{
			ID: fmt.Sprintf("syn-%05d", i), Package: "合成条", Number: i, Section: "一、合成",
			Title: string(title), Text: t, Units: []string{units[rng.IntN(len(units))]},
		})
	}
	base := newBase([]*Notice{parts.notice, syn}, parts.lex, nil)
	base.norm = parts.norm
	base.ix.Store(buildIndex(base.measures, parts.lex, nil, parts.norm))
	return base
}

// TestSynthetic10kStillFindsTheNotice guards the benchmark's corpus: the
// real measures must still win their own questions among 10,000.
func TestSynthetic10kStillFindsTheNotice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-measure index")
	}
	base := syntheticBase(t, 10000)
	if got := len(base.Measures()); got != 10000 {
		t.Fatalf("synthetic base has %d measures, want 10000", got)
	}
	for q, want := range map[string]string{"担保费率降到多少": "ind-12", "专项债怎么申请": "inv-12", "厂里招不到工人": "ind-07"} {
		if rs := base.Search(q, 3); len(rs) == 0 || rs[0].ID != want {
			t.Errorf("Search(%q) on 10k = %v, want %s first", q, rs, want)
		}
	}
}

// BenchmarkSnapshotLoad is what BuiltinCached pays instead of parsing the
// notice, the lexicon and the gazetteer and BenchmarkBuildIndex (and the
// normaliser) when the snapshot is current: the file read, checked,
// decoded and linked.
func BenchmarkSnapshotLoad(b *testing.B) {
	parts, err := builtin()
	if err != nil {
		b.Fatal(err)
	}
	src, _ := builtinSources()
	dir := b.TempDir()
	path := filepath.Join(dir, snapshotFile)
	key, _ := snapshotKey()
	if err := writeSnapshot(dir, path, key, mustSnapshot(b, parts.ix, src)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readSnapshot(path, key).load(); err != nil {
			b.Fatal(err)
		}
	}
}
