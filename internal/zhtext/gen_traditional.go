//go:build ignore

// gen_traditional writes traditional.txt: the characters that OpenCC's
// TSCharacters.txt (the file named on the command line) maps, first, to
// another character.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_traditional.go TSCharacters.txt")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	var rs []rune
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, vals, ok := strings.Cut(sc.Text(), "\t")
		if !ok || utf8.RuneCountInString(key) != 1 {
			continue
		}
		first, _, _ := strings.Cut(vals, " ")
		if first != key {
			r, _ := utf8.DecodeRuneInString(key)
			rs = append(rs, r)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slices.Sort(rs)
	rs = slices.Compact(rs)
	fmt.Println(string(rs))
}
