package knowledge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The held-out sets (testdata/heldout, see its README) were written from the
// notice alone, without sight of the lexicon. Rows are split in two by their
// line index: the even half is the one huiqi's data may be tuned on, the odd
// half is never looked at row by row, so that the two halves' numbers side
// by side tell generalisation from memorisation. The thresholds are held on
// each half: issue 13's targets for in-scope questions (top-1 0.97, answered
// 0.95); for near misses and facts, whose target is 0.95 too, what the
// untouched half reaches (0.944 and 0.923 when written; the tuned half
// reaches 1.0 on both), so that they only ever go up.
const (
	heldoutTop1     = 0.97
	heldoutAnswered = 0.95
	heldoutAbstain  = 0.94
	heldoutFacts    = 0.92
	// The probes are few (56 and 100): one miss is one to two points.
	probesInScope  = 0.90
	probesNearMiss = 0.90
)

// heldoutRow is a row of any held-out file (each uses some of the fields).
type heldoutRow struct {
	Q         string   `json:"q"`
	Expect    []string `json:"expect"`
	Kind      string   `json:"kind"`
	Register  string   `json:"register"`
	ID        string   `json:"id"`
	ExpectAny []string `json:"expect_any"`
	ExpectNon []string `json:"expect_none"`
	ExpectAll []string `json:"expect_all"`
	index     int
}

func readHeldout(t testing.TB, name string) []heldoutRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "heldout", name))
	if err != nil {
		t.Fatalf("open held-out set: %v", err)
	}
	defer f.Close()
	var rows []heldoutRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var r heldoutRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		r.index = len(rows)
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return rows
}

// half names the half of a row: "tuned" (even index) or "untouched".
func (r heldoutRow) half() string {
	if r.index%2 == 0 {
		return "tuned"
	}
	return "untouched"
}

// tally counts passes per group.
type tally map[string][2]int

func (t tally) add(group string, ok bool) {
	c := t[group]
	c[1]++
	if ok {
		c[0]++
	}
	t[group] = c
}

func (t tally) rate(group string) float64 {
	c := t[group]
	if c[1] == 0 {
		return 1
	}
	return float64(c[0]) / float64(c[1])
}

func (t tally) String() string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		c := t[k]
		fmt.Fprintf(&sb, "  %-34s %3d/%3d = %.3f\n", k, c[0], c[1], float64(c[0])/float64(c[1]))
	}
	return sb.String()
}

// showMiss logs a miss only for the tuned half: the untouched half is
// reported as numbers alone.
func showMiss(t *testing.T, r heldoutRow, format string, args ...any) {
	if r.half() == "tuned" {
		t.Logf(format, args...)
	}
}

func TestHeldoutInScope(t *testing.T) {
	b := mustBuiltin(t)
	top1, answered := tally{}, tally{}
	for _, r := range readHeldout(t, "in_scope.jsonl") {
		a := b.Ask(r.Q, 3, fixedNow)
		ok1 := len(a.Results) > 0 && contains(r.Expect, a.Results[0].ID)
		for _, g := range []string{r.half(), r.half() + "/" + r.Register} {
			top1.add(g, ok1)
			answered.add(g, a.Answered)
		}
		if !ok1 || !a.Answered {
			ids := []string{}
			for _, x := range a.Results {
				ids = append(ids, x.ID)
			}
			showMiss(t, r, "miss %d: %q expect %v got %v answered=%v kind=%s conf=%.2f", r.index, r.Q, r.Expect, ids, a.Answered, a.Kind, a.Confidence)
		}
	}
	t.Logf("in scope top-1:\n%s", top1)
	t.Logf("in scope answered:\n%s", answered)
	for _, h := range []string{"tuned", "untouched"} {
		if got := top1.rate(h); got < heldoutTop1 {
			t.Errorf("held-out in scope (%s half) top-1 = %.3f, want ≥ %.2f", h, got, heldoutTop1)
		}
		if got := answered.rate(h); got < heldoutAnswered {
			t.Errorf("held-out in scope (%s half) answered = %.3f, want ≥ %.2f", h, got, heldoutAnswered)
		}
	}
}

