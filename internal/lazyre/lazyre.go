// Package lazyre provides regular expressions compiled where they are
// first used. As package variables, regexp.MustCompile runs at the start of
// every command of the binary, --help too, whether or not the command
// needs the expression; a pattern with counts such as {16,64} compiles to
// a program that many copies long.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled at first use.
type Regexp struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
}

// New is regexp.MustCompile at first use: a bad expression panics in the
// first test that reaches it.
func New(src string) *Regexp { return &Regexp{src: src} }

// Get compiles the expression the first time and returns it.
func (l *Regexp) Get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.src) })
	return l.re
}

// String is the expression's source.
func (l *Regexp) String() string { return l.src }

// The methods of regexp.Regexp huiqi uses.

func (l *Regexp) MatchString(s string) bool      { return l.Get().MatchString(s) }
func (l *Regexp) FindString(s string) string     { return l.Get().FindString(s) }
func (l *Regexp) FindStringIndex(s string) []int { return l.Get().FindStringIndex(s) }
func (l *Regexp) FindStringSubmatch(s string) []string {
	return l.Get().FindStringSubmatch(s)
}
func (l *Regexp) FindStringSubmatchIndex(s string) []int {
	return l.Get().FindStringSubmatchIndex(s)
}
func (l *Regexp) FindAllString(s string, n int) []string {
	return l.Get().FindAllString(s, n)
}
func (l *Regexp) FindAllStringIndex(s string, n int) [][]int {
	return l.Get().FindAllStringIndex(s, n)
}
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.Get().FindAllStringSubmatch(s, n)
}
func (l *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.Get().FindAllStringSubmatchIndex(s, n)
}
func (l *Regexp) ReplaceAllString(s, repl string) string {
	return l.Get().ReplaceAllString(s, repl)
}
func (l *Regexp) ReplaceAllStringFunc(s string, repl func(string) string) string {
	return l.Get().ReplaceAllStringFunc(s, repl)
}
func (l *Regexp) Split(s string, n int) []string { return l.Get().Split(s, n) }
