package knowledge

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// The built-in index and normaliser, kept in a file between processes.
// Building them is most of what a one-shot `huiqi ask` costs, and every
// process of one binary builds the same ones from the same embedded data,
// so BuiltinCached reads them from a snapshot file when it was written by
// this binary from this data, and otherwise builds them and writes it. The
// snapshot holds what they are built from too — the parsed notice, the
// lexicon and the gazetteer (parsing their JSON was the next cost) — so a
// process that finds a current snapshot parses none of its embedded data.

// snapshotFile is the snapshot's name in its directory.
const snapshotFile = "builtin-index.bin"

// snapshotMagic opens the file; the number changes with the layout.
const snapshotMagic = "huiqi builtin index 6\n"

// snapshotKey identifies what a snapshot must have been built by and from:
// this binary (its path, size and modification time — a rebuilt binary may
// index differently from the same data), the Go release, and every embedded
// file the built-in base is made of. ok is false when the binary cannot be
// found (no snapshot is used then).
func snapshotKey() (key [sha256.Size]byte, ok bool) {
	exe, err := os.Executable()
	if err != nil {
		return key, false
	}
	st, err := os.Stat(exe)
	if err != nil {
		return key, false
	}
	// The data is summed with CRC-32 (hardware-assisted, ~40 times faster
	// than SHA-256 here): with the binary's own identity in the key, the
	// sums guard against a test binary's data changing under one name, not
	// against forgery (the file is the user's own).
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00", runtime.Version(), exe, st.Size(), st.ModTime().UnixNano())
	for _, b := range [][]byte{officialText, noticeDataJSON, unitsJSON, gazetteerJSON, calibrationJSON} {
		fmt.Fprintf(h, "%d\x00%08x\x00", len(b), crc32.ChecksumIEEE(b))
	}
	err = fs.WalkDir(lexiconFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := lexiconFS.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%d\x00%08x\x00", p, len(b), crc32.ChecksumIEEE(b))
		return err
	})
	if err != nil {
		return key, false
	}
	copy(key[:], h.Sum(nil))
	return key, true
}

// BuiltinCached is Builtin with everything it is made of read from the
// snapshot in dir — the parsed notice, lexicon and gazetteer, the index and
// the normaliser — or built and written there when the snapshot is missing,
// stale (another binary or other data), damaged or unreadable; a snapshot
// that cannot be written is not an error. dir "" is Builtin.
func BuiltinCached(dir string) (*Base, error) {
	if dir == "" {
		return Builtin()
	}
	key, ok := snapshotKey()
	if !ok {
		return Builtin()
	}
	path := filepath.Join(dir, snapshotFile)
	var parts *builtinParts
	if snap := readSnapshot(path, key); snap != nil {
		parts, _ = snap.load()
	}
	if parts == nil {
		var err error
		if parts, err = builtin(); err != nil {
			return nil, err
		}
		src, err := builtinSources() // what builtin() was built from
		if err != nil {
			return nil, err
		}
		// best effort: the next process builds again if this fails
		if snap, err := snapshotOf(parts.ix, parts.norm, src); err == nil {
			_ = writeSnapshot(dir, path, key, snap)
		}
	}
	b := newBase([]*Notice{parts.notice}, parts.lex, nil)
	b.norm = parts.norm
	b.ix.Store(parts.ix)
	return b, nil
}

// snapshot is what the file holds (snapshot_codec.go writes it): the
// built index and normaliser, with the measures and lexicon entries
// they were built over, by id, to be linked again.
type snapshot struct {
	// What the index was built from (snapshot_value.go writes them): the
	// parsed official notice, the lexicon with its amounts enriched, and
	// the gazetteer's data.
	Notice    *Notice
	Lexicon   *lexiconSnap
	Gazetteer *gazetteerData
	// src and gaz are made of them (linkValues), while the index is read.
	src *sources
	gaz *Gazetteer

	Measures []string
	Entries  []string // the lexicon entry of each measure ("" for none)

	Vocab     map[string]int32
	PostStart []int32   // token t's postings are Posts[PostStart[t]:PostStart[t+1]]
	Posts     []posting // the index's own types here and below: read, they are linked as they are
	IDF       []float32
	MaxIDF    float32
	DocNorm   []float32
	DocConds  [][]string
	// Sentences are each measure's, cut as a snippet cuts them on first
	// use (that was ~1 ms of a one-shot question).
	Sentences [][]sentence

	Phrases    []phrase
	PhraseKeys map[string][]int32 // → Phrases
	OOS        map[string][]int
	OOSMax     int
	OOSHead    map[rune]bool
	ChatSays   []chatSay
	ChatAlone  map[string]int
	ChatMax    int
	Fuzzy      []fuzzyTarget
	FuzzyBy    map[rune][]int32
	QVocab     map[string]int32
	QPost      [][]int32
	QN         []uint8
	QDoc       []int32
	Frame      map[rune][]string
	Domain     map[rune][]string
	Senses     map[string][]string
	UnitNames  []string

	Typos    [][2]string
	English  [][2]string
	Pinyin   map[string]string
	Syl      map[rune][]uint16
	SylIDs   map[string]uint16
	Terms    map[uint64][][]rune
	Lengths  []int
	Keep     []string
	HomoNone bool // the normaliser has no homophone table
}

