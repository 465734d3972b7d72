package wechat

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzValidators holds the hand-written checks of tokens, template ids,
// keywords and robot keys to the regular expressions they replace.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"", "ab", "abc", "Token123", strings.Repeat("a", 32), strings.Repeat("a", 33), "tok-en",
		"TPL_TICKET", "a-b_c", strings.Repeat("x", 128), strings.Repeat("x", 129), "character_string1", "thing12",
		"abc1234", "a1b", "_", "1", "key-desk", "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", "中文", "a b"} {
		f.Add(s)
	}
	checks := []struct {
		name string
		re   *regexp.Regexp
		fn   func(string) bool
	}{
		{"token", regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`), validToken},
		{"template id", regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`), validTemplateID},
		{"keyword", regexp.MustCompile(`^[A-Za-z_]{1,32}[0-9]{0,3}$`), validKeyword},
		{"robot key", regexp.MustCompile(`^[A-Za-z0-9-]{8,128}$`), validRobotKey},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range checks {
			if got, want := c.fn(s), c.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the expression says %v", c.name, s, got, want)
			}
		}
	})
}
