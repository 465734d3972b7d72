package knowledge

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

// The project's own evaluation set (testdata/eval, written from the notice
// in owners' words: colloquial, indirect, typos, traditional characters).
// The test fails when the ranker drops below these thresholds.
const (
	minTop1    = 0.90
	minTop3    = 0.96
	minAbstain = 0.90
	// minAnswered: in-scope questions must not be refused as out of scope.
	minAnswered = 0.93
)

type evalRow struct {
	Q      string   `json:"q"`
	Expect []string `json:"expect"`
}

func readEval(t testing.TB, name string) []evalRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "eval", name))
	if err != nil {
		t.Fatalf("open eval set: %v", err)
	}
	defer f.Close()
	var rows []evalRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var r evalRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return rows
}

// fixedNow is the tests' clock: 2026-11-27 in China time.
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

// withoutQuestions returns a base whose lexicon lacks every typical question
// and say-phrase equal (after normalisation) to one of qs, so that the
// evaluation measures generalisation rather than recall of the lexicon.
func withoutQuestions(t testing.TB, qs []evalRow) *Base {
	t.Helper()
	parts, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	drop := map[string]bool{}
	for _, r := range qs {
		drop[basicNormalize(r.Q)] = true
	}
	keep := func(ss []string) []string {
		var out []string
		for _, s := range ss {
			if !drop[basicNormalize(s)] {
				out = append(out, s)
			}
		}
		return out
	}
	lx := &Lexicon{Common: parts.lex.Common, byID: map[string]*LexEntry{}}
	for _, e := range parts.lex.Entries {
		c := *e
		c.Questions = keep(e.Questions)
		c.Concepts = nil
		for _, k := range e.Concepts {
			c.Concepts = append(c.Concepts, Concept{Term: k.Term, Say: keep(k.Say)})
		}
		lx.Entries = append(lx.Entries, &c)
		lx.byID[c.Measure] = &c
	}
	b := newBase([]*Notice{parts.notice}, lx, nil)
	b.norm = parts.norm
	b.ix.Store(buildIndex(b.measures, lx, nil, b.norm))
	return b
}

func TestEval(t *testing.T) {
	qs := readEval(t, "questions.jsonl")
	oos := readEval(t, "out_of_scope.jsonl")
	shipped, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("shipped", func(t *testing.T) { scoreEval(t, shipped, qs, oos) })
	t.Run("held-out", func(t *testing.T) { scoreEval(t, withoutQuestions(t, qs), qs, oos) })
}

func scoreEval(t *testing.T, b *Base, qs, oos []evalRow) {
	perMeasure := map[string]int{}
	var top1, top3, answered int
	for _, r := range qs {
		if len(r.Expect) == 0 {
			t.Fatalf("question %q expects no measure", r.Q)
		}
		for _, id := range r.Expect {
			if _, ok := b.Measure(id); !ok {
				t.Fatalf("question %q expects unknown measure %s", r.Q, id)
			}
			perMeasure[id]++
		}
		a := b.Ask(r.Q, 3, fixedNow)
		ids := make([]string, len(a.Results))
		for i, res := range a.Results {
			ids[i] = res.ID
		}
		in := func(id string) bool {
			for _, e := range r.Expect {
				if e == id {
					return true
				}
			}
			return false
		}
		ok1 := len(ids) > 0 && in(ids[0])
		ok3 := false
		for _, id := range ids {
			ok3 = ok3 || in(id)
		}
		if ok1 {
			top1++
		}
		if ok3 {
			top3++
		}
		if a.Answered {
			answered++
		}
		if !ok1 || !a.Answered {
			t.Logf("miss: %q expect %v got %v answered=%v conf=%.2f", r.Q, r.Expect, ids, a.Answered, a.Confidence)
		}
	}
	for _, m := range b.Measures() {
		if perMeasure[m.ID] < 5 {
			t.Errorf("eval set has %d questions for %s, want at least 5", perMeasure[m.ID], m.ID)
		}
	}
	abstained := 0
	for _, r := range oos {
		a := b.Ask(r.Q, 3, fixedNow)
		if !a.Answered {
			abstained++
			continue
		}
		top := ""
		if len(a.Results) > 0 {
			top = a.Results[0].ID
		}
		t.Logf("answered out of scope: %q -> %s conf=%.2f", r.Q, top, a.Confidence)
	}
	n := float64(len(qs))
	got1, got3, gotA := float64(top1)/n, float64(top3)/n, float64(answered)/n
	gotAbs := float64(abstained) / float64(len(oos))
	t.Logf("questions %d: top1 %.3f top3 %.3f answered %.3f; out of scope %d: abstained %.3f", len(qs), got1, got3, gotA, len(oos), gotAbs)
	if got1 < minTop1 {
		t.Errorf("top-1 = %.3f, want ≥ %.2f", got1, minTop1)
	}
	if got3 < minTop3 {
		t.Errorf("top-3 = %.3f, want ≥ %.2f", got3, minTop3)
	}
	if gotA < minAnswered {
		t.Errorf("answered = %.3f, want ≥ %.2f", gotA, minAnswered)
	}
	if gotAbs < minAbstain {
		t.Errorf("out-of-scope abstained = %.3f, want ≥ %.2f", gotAbs, minAbstain)
	}
}
