package knowledge

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

// freshParts builds the built-in index and normaliser anew, not shared with
// other tests (a search fills a measure's sentences).
func freshParts(t *testing.T) (*sources, *index) {
	t.Helper()
	src, err := builtinSources()
	if err != nil {
		t.Fatal(err)
	}
	norm, err := defaultNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	return src, buildIndex(src.measures, src.lex, nil, norm)
}

// mustSnapshot is snapshotOf for a test.
func mustSnapshot(t testing.TB, ix *index, src *sources) *snapshot {
	t.Helper()
	s, err := snapshotOf(ix, ix.norm, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustKey(t *testing.T) [32]byte {
	t.Helper()
	key, ok := snapshotKey()
	if !ok {
		t.Fatal("snapshotKey: no key for the test binary")
	}
	return key
}

// TestSnapshotIsTheBuiltIndex: an index and normaliser written to a
// snapshot and read back equal, field by field, the ones built from the
// data — a field added to the index and not to the snapshot fails here.
func TestSnapshotIsTheBuiltIndex(t *testing.T) {
	src, built := freshParts(t)
	dir := t.TempDir()
	path := filepath.Join(dir, snapshotFile)
	key := mustKey(t)
	if err := writeSnapshot(dir, path, key, mustSnapshot(t, built, src)); err != nil {
		t.Fatal(err)
	}
	snap := readSnapshot(path, key)
	if snap == nil {
		t.Fatal("readSnapshot: the snapshot just written was not read")
	}
	parts, err := snap.load()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := OfficialNotice()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parts.notice, parsed) {
		pj, _ := json.Marshal(parsed)
		nj, _ := json.Marshal(parts.notice)
		t.Errorf("the snapshot's notice differs from the parsed one (same JSON: %v)", string(pj) == string(nj))
	}
	if !reflect.DeepEqual(parts.lex, src.lex) {
		t.Error("the snapshot's lexicon differs from the parsed one")
	}
	gaz, err := builtinGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parts.ix.gaz, gaz) {
		t.Error("the snapshot's gazetteer differs from the parsed one")
	}
	loaded := parts.ix
	if !reflect.DeepEqual(loaded.norm, built.norm) {
		t.Error("the snapshot's normaliser differs from the built one")
	}
	// The scratch pools hold a func, which DeepEqual never finds equal.
	built.pool.New, loaded.pool.New = nil, nil
	if !reflect.DeepEqual(loaded, built) {
		bv, lv := reflect.ValueOf(built).Elem(), reflect.ValueOf(loaded).Elem()
		for i := range bv.NumField() {
			if !deepEqualValues(bv.Field(i), lv.Field(i)) {
				t.Errorf("index.%s differs between the snapshot and the built index", bv.Type().Field(i).Name)
			}
		}
		t.Error("the snapshot's index differs from the built one")
	}
}

// deepEqualValues compares two unexported field values (DeepEqual on
// reflect.Values compares the Value structs, not what they hold).
func deepEqualValues(a, b reflect.Value) bool {
	pa := reflect.New(a.Type()).Elem()
	pb := reflect.New(b.Type()).Elem()
	pa.Set(reflect.NewAt(a.Type(), a.Addr().UnsafePointer()).Elem())
	pb.Set(reflect.NewAt(b.Type(), b.Addr().UnsafePointer()).Elem())
	return reflect.DeepEqual(pa.Interface(), pb.Interface())
}

