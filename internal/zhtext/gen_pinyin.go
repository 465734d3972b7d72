//go:build ignore

// gen_pinyin writes pinyin.txt: go-pinyin's table, one character a line in
// the order of its code point — the code point in hex, its readings with
// tone marks as go-pinyin's PinyinDict has them, and go-pinyin's first
// reading in the Normal (toneless) and FirstLetter styles.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"

	"github.com/mozillazg/go-pinyin"
)

func main() {
	rs := make([]int, 0, len(pinyin.PinyinDict))
	for r := range pinyin.PinyinDict {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	normal, first := pinyin.NewArgs(), pinyin.NewArgs()
	first.Style = pinyin.FirstLetter
	w := bufio.NewWriter(os.Stdout)
	for _, r := range rs {
		n, f := pinyin.SinglePinyin(rune(r), normal), pinyin.SinglePinyin(rune(r), first)
		if len(n) == 0 || len(f) == 0 {
			fmt.Fprintf(os.Stderr, "gen_pinyin: U+%04X has no reading\n", r)
			os.Exit(1)
		}
		fmt.Fprintf(w, "%x\t%s\t%s\t%s\n", r, pinyin.PinyinDict[r], n[0], f[0])
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
