package cli

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestImportGraph: nothing imports the command line but the binary, and the
// domain packages import no channel and no command line: the arrows run
// down from cli to the channels to the domain, never back up.
func TestImportGraph(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "huiqi/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	up := map[string][]string{ // package → what it must not import
		"huiqi/knowledge":   {"huiqi/cli", "huiqi/bot", "huiqi/web", "huiqi/discord", "huiqi/wechat", "huiqi/intake"},
		"huiqi/eligibility": {"huiqi/cli", "huiqi/bot", "huiqi/web", "huiqi/discord", "huiqi/wechat", "huiqi/intake"},
		"huiqi/intake":      {"huiqi/cli", "huiqi/bot", "huiqi/web", "huiqi/discord", "huiqi/wechat", "huiqi/notify"},
		"huiqi/notify":      {"huiqi/cli", "huiqi/bot", "huiqi/web", "huiqi/discord", "huiqi/wechat"},
		"huiqi/sqlite":      {"huiqi/cli", "huiqi/bot", "huiqi/web", "huiqi/discord", "huiqi/wechat", "huiqi/intake", "huiqi/knowledge"},
		"huiqi/bot":         {"huiqi/cli", "huiqi/web", "huiqi/discord", "huiqi/wechat"},
		"huiqi/web":         {"huiqi/cli", "huiqi/discord", "huiqi/wechat", "huiqi/bot/wire"},
		"huiqi/discord":     {"huiqi/cli", "huiqi/web", "huiqi/wechat", "huiqi/bot/wire"},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		list := strings.Fields(imports)
		if pkg != "huiqi" && slices.Contains(list, "huiqi/cli") {
			t.Errorf("%s imports huiqi/cli: only the binary may", pkg)
		}
		for _, bad := range up[pkg] {
			if slices.Contains(list, bad) {
				t.Errorf("%s imports %s, an arrow back up", pkg, bad)
			}
		}
	}
}
