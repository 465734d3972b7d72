package cli

import (
	"go/version"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestToolchainAgrees: go.mod's go line refuses the vulnerable go1.26.8, its
// toolchain line is what the scripts build and test with, and the README
// tells a new machine the same version.
func TestToolchainAgrees(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	tcLine := regexp.MustCompile(`(?m)^toolchain (go\S+)$`).FindSubmatch(mod)
	if goLine == nil || tcLine == nil {
		t.Fatalf("go.mod needs a go line and a toolchain line:\n%s", mod)
	}
	if v := string(goLine[1]); version.Compare("go"+v, "go1.26.10") < 0 {
		t.Errorf("go.mod's go line is %s: go1.26.8 (this machine's) would build a binary with known standard-library vulnerabilities", v)
	}
	tc := string(tcLine[1])
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "GOTOOLCHAIN="+tc) {
		t.Errorf("README.md does not tell a new machine GOTOOLCHAIN=%s (go.mod's toolchain line)", tc)
	}
	for _, f := range []string{"scripts/test.sh", ".ci/run"} {
		b, err := os.ReadFile("../" + f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `sed -n 's/^toolchain //p' go.mod`) {
			t.Errorf("%s does not take GOTOOLCHAIN from go.mod's toolchain line", f)
		}
	}
}
