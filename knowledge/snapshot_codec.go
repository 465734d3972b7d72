package knowledge

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
)

// The snapshot's encoding: every field in order, lengths and integers as
// varints, floats as their bits, strings as length and bytes. gob took
// 5 ms and 44,000 allocations to read the snapshot back (one reflective
// step per element, one allocation per string); this reads the strings as
// pieces of one and sizes every slice and map before filling it.

type snapEncoder struct{ b []byte }

func (e *snapEncoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *snapEncoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *snapEncoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *snapEncoder) f32(f float32) { e.uint(uint64(math.Float32bits(f))) }
func (e *snapEncoder) f64(f float64) { e.uint(math.Float64bits(f)) }
func (e *snapEncoder) bool(v bool) {
	if v {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

// f32s writes a slice of float32 as its count and each value's four bytes
// (their bits are large numbers, five bytes as varints, and there are tens
// of thousands of them: the weights of postings).
func (e *snapEncoder) f32s(fs []float32) {
	e.uint(uint64(len(fs)))
	for _, f := range fs {
		e.f32bits(f)
	}
}

// f32bits writes a float32 as its four bytes.
func (e *snapEncoder) f32bits(f float32) {
	e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(f))
}

func putSlice[T any](e *snapEncoder, xs []T, put func(*snapEncoder, T)) {
	e.uint(uint64(len(xs)))
	for _, x := range xs {
		put(e, x)
	}
}

func putMap[K comparable, V any](e *snapEncoder, m map[K]V, putK func(*snapEncoder, K), putV func(*snapEncoder, V)) {
	e.uint(uint64(len(m)))
	for k, v := range m {
		putK(e, k)
		putV(e, v)
	}
}

func putI32(e *snapEncoder, v int32)     { e.int(int64(v)) }
func putInt(e *snapEncoder, v int)       { e.int(int64(v)) }
func putRune(e *snapEncoder, v rune)     { e.int(int64(v)) }
func putU16(e *snapEncoder, v uint16)    { e.uint(uint64(v)) }
func putU8(e *snapEncoder, v uint8)      { e.uint(uint64(v)) }
func putStr(e *snapEncoder, s string)    { e.str(s) }
func putBool(e *snapEncoder, v bool)     { e.bool(v) }
func putU64(e *snapEncoder, v uint64)    { e.uint(v) }
func putI32s(e *snapEncoder, v []int32)  { putSlice(e, v, putI32) }
func putStrs(e *snapEncoder, v []string) { putSlice(e, v, putStr) }
func putInts(e *snapEncoder, v []int)    { putSlice(e, v, putInt) }
func putPair(e *snapEncoder, p [2]string) {
	e.str(p[0])
	e.str(p[1])
}

// errSnapshotShort is a snapshot that ends inside a value or claims more
// elements than it has bytes.
var errSnapshotShort = errors.New("knowledge: snapshot cut short")

type snapDecoder struct {
	s   string // the whole body: strings are pieces of it
	at  int
	err error
	// ints is where small []int32 and []rune are cut from, a chunk at a
	// time (there are thousands of them: postings of phrases, terms).
	ints []int32
}

// int32s reads a slice of int32 (or rune) into the decoder's chunk.
func (d *snapDecoder) int32s() []int32 {
	n := d.count()
	if n == 0 {
		return nil
	}
	if len(d.ints) < n {
		d.ints = make([]int32, max(n, 1<<14))
	}
	xs := d.ints[:n:n]
	d.ints = d.ints[n:]
	for i := range xs {
		xs[i] = int32(d.int())
	}
	return xs
}

func (d *snapDecoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := uvarintString(d.s[d.at:])
	if n <= 0 {
		d.err = errSnapshotShort
		return 0
	}
	d.at += n
	return v
}

func (d *snapDecoder) int() int64 {
	u := d.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// count reads a length, bounded by the bytes left (each element takes at
// least one), so a damaged length cannot ask for gigabytes.
func (d *snapDecoder) count() int {
	n := d.uint()
	if d.err == nil && n > uint64(len(d.s)-d.at) {
		d.err = errSnapshotShort
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *snapDecoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := d.s[d.at : d.at+n]
	d.at += n
	return s
}

// f32s reads what snapEncoder.f32s wrote; none is nil.
func (d *snapDecoder) f32s() []float32 {
	n := d.count()
	if d.err == nil && n > (len(d.s)-d.at)/4 {
		d.err = errSnapshotShort
	}
	if n == 0 || d.err != nil {
		return nil
	}
	fs := make([]float32, n)
	for i := range fs {
		fs[i] = d.f32bits()
	}
	return fs
}

// f32bits reads a float32 written as its four bytes.
func (d *snapDecoder) f32bits() float32 {
	if d.err == nil && len(d.s)-d.at < 4 {
		d.err = errSnapshotShort
	}
	if d.err != nil {
		return 0
	}
	b := d.s[d.at : d.at+4]
	d.at += 4
	return math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
}

func (d *snapDecoder) f32() float32 { return math.Float32frombits(uint32(d.uint())) }
func (d *snapDecoder) f64() float64 { return math.Float64frombits(d.uint()) }
func (d *snapDecoder) bool() bool   { return d.uint() != 0 }

// uvarintString is binary.Uvarint on a string (no copy of the body).
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -1
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

// getSlice reads a slice; an empty one is nil, as gob and the index's own
// appends leave it.
func getSlice[T any](d *snapDecoder, get func(*snapDecoder) T) []T {
	n := d.count()
	if n == 0 {
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		xs[i] = get(d)
	}
	return xs
}

func getMap[K comparable, V any](d *snapDecoder, getK func(*snapDecoder) K, getV func(*snapDecoder) V) map[K]V {
	n := d.count()
	m := make(map[K]V, n)
	for range n {
		k := getK(d)
		m[k] = getV(d)
	}
	return m
}

func getI32(d *snapDecoder) int32     { return int32(d.int()) }
func getInt(d *snapDecoder) int       { return int(d.int()) }
func getRune(d *snapDecoder) rune     { return rune(d.int()) }
func getU16(d *snapDecoder) uint16    { return uint16(d.uint()) }
func getU8(d *snapDecoder) uint8      { return uint8(d.uint()) }
func getStr(d *snapDecoder) string    { return d.str() }
func getBool(d *snapDecoder) bool     { return d.bool() }
func getU64(d *snapDecoder) uint64    { return d.uint() }
func getI32s(d *snapDecoder) []int32  { return d.int32s() }
func getStrs(d *snapDecoder) []string { return getSlice(d, getStr) }
func getInts(d *snapDecoder) []int    { return getSlice(d, getInt) }
func getPair(d *snapDecoder) [2]string {
	a := d.str()
	return [2]string{a, d.str()}
}

func putSentence(e *snapEncoder, s sentence) {
	e.str(s.text)
	putInt(e, s.runes)
	putI32s(e, s.tokens)
	putSlice(e, s.parts, putSentence)
}

func getSentence(d *snapDecoder) sentence {
	return sentence{text: d.str(), runes: getInt(d), tokens: d.int32s(), parts: getSlice(d, getSentence)}
}

// encode writes every field of s.
func (s *snapshot) encode() ([]byte, error) {
	// The values come first, as one string, so that a reader decodes them
	// and the index at the same time.
	vals := &snapEncoder{b: make([]byte, 0, 1<<19)}
	fields := valueFields{}
	for _, v := range []any{&s.Notice, &s.Lexicon, &s.Gazetteer} {
		if err := putValue(vals, fields, reflect.ValueOf(v).Elem()); err != nil {
			return nil, err
		}
	}
	e := &snapEncoder{b: make([]byte, 0, 1<<20)}
	e.str(string(vals.b))
	putStrs(e, s.Measures)
	putStrs(e, s.Entries)
	putMap(e, s.Vocab, putStr, putI32)
	putI32s(e, s.PostStart)
	putSlice(e, s.Posts, func(e *snapEncoder, p posting) {
		e.int(int64(p.doc))
		e.f32bits(p.tf)
	})
	e.f32s(s.IDF)
	e.f32(s.MaxIDF)
	e.f32s(s.DocNorm)
	putSlice(e, s.DocConds, putStrs)
	putSlice(e, s.Sentences, func(e *snapEncoder, ss []sentence) { putSlice(e, ss, putSentence) })
	putSlice(e, s.Phrases, func(e *snapEncoder, p phrase) {
		e.str(p.text)
		e.str(p.expand)
		putI32s(e, p.docs)
		e.bool(p.concept)
	})
	putMap(e, s.PhraseKeys, putStr, putI32s)
	putMap(e, s.OOS, putStr, putInts)
	putInt(e, s.OOSMax)
	putMap(e, s.OOSHead, putRune, putBool)
	putSlice(e, s.ChatSays, func(e *snapEncoder, c chatSay) {
		e.str(c.text)
		putInt(e, c.kind)
	})
	putMap(e, s.ChatAlone, putStr, putInt)
	putInt(e, s.ChatMax)
	putSlice(e, s.Fuzzy, func(e *snapEncoder, f fuzzyTarget) {
		e.str(f.text)
		putI32s(e, f.docs)
		e.f64(f.w)
	})
	putMap(e, s.FuzzyBy, putRune, putI32s)
	putMap(e, s.QVocab, putStr, putI32)
	putSlice(e, s.QPost, putI32s)
	putSlice(e, s.QN, putU8)
	putI32s(e, s.QDoc)
	putMap(e, s.Frame, putRune, putStrs)
	putMap(e, s.Domain, putRune, putStrs)
	putMap(e, s.Senses, putStr, putStrs)
	putStrs(e, s.UnitNames)
	putSlice(e, s.Typos, putPair)
	putSlice(e, s.English, putPair)
	putMap(e, s.Pinyin, putStr, putStr)
	putMap(e, s.Syl, putRune, func(e *snapEncoder, v []uint16) { putSlice(e, v, putU16) })
	putMap(e, s.SylIDs, putStr, putU16)
	putMap(e, s.Terms, putU64, func(e *snapEncoder, v [][]rune) {
		putSlice(e, v, func(e *snapEncoder, rs []rune) { putSlice(e, rs, putRune) })
	})
	putInts(e, s.Lengths)
	putStrs(e, s.Keep)
	e.bool(s.HomoNone)
	return e.b, nil
}

// decodeSnapshotNotice reads only the notice of what encode wrote (it
// comes first).
func decodeSnapshotNotice(body string) (*Notice, error) {
	d := &snapDecoder{s: body}
	d = &snapDecoder{s: d.str()}
	var n *Notice
	getValue(d, valueFields{}, reflect.ValueOf(&n).Elem())
	if d.err != nil {
		return nil, d.err
	}
	if n == nil {
		return nil, errSnapshot
	}
	return n, nil
}

// decodeSnapshot reads what encode wrote; body's strings are kept.
func decodeSnapshot(body string) (*snapshot, error) {
	d := &snapDecoder{s: body}
	s := &snapshot{}
	// The values are decoded and linked while the index is read (they are
	// half the work, and a one-shot process has a core to spare); the two
	// write different fields of s.
	vals := d.str()
	linked := make(chan error, 1)
	go func() {
		d := &snapDecoder{s: vals}
		fields := valueFields{}
		for _, v := range []any{&s.Notice, &s.Lexicon, &s.Gazetteer} {
			getValue(d, fields, reflect.ValueOf(v).Elem())
		}
		switch {
		case d.err != nil:
			linked <- d.err
		case d.at != len(vals):
			linked <- errSnapshot
		default:
			linked <- s.linkValues()
		}
	}()
	s.Measures = getStrs(d)
	s.Entries = getStrs(d)
	s.Vocab = getMap(d, getStr, getI32)
	s.PostStart = getI32s(d)
	s.Posts = getSlice(d, func(d *snapDecoder) posting { return posting{doc: getI32(d), tf: d.f32bits()} })
	s.IDF = d.f32s()
	s.MaxIDF = d.f32()
	s.DocNorm = d.f32s()
	s.DocConds = getSlice(d, getStrs)
	s.Sentences = getSlice(d, func(d *snapDecoder) []sentence { return getSlice(d, getSentence) })
	s.Phrases = getSlice(d, func(d *snapDecoder) phrase {
		return phrase{text: d.str(), expand: d.str(), docs: getI32s(d), concept: d.bool()}
	})
	s.PhraseKeys = getMap(d, getStr, getI32s)
	s.OOS = getMap(d, getStr, getInts)
	s.OOSMax = getInt(d)
	s.OOSHead = getMap(d, getRune, getBool)
	s.ChatSays = getSlice(d, func(d *snapDecoder) chatSay {
		return chatSay{text: d.str(), kind: getInt(d)}
	})
	s.ChatAlone = getMap(d, getStr, getInt)
	s.ChatMax = getInt(d)
	s.Fuzzy = getSlice(d, func(d *snapDecoder) fuzzyTarget {
		return fuzzyTarget{text: d.str(), docs: getI32s(d), w: d.f64()}
	})
	s.FuzzyBy = getMap(d, getRune, getI32s)
	s.QVocab = getMap(d, getStr, getI32)
	s.QPost = getSlice(d, getI32s)
	s.QN = getSlice(d, getU8)
	s.QDoc = getI32s(d)
	s.Frame = getMap(d, getRune, getStrs)
	s.Domain = getMap(d, getRune, getStrs)
	s.Senses = getMap(d, getStr, getStrs)
	s.UnitNames = getStrs(d)
	s.Typos = getSlice(d, getPair)
	s.English = getSlice(d, getPair)
	s.Pinyin = getMap(d, getStr, getStr)
	s.Syl = getMap(d, getRune, func(d *snapDecoder) []uint16 { return getSlice(d, getU16) })
	s.SylIDs = getMap(d, getStr, getU16)
	s.Terms = getMap(d, getU64, func(d *snapDecoder) [][]rune {
		return getSlice(d, func(d *snapDecoder) []rune { return d.int32s() })
	})
	s.Lengths = getInts(d)
	s.Keep = getStrs(d)
	s.HomoNone = d.bool()
	if err := <-linked; err != nil {
		return nil, err
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.at != len(body) {
		return nil, errSnapshot
	}
	return s, nil
}