// snapshotOf copies what ix and norm hold, and what they were built
// from, into a snapshot.
func snapshotOf(ix *index, norm *normalizer, src *sources) (*snapshot, error) {
	gaz, err := parseGazetteerData(gazetteerJSON)
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		Notice: src.notice, Lexicon: &lexiconSnap{Entries: src.lex.Entries, Common: src.lex.Common}, Gazetteer: gaz,
		Vocab: ix.vocab, IDF: ix.idf, MaxIDF: ix.maxIDF,
		OOS: ix.oos, OOSMax: ix.oosMax, OOSHead: ix.oosHead,
		ChatAlone: ix.chat.alone, ChatMax: ix.chat.max, FuzzyBy: ix.fuzzyBy,
		QVocab: ix.qbank.vocab, QPost: ix.qbank.post, QN: ix.qbank.n, QDoc: ix.qbank.doc,
		Frame: ix.frame, Domain: ix.domain, Senses: ix.senses, UnitNames: ix.unitNames,
		PhraseKeys: map[string][]int32{},
	}
	for _, m := range src.measures {
		s.Measures = append(s.Measures, m.ID)
	}
	for _, d := range ix.docs {
		e := ""
		if d.entry != nil {
			e = d.entry.Measure
		}
		s.Entries = append(s.Entries, e)
		s.DocNorm = append(s.DocNorm, d.norm)
		s.DocConds = append(s.DocConds, d.conds)
	}
	for d := range ix.docs {
		s.Sentences = append(s.Sentences, ix.sentences(int32(d)))
	}
	for _, ps := range ix.postings {
		s.PostStart = append(s.PostStart, int32(len(s.Posts)))
		s.Posts = append(s.Posts, ps...)
	}
	s.PostStart = append(s.PostStart, int32(len(s.Posts)))
	for key, ps := range ix.phrases {
		for _, p := range ps {
			s.PhraseKeys[key] = append(s.PhraseKeys[key], int32(len(s.Phrases)))
			s.Phrases = append(s.Phrases, *p)
		}
	}
	s.ChatSays = append(s.ChatSays, ix.chat.says...)
	s.Fuzzy = append(s.Fuzzy, ix.fuzzy...)
	for _, t := range norm.typos {
		s.Typos = append(s.Typos, [2]string{t.from, t.to})
	}
	for _, t := range norm.english {
		s.English = append(s.English, [2]string{t.from, t.to})
	}
	if h := norm.homo; h != nil {
		s.Pinyin, s.Syl, s.SylIDs, s.Terms, s.Lengths, s.Keep = h.pinyin, h.syl, h.ids, h.terms, h.lengths, h.keep
	} else {
		s.HomoNone = true
	}
	return s, nil
}

// lexiconSnap is what a snapshot holds of a Lexicon (its index by measure
// is rebuilt).
type lexiconSnap struct {
	Entries []*LexEntry
	Common  CommonLexicon
}

// load makes the parts of the built-in base from the snapshot alone.
func (s *snapshot) load() (*builtinParts, error) {
	if s.src == nil {
		if err := s.linkValues(); err != nil {
			return nil, err
		}
	}
	return s.parts(s.src, s.gaz)
}

// linkValues makes the lexicon, the gazetteer and the checked sources of
// the snapshot's values.
func (s *snapshot) linkValues() error {
	if s.Notice == nil || s.Lexicon == nil || s.Gazetteer == nil {
		return errSnapshot
	}
	lx := &Lexicon{Entries: s.Lexicon.Entries, Common: s.Lexicon.Common, byID: make(map[string]*LexEntry, len(s.Lexicon.Entries))}
	for _, e := range lx.Entries {
		if e == nil || lx.byID[e.Measure] != nil {
			return errSnapshot
		}
		lx.byID[e.Measure] = e
	}
	gaz, err := newGazetteer(s.Gazetteer)
	if err != nil {
		return errSnapshot
	}
	src, err := sourcesOf(s.Notice, lx)
	if err != nil {
		return errSnapshot
	}
	s.src, s.gaz = src, gaz
	return nil
}

var errSnapshot = errors.New("knowledge: snapshot does not fit the built-in data")