func TestHeldoutNearMiss(t *testing.T) {
	b := mustBuiltin(t)
	abstained := tally{}
	for _, r := range readHeldout(t, "near_miss.jsonl") {
		a := b.Ask(r.Q, 3, fixedNow)
		ok := !a.Answered
		for _, g := range []string{r.half(), r.half() + "/" + r.Kind} {
			abstained.add(g, ok)
		}
		if !ok {
			top := ""
			if len(a.Results) > 0 {
				top = a.Results[0].ID
			}
			showMiss(t, r, "answered %d [%s]: %q -> %s conf=%.2f", r.index, r.Kind, r.Q, top, a.Confidence)
		}
		if containsContact(a.Text) {
			t.Errorf("Ask(%q) invents a phone number or URL: %q", r.Q, a.Text)
		}
	}
	t.Logf("near miss abstained:\n%s", abstained)
	for _, h := range []string{"tuned", "untouched"} {
		if got := abstained.rate(h); got < heldoutAbstain {
			t.Errorf("held-out near miss (%s half) abstained = %.3f, want ≥ %.2f", h, got, heldoutAbstain)
		}
	}
}

// factText is an answer as the facts rule reads it: full-width forms
// folded (the NFKC of the README's rule, for the characters answers use)
// and whitespace removed.
func factText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		}
		return r
	}, s)
}

// factPass is the rule of the README: at least one of any, none of none,
// all of all.
func factPass(text string, r heldoutRow) bool {
	text = factText(text)
	has := func(s string) bool { return strings.Contains(text, factText(s)) }
	ok := len(r.ExpectAny) == 0
	for _, s := range r.ExpectAny {
		ok = ok || has(s)
	}
	for _, s := range r.ExpectNon {
		ok = ok && !has(s)
	}
	for _, s := range r.ExpectAll {
		ok = ok && has(s)
	}
	return ok
}

func TestHeldoutFacts(t *testing.T) {
	b := mustBuiltin(t)
	pass := tally{}
	for _, r := range readHeldout(t, "facts.jsonl") {
		a := b.Ask(r.Q, 3, fixedNow)
		ok := factPass(a.Text, r)
		pass.add(r.half(), ok)
		if !ok {
			showMiss(t, r, "fact %s %q: any %v none %v all %v\n got: %s", r.ID, r.Q, r.ExpectAny, r.ExpectNon, r.ExpectAll, a.Text)
		}
	}
	t.Logf("facts:\n%s", pass)
	for _, h := range []string{"tuned", "untouched"} {
		if got := pass.rate(h); got < heldoutFacts {
			t.Errorf("held-out facts (%s half) = %.3f, want ≥ %.2f", h, got, heldoutFacts)
		}
	}
}

// readProbes reads a file of testdata/probes: fresh questions written for
// issue 13 in registers the other sets lack (voice input without
// punctuation, accountants' words, English sentences, bare emoji), as a
// second check that was never tuned on; and questions of other levels'
// programmes and of words in other senses written in issue 19's last
// session (20 and 20 that must be declined, 11 in the notice's sense),
// against which that session's fixes were made: those rows are a
// regression check, not an untouched one.
func readProbes(t testing.TB, name string) []heldoutRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "probes", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows []heldoutRow
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r heldoutRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s:%d: %v", name, i+1, err)
		}
		r.index = len(rows)
		rows = append(rows, r)
	}
	return rows
}

func TestProbes(t *testing.T) {
	b := mustBuiltin(t)
	in, near := tally{}, tally{}
	for _, r := range readProbes(t, "in_scope.jsonl") {
		a := b.Ask(r.Q, 3, fixedNow)
		ok := a.Answered && len(a.Results) > 0 && contains(r.Expect, a.Results[0].ID)
		in.add("all", ok)
		in.add(r.Register, ok)
		if !ok {
			ids := []string{}
			for _, x := range a.Results {
				ids = append(ids, x.ID)
			}
			t.Logf("probe miss: %q expect %v got %v answered=%v kind=%s conf=%.2f", r.Q, r.Expect, ids, a.Answered, a.Kind, a.Confidence)
		}
	}
	for _, r := range readProbes(t, "near_miss.jsonl") {
		a := b.Ask(r.Q, 3, fixedNow)
		near.add("all", !a.Answered)
		near.add(r.Kind, !a.Answered)
		if a.Answered {
			top := ""
			if len(a.Results) > 0 {
				top = a.Results[0].ID
			}
			t.Logf("probe answered [%s]: %q -> %s conf=%.2f", r.Kind, r.Q, top, a.Confidence)
		}
	}
	t.Logf("probes in scope answered right:\n%s", in)
	t.Logf("probes near miss declined:\n%s", near)
	if got := in.rate("all"); got < probesInScope {
		t.Errorf("probes in scope answered right = %.3f, want ≥ %.2f", got, probesInScope)
	}
	if got := near.rate("all"); got < probesNearMiss {
		t.Errorf("probes near miss declined = %.3f, want ≥ %.2f", got, probesNearMiss)
	}
}
