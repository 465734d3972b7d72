// Package transcript reads the inputs of the golden transcripts
// (bot/testdata/NAME.in) for the channels' tests that replay them: one line
// typed per line, lines starting with # are comments.
package transcript

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Answers are the lines of the input at path that are typed: trimmed, blank
// lines and comments left out.
func Answers(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("transcript: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("transcript: %s: %w", path, err)
	}
	return out, nil
}

// MustAnswers is Answers for a test, which fails on an error.
func MustAnswers(tb testing.TB, path string) []string {
	tb.Helper()
	lines, err := Answers(path)
	if err != nil {
		tb.Fatal(err)
	}
	return lines
}