// parts links a snapshot to the parsed notice, lexicon and gazetteer; it
// fails when the snapshot was not built over them or does not hold
// together.
func (s *snapshot) parts(src *sources, gaz *Gazetteer) (*builtinParts, error) {
	ms := src.measures
	n := len(ms)
	if len(s.Measures) != n || len(s.Entries) != n || len(s.DocNorm) != n || len(s.DocConds) != n || len(s.Sentences) != n ||
		len(s.PostStart) != len(s.Vocab)+1 || len(s.IDF) != len(s.Vocab) {
		return nil, errSnapshot
	}
	ix := &index{
		vocab: s.Vocab, idf: s.IDF, maxIDF: s.MaxIDF,
		byID: make(map[string]int32, n), phrases: make(map[string][]*phrase, len(s.PhraseKeys)),
		oos: orEmpty(s.OOS), oosMax: s.OOSMax, oosHead: orEmpty(s.OOSHead),
		chat:    chatter{alone: orEmpty(s.ChatAlone), max: s.ChatMax},
		common:  &src.lex.Common,
		fuzzyBy: orEmpty(s.FuzzyBy),
		qbank:   questionBank{vocab: s.QVocab, post: s.QPost, n: s.QN, doc: s.QDoc},
		frame:   orEmpty(s.Frame), domain: orEmpty(s.Domain), senses: orEmpty(s.Senses),
		unitNames: s.UnitNames,
	}
	ix.docs = make([]docInfo, n)
	for i, m := range ms {
		if s.Measures[i] != m.ID {
			return nil, errSnapshot
		}
		e := src.lex.Entry(m.ID)
		if (e == nil) != (s.Entries[i] == "") || e != nil && e.Measure != s.Entries[i] {
			return nil, errSnapshot
		}
		if !sentencesIn(s.Sentences[i], len(s.Vocab)) {
			return nil, errSnapshot
		}
		ix.byID[m.ID] = int32(i)
		cut := new(sync.Once)
		cut.Do(func() {}) // the sentences are the snapshot's
		ix.docs[i] = docInfo{m: m, norm: s.DocNorm[i], entry: e, once: cut, sentences: s.Sentences[i], conds: s.DocConds[i]}
	}
	ix.postings = make([][]posting, len(s.Vocab))
	all := s.Posts
	for _, p := range all {
		if p.doc < 0 || int(p.doc) >= n {
			return nil, errSnapshot
		}
	}
	for t := range ix.postings {
		a, b := s.PostStart[t], s.PostStart[t+1]
		if a < 0 || a > b || int(b) > len(all) {
			return nil, errSnapshot
		}
		ix.postings[t] = all[a:b:b]
	}
	for _, id := range s.Vocab {
		if id < 0 || int(id) >= len(ix.postings) {
			return nil, errSnapshot
		}
	}
	// each measure's tokens in token order, as buildIndex appends them,
	// cut from one array
	per := make([]int, n)
	for _, p := range all {
		per[p.doc]++
	}
	tokens := make([]int32, len(all))
	ix.docTokens = make([][]int32, n)
	for d, c := range per {
		if c > 0 {
			ix.docTokens[d] = tokens[:0:c]
			tokens = tokens[c:]
		}
	}
	for id, ps := range ix.postings {
		for _, p := range ps {
			ix.docTokens[p.doc] = append(ix.docTokens[p.doc], int32(id))
		}
	}
	phrases := s.Phrases
	for _, p := range phrases {
		if !docsIn(p.docs, n) {
			return nil, errSnapshot
		}
	}
	for key, is := range s.PhraseKeys {
		for _, i := range is {
			if i < 0 || int(i) >= len(phrases) {
				return nil, errSnapshot
			}
			ix.phrases[key] = append(ix.phrases[key], &phrases[i])
		}
	}
	for _, ts := range s.OOS {
		for _, t := range ts {
			if t < 0 || t >= len(src.lex.Common.OutOfScope) {
				return nil, errSnapshot
			}
		}
	}
	for _, c := range s.ChatSays {
		if c.kind < 0 || c.kind >= len(src.lex.Common.Chitchat) {
			return nil, errSnapshot
		}
	}
	ix.chat.says = s.ChatSays
	for _, k := range s.ChatAlone {
		if k < 0 || k >= len(src.lex.Common.Chitchat) {
			return nil, errSnapshot
		}
	}
	for _, f := range s.Fuzzy {
		if !docsIn(f.docs, n) {
			return nil, errSnapshot
		}
	}
	ix.fuzzy = s.Fuzzy
	for _, fs := range s.FuzzyBy {
		if !docsIn(fs, len(ix.fuzzy)) {
			return nil, errSnapshot
		}
	}
	if len(s.QN) != len(s.QDoc) || !docsIn(s.QDoc, n) {
		return nil, errSnapshot
	}
	for _, qs := range s.QPost {
		if !docsIn(qs, len(s.QDoc)) {
			return nil, errSnapshot
		}
	}
	for _, id := range s.QVocab {
		if id < 0 || int(id) >= len(s.QPost) {
			return nil, errSnapshot
		}
	}
	ix.gaz = gaz
	var err error
	if ix.cal, err = builtinCalibration(); err != nil {
		return nil, err
	}
	norm := &normalizer{typoHead: map[rune][]typo{}}
	for _, t := range s.Typos {
		norm.typos = append(norm.typos, typo{t[0], t[1]})
	}
	for _, t := range norm.typos {
		r, _ := utf8.DecodeRuneInString(t.from)
		norm.typoHead[r] = append(norm.typoHead[r], t)
	}
	for _, t := range s.English {
		norm.english = append(norm.english, typo{t[0], t[1]})
	}
	if !s.HomoNone {
		h := &homophones{pinyin: orEmpty(s.Pinyin), syl: orEmpty(s.Syl), ids: orEmpty(s.SylIDs), terms: orEmpty(s.Terms), lengths: s.Lengths,
			keep: make([]string, 0, len(s.Keep)), keepHead: make(map[rune][]string, len(s.Keep)/2)}
		for _, k := range s.Keep {
			h.addKeep(k)
		}
		norm.homo = h
	}
	ix.norm = norm
	ix.pool.New = func() any { return &scratch{} }
	return &builtinParts{notice: src.notice, lex: src.lex, norm: norm, ix: ix}, nil
}

