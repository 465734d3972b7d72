package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLinksResolve: every file the README links or names as a
// document is in the repository (it once pointed at ../shared/spec, which
// a clone does not have), and the specs it relies on live in docs/.
func TestReadmeLinksResolve(t *testing.T) {
	root := ".."
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, m := range regexp.MustCompile(`\]\(([^)#\s]+)`).FindAllStringSubmatch(readme, -1) {
		target := m[1]
		if strings.Contains(target, "://") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, target)); err != nil {
			t.Errorf("README links %s, which is not in the repository", target)
		}
	}
	if strings.Contains(readme, "../") {
		t.Error("README points outside the repository (../)")
	}
	for _, doc := range []string{"docs/cli.md", "docs/awards.md"} {
		if !strings.Contains(readme, "("+doc+")") {
			t.Errorf("README does not link %s", doc)
		}
	}
}