// TestBuiltinCachedAnswersAsBuiltin: the first call builds and writes the
// snapshot, the second reads it, and both answer every question of the
// eval, held-out and probe sets exactly as a freshly built base does.
func TestBuiltinCachedAnswersAsBuiltin(t *testing.T) {
	dir := t.TempDir()
	first, err := BuiltinCached(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, snapshotFile)
	if readSnapshot(path, mustKey(t)) == nil {
		t.Fatal("BuiltinCached wrote no readable snapshot")
	}
	cached, err := BuiltinCached(dir)
	if err != nil {
		t.Fatal(err)
	}
	src, built := freshParts(t)
	fresh := newBase([]*Notice{src.notice}, src.lex, nil)
	fresh.norm = built.norm
	fresh.ix.Store(built)
	var qs []string
	for _, name := range []string{"questions.jsonl", "out_of_scope.jsonl", "routes.jsonl"} {
		for _, r := range readEval(t, name) {
			qs = append(qs, r.Q)
		}
	}
	for _, name := range []string{"in_scope.jsonl", "near_miss.jsonl", "facts.jsonl", "routes.jsonl"} {
		for _, r := range readHeldout(t, name) {
			qs = append(qs, r.Q)
		}
	}
	for _, name := range []string{"in_scope.jsonl", "near_miss.jsonl"} {
		for _, r := range readProbes(t, name) {
			qs = append(qs, r.Q)
		}
	}
	qs = append(qs, benchQuestions...)
	if len(qs) < 1000 {
		t.Fatalf("only %d questions to compare", len(qs))
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())
	answer := func(b *Base, q string) string {
		out, err := json.Marshal(b.Ask(q, 3, now))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	for _, q := range qs {
		want := answer(fresh, q)
		if got := answer(cached, q); got != want {
			t.Errorf("Ask(%q) from the snapshot = %s, want %s", q, got, want)
		}
		if got := answer(first, q); got != want {
			t.Errorf("Ask(%q) from the base that wrote the snapshot = %s, want %s", q, got, want)
		}
		if got, want := cached.Search(q, 5), fresh.Search(q, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("Search(%q) from the snapshot = %v, want %v", q, got, want)
		}
	}
}

// TestSnapshotRebuiltWhenBadOrStale: a damaged, truncated, foreign or
// stale snapshot, or one that does not fit the data, is rebuilt silently:
// the base answers, and a good snapshot replaces the bad one.
func TestSnapshotRebuiltWhenBadOrStale(t *testing.T) {
	src, built := freshParts(t)
	key := mustKey(t)
	good := func(t *testing.T, dir string) []byte {
		t.Helper()
		path := filepath.Join(dir, snapshotFile)
		if err := writeSnapshot(dir, path, key, mustSnapshot(t, built, src)); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name string
		bad  func(t *testing.T, dir string) []byte
	}{
		{"garbage", func(*testing.T, string) []byte { return []byte("not a snapshot") }},
		{"empty", func(*testing.T, string) []byte { return nil }},
		{"truncated", func(t *testing.T, dir string) []byte { d := good(t, dir); return d[:len(d)/2] }},
		{"flipped byte", func(t *testing.T, dir string) []byte { d := good(t, dir); d[len(d)-10] ^= 0xff; return d }},
		{"another binary", func(t *testing.T, dir string) []byte {
			d := good(t, dir)
			d[len(snapshotMagic)] ^= 1 // the key
			return d
		}},
		{"another layout", func(t *testing.T, dir string) []byte { d := good(t, dir); d[0] = 'H'; return d }},
		{"other measures", func(t *testing.T, dir string) []byte {
			s := mustSnapshot(t, built, src)
			s.Measures = append([]string(nil), s.Measures...)
			s.Measures[0] = "ind-99"
			path := filepath.Join(dir, snapshotFile)
			if err := writeSnapshot(dir, path, key, s); err != nil {
				t.Fatal(err)
			}
			d, _ := os.ReadFile(path)
			return d
		}},
		{"postings out of range", func(t *testing.T, dir string) []byte {
			s := mustSnapshot(t, built, src)
			s.Posts = append([]posting(nil), s.Posts...)
			s.Posts[0].doc = int32(len(src.measures))
			path := filepath.Join(dir, snapshotFile)
			if err := writeSnapshot(dir, path, key, s); err != nil {
				t.Fatal(err)
			}
			d, _ := os.ReadFile(path)
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, snapshotFile)
			if err := os.WriteFile(path, tt.bad(t, dir), 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := BuiltinCached(dir)
			if err != nil {
				t.Fatalf("BuiltinCached with a bad snapshot: %v", err)
			}
			if rs := b.Search("担保费率降到多少", 1); len(rs) == 0 || rs[0].ID != "ind-12" {
				t.Errorf("Search after a bad snapshot = %v, want ind-12", rs)
			}
			s := readSnapshot(path, key)
			if s == nil {
				t.Fatal("the bad snapshot was not replaced by a good one")
			}
			if _, err := s.load(); err != nil {
				t.Errorf("the replaced snapshot does not fit: %v", err)
			}
		})
	}
}

// TestSnapshotUnwritable: a cache directory that cannot be made (a file is
// in its way) costs the snapshot, not the answer.
func TestSnapshotUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := BuiltinCached(filepath.Join(file, "cache"))
	if err != nil {
		t.Fatalf("BuiltinCached under a file: %v", err)
	}
	if rs := b.Search("专项债怎么申请", 1); len(rs) == 0 || rs[0].ID != "inv-12" {
		t.Errorf("Search = %v, want inv-12", rs)
	}
}

// FuzzDecodeSnapshot: a snapshot body is the user's file; whatever it
// holds, decoding and linking it fail cleanly or give a base's parts,
// never a panic.
func FuzzDecodeSnapshot(f *testing.F) {
	src, err := builtinSources()
	if err != nil {
		f.Fatal(err)
	}
	norm, err := defaultNormalizer()
	if err != nil {
		f.Fatal(err)
	}
	s, err := snapshotOf(buildIndex(src.measures, src.lex, nil, norm), norm, src)
	if err != nil {
		f.Fatal(err)
	}
	body, err := s.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(body))
	f.Add(string(body[:len(body)/3]))
	f.Add("")
	f.Add("\x01\x05abcde")
	f.Fuzz(func(t *testing.T, body string) {
		snap, err := decodeSnapshot(body)
		if err != nil {
			return
		}
		if parts, err := snap.load(); err == nil && parts.ix == nil {
			t.Error("load gave no index and no error")
		}
	})
}

// TestBuiltinScopeCached: `huiqi --help` says the same with a current
// snapshot (its notice read from it), with none, and with a damaged one,
// and never writes one.
func TestBuiltinScopeCached(t *testing.T) {
	want, err := BuiltinScope()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if got, err := BuiltinScopeCached(dir); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("without a snapshot: %+v, %v; want %+v", got, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, snapshotFile)); !os.IsNotExist(err) {
		t.Errorf("BuiltinScopeCached wrote a snapshot (stat: %v)", err)
	}
	if _, err := BuiltinCached(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, snapshotFile)
	if readSnapshotNotice(path, mustKey(t)) == nil {
		t.Fatal("the snapshot's notice was not read")
	}
	if got, err := BuiltinScopeCached(dir); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("with a snapshot: %+v, %v; want %+v", got, err, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-5] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if readSnapshotNotice(path, mustKey(t)) != nil {
		t.Error("a damaged snapshot's notice was read")
	}
	if got, err := BuiltinScopeCached(dir); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("with a damaged snapshot: %+v, %v; want %+v", got, err, want)
	}
}