// sentencesIn reports whether every token of ss and their parts is in
// [0, n).
func sentencesIn(ss []sentence, n int) bool {
	for _, s := range ss {
		if !docsIn(s.tokens, n) || !sentencesIn(s.parts, n) {
			return false
		}
	}
	return true
}

// docsIn reports whether every id is in [0, n).
func docsIn(ids []int32, n int) bool {
	return !slices.ContainsFunc(ids, func(d int32) bool { return d < 0 || int(d) >= n })
}

// orEmpty is m, or an empty map for a nil one.
func orEmpty[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}

// bodySum is the checksum of a snapshot's body (against damage, not
// forgery: the file is the user's own). IEEE, not Castagnoli: making the
// Castagnoli tables costs a process ~1 ms, more than summing the body.
func bodySum(body []byte) uint32 { return crc32.ChecksumIEEE(body) }

// readSnapshot returns the snapshot at path when it carries key and its
// content is whole, else nil.
func readSnapshot(path string, key [sha256.Size]byte) *snapshot {
	body := readSnapshotBody(path, key)
	if body == "" {
		return nil
	}
	snap, err := decodeSnapshot(body)
	if err != nil {
		return nil
	}
	return snap
}

// readSnapshotNotice returns only the notice of the snapshot at path, when
// it carries key and its content is whole, else nil.
func readSnapshotNotice(path string, key [sha256.Size]byte) *Notice {
	body := readSnapshotBody(path, key)
	if body == "" {
		return nil
	}
	n, err := decodeSnapshotNotice(body)
	if err != nil {
		return nil
	}
	return n
}

// readSnapshotBody returns the body of the snapshot at path when it
// carries key and its checksum, else "".
func readSnapshotBody(path string, key [sha256.Size]byte) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	head := len(snapshotMagic) + sha256.Size + 4
	if len(data) < head || string(data[:len(snapshotMagic)]) != snapshotMagic ||
		!bytes.Equal(data[len(snapshotMagic):len(snapshotMagic)+sha256.Size], key[:]) {
		return ""
	}
	body := data[head:]
	if bodySum(body) != binary.LittleEndian.Uint32(data[head-4:head]) {
		return ""
	}
	// The decoded strings are pieces of the body; data is not written
	// again, so it is read as a string without a copy of its ~420 KB.
	return unsafe.String(unsafe.SliceData(body), len(body))
}

// writeSnapshot writes s to path through a temporary file in dir, so a
// reader never sees half of it and concurrent writers leave one whole file.
func writeSnapshot(dir, path string, key [sha256.Size]byte, s *snapshot) error {
	body, err := s.encode()
	if err != nil {
		return fmt.Errorf("knowledge: snapshot: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("knowledge: snapshot: %w", err)
	}
	f, err := os.CreateTemp(dir, snapshotFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("knowledge: snapshot: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, removes nothing
	sum := binary.LittleEndian.AppendUint32(nil, bodySum(body))
	_, err = f.WriteString(snapshotMagic)
	if err == nil {
		_, err = f.Write(key[:])
	}
	if err == nil {
		_, err = f.Write(sum)
	}
	if err == nil {
		_, err = f.Write(body)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("knowledge: snapshot: %w", err)
	}
	return nil
}
