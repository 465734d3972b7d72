package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"huiqi/internal/nasty"
	"huiqi/sqlite"
)

// TestNastyCLI runs every command a stranger's text reaches with each input
// of the corpus: exit 0 or 2 (never 1, never a panic), one line on stderr
// when refused, and the database intact with the tickets filed before.
func TestNastyCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "huiqi.db")
	env := withDB(db)
	var ids []string
	for _, text := range []string{"货车拉煤白天被限行，罚款太多", "招工难，想了解稳岗补贴"} {
		code, out, stderr := runStdin(t, env, "", "report", "--json", "--enterprise", "阳泉测试机械有限公司", "--contact", "13800000000", text)
		if code != 0 {
			t.Fatalf("report %q: exit %d, %s", text, code, stderr)
		}
		ids = append(ids, decodeObject(t, out)["id"].(string))
	}
	dir := t.TempDir()
	for i, c := range nasty.MustLoad(t, "testdata/nasty/inputs.json") {
		file := filepath.Join(dir, fmt.Sprintf("notice-%d.txt", i))
		if err := os.WriteFile(file, []byte(c.Text), 0o600); err != nil {
			t.Fatal(err)
		}
		runs := []struct {
			stdin string
			args  []string
		}{
			{"", []string{"ask", c.Text}},
			{"", []string{"ask", "--json", c.Text}},
			{"", []string{"route", "--json", c.Text}},
			{"", []string{"measure", c.Text}},
			{"", []string{"unit", "--json", c.Text}},
			{"", []string{"report", "--json", "--enterprise", "阳泉测试机械有限公司", "--contact", "13800000000", c.Text}},
			{"", []string{"report", "--enterprise", c.Text, "--contact", c.Text, "货车拉煤白天被限行"}},
			{"", []string{"ticket", c.Text}},
			{"", []string{"ticket", ids[0], "--set", "已派单", "--by", c.Text, "--note", c.Text}},
			{"", []string{"ticket", "--queue", c.Text}},
			{"", []string{"ingest", file}},
			{"", []string{"lexicon", "add", "ind-03", c.Text}},
			{c.Text, []string{"award", "--json", "--profile", "-"}},
			{`{"above_scale_industrial": true, "district": ` + jsonQuote(c.Text) + `}`, []string{"award", "--json", "--profile", "-"}},
			{c.Text + "\n算奖励\n" + c.Text + "\n反映问题\n" + c.Text + "\n", []string{"chat", "--user", "nasty"}},
		}
		for _, r := range runs {
			name := c.Name + " " + r.args[0]
			t.Run(name, func(t *testing.T) {
				code, out, stderr := runStdin(t, env, r.stdin, r.args...)
				switch code {
				case 0:
				case 2:
					line := strings.TrimRight(stderr, "\n")
					if line == "" || strings.Contains(line, "\n") {
						t.Errorf("%s: exit 2 with stderr %q, want one line", name, stderr)
					}
				default:
					t.Fatalf("%s: exit %d, want 0 or 2; stderr %.300q", name, code, stderr)
				}
				if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
					t.Errorf("%s: a trace on stderr: %.300s", name, stderr)
				}
				if code == 0 && out == "" {
					t.Errorf("%s: exit 0 with nothing on stdout", name)
				}
			})
		}
	}
	d, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ok string
	if err := d.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	for _, id := range ids {
		if code, _, stderr := runStdin(t, env, "", "ticket", "--json", id); code != 0 {
			t.Errorf("ticket %s filed before the corpus: exit %d, %s", id, code, stderr)
		}
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
