// Package nasty reads the corpus of hostile input (testdata/nasty/inputs.json
// at the repository root) that the tests of every channel push through huiqi.
package nasty

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Case is one input of the corpus.
type Case struct {
	Name, Text string
}

// Pings matches what Discord acts on: mass mentions and user or role mentions.
// No reply may carry one that came from a user's input.
var Pings = regexp.MustCompile(`@everyone|@here|<@[!&]?\d+>`)

// Load reads the corpus at path. Entries give their text as is, as hex (for
// invalid UTF-8) and with a repeat count (for the 1 MB cases, which are
// built here rather than committed).
func Load(path string) ([]Case, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nasty: %w", err)
	}
	var entries []struct {
		Name   string `json:"name"`
		Text   string `json:"text"`
		Hex    string `json:"hex"`
		Repeat int    `json:"repeat"`
	}
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("nasty: %s: %w", path, err)
	}
	out := make([]Case, 0, len(entries))
	for _, e := range entries {
		s := e.Text
		if e.Hex != "" {
			b, err := hex.DecodeString(e.Hex)
			if err != nil {
				return nil, fmt.Errorf("nasty: %s: %s: %w", path, e.Name, err)
			}
			s = string(b)
		}
		if e.Repeat > 1 {
			s = strings.Repeat(s, e.Repeat)
		}
		out = append(out, Case{Name: e.Name, Text: s})
	}
	return out, nil
}

// MustLoad is Load for tests: a corpus that cannot be read fails the test.
func MustLoad(tb testing.TB, path string) []Case {
	tb.Helper()
	cs, err := Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	if len(cs) == 0 {
		tb.Fatalf("nasty: %s is empty", path)
	}
	return cs
}
