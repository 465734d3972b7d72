package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"huiqi/internal/nasty"
	"huiqi/sqlite"
)

// TestNastyCLI runs every command a stranger's text reaches with each input
// of the corpus, through the shipped binary: exit 0 or 2 (never 1, never a
// panic), one line on stderr when refused, and the database intact with the
// tickets filed before. The ~500 processes run four at a time; the binary
// is built without the race detector (the commands are single-threaded; the
// in-process and engine tests run under -race). An argument longer than
// Linux passes to a process (the 1 MB inputs), or one with a NUL byte, is
// run in-process instead.
func TestNastyCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "huiqi.db")
	env := withDB(db)
	var ids []string
	for _, text := range []string{"货车拉煤白天被限行，罚款太多", "招工难，想了解稳岗补贴"} {
		code, out, stderr := execHuiqi(t, env, "", "report", "--json", "--enterprise", "阳泉测试机械有限公司", "--contact", "13800000000", text)
		if code != 0 {
			t.Fatalf("report %q: exit %d, %s", text, code, stderr)
		}
		ids = append(ids, decodeObject(t, out)["id"].(string))
	}
	type run struct {
		name, stdin string
		args        []string
		code        int
		out, stderr string
		err         error
	}
	var runs []*run
	dir := t.TempDir()
	for i, c := range nasty.MustLoad(t, "../testdata/nasty/inputs.json") {
		file := filepath.Join(dir, fmt.Sprintf("notice-%d.txt", i))
		if err := os.WriteFile(file, []byte(c.Text), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
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
		} {
			runs = append(runs, &run{name: c.Name + " " + r.args[0], stdin: r.stdin, args: r.args})
		}
	}
	bin := sharedBinary(t)
	work := make(chan *run)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if slices.ContainsFunc(r.args, notArgv) {
					r.code, r.out, r.stderr = runIn(env, r.stdin, r.args...)
					continue
				}
				r.code, r.out, r.stderr, r.err = tryHuiqi(bin, env, r.stdin, r.args...)
			}
		}()
	}
	for _, r := range runs {
		work <- r
	}
	close(work)
	wg.Wait()
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			switch r.code {
			case 0:
			case 2:
				line := strings.TrimRight(r.stderr, "\n")
				if line == "" || strings.Contains(line, "\n") {
					t.Errorf("%s: exit 2 with stderr %q, want one line", r.name, r.stderr)
				}
			default:
				t.Fatalf("%s: exit %d, want 0 or 2; stderr %.300q", r.name, r.code, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("%s: a trace on stderr: %.300s", r.name, r.stderr)
			}
			if r.code == 0 && r.out == "" {
				t.Errorf("%s: exit 0 with nothing on stdout", r.name)
			}
		})
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
		if code, _, stderr := execHuiqi(t, env, "", "ticket", "--json", id); code != 0 {
			t.Errorf("ticket %s filed before the corpus: exit %d, %s", id, code, stderr)
		}
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
