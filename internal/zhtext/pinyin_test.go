package zhtext

import (
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

// TestPinyinIsGoPinyins: every character of go-pinyin's table reads the
// same from pinyin.txt, in every form huiqi uses, and no other character
// has a reading — so the generated file is current (go generate rewrites
// it when go-pinyin changes).
func TestPinyinIsGoPinyins(t *testing.T) {
	normal, first := pinyin.NewArgs(), pinyin.NewArgs()
	first.Style = pinyin.FirstLetter
	for r, raw := range pinyin.PinyinDict {
		got, ok := Readings(rune(r))
		if !ok || got != raw {
			t.Fatalf("Readings(%q) = %q, %v, want %q (go generate ./internal/zhtext rewrites pinyin.txt)", rune(r), got, ok, raw)
		}
		if got, want := PinyinInitial(rune(r)), pinyin.SinglePinyin(rune(r), first)[0]; got != want {
			t.Fatalf("PinyinInitial(%q) = %q, want %q", rune(r), got, want)
		}
		ini, full := Pinyin(string(rune(r)))
		if want := pinyin.SinglePinyin(rune(r), normal)[0]; full != want {
			t.Fatalf("Pinyin(%q) full = %q, want %q", rune(r), full, want)
		}
		if want := pinyin.SinglePinyin(rune(r), first)[0]; ini != want {
			t.Fatalf("Pinyin(%q) initials = %q, want %q", rune(r), ini, want)
		}
	}
	if n := strings.Count(pinyinTable, "\n"); n != len(pinyin.PinyinDict) {
		t.Errorf("pinyin.txt has %d lines, go-pinyin %d characters", n, len(pinyin.PinyinDict))
	}
	for _, r := range []rune{'a', '1', ' ', 0x2FFF, 0x10FFFF, -1} {
		if _, ok := Readings(r); ok {
			t.Errorf("Readings(%q) found a reading", r)
		}
	}
}

// TestPinyinStrings: whole strings read as go-pinyin's LazyPinyin joined,
// characters without a reading (letters, digits, punctuation) left out.
func TestPinyinStrings(t *testing.T) {
	normal, first := pinyin.NewArgs(), pinyin.NewArgs()
	first.Style = pinyin.FirstLetter
	for _, s := range []string{"区人社局", "人社局", "国家税务总局阳泉市城区税务局", "区发改局（区能源局）", "A区2号", "", "長治"} {
		ini, full := Pinyin(s)
		wantIni, wantFull := strings.Join(pinyin.LazyPinyin(s, first), ""), strings.Join(pinyin.LazyPinyin(s, normal), "")
		if ini != wantIni || full != wantFull {
			t.Errorf("Pinyin(%q) = %q, %q, want %q, %q", s, ini, full, wantIni, wantFull)
		}
	}
}

// TestReadingsDoNotAllocate: the homophone step looks a question's runes up
// one by one.
func TestReadingsDoNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Readings('中'); PinyinInitial('区') }); n != 0 {
		t.Errorf("Readings and PinyinInitial allocate %v times a call, want 0", n)
	}
}

func BenchmarkReadings(b *testing.B) {
	for b.Loop() {
		Readings('专')
	}
}
