package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These tests drive the commands in-process through run, the way the scorer
// and scripts drive the binary: JSON contracts of cli.md, exit statuses, and
// that read-only commands create no files.

var fixedEnv = map[string]string{"HUIQI_NOW": "2026-11-27T10:00:00+08:00"}

func withDB(path string) map[string]string {
	return map[string]string{"HUIQI_NOW": fixedEnv["HUIQI_NOW"], "HUIQI_DB": path}
}

func decodeObject(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	return m
}

func TestReadOnlyCommandsCreateNoFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "huiqi.db")
	for _, args := range [][]string{
		{"ask", "--json", "担保费率下降到多少"},
		{"measure", "--json", "ind-12"},
		{"unit", "--json", "rsj"},
		{"route", "--json", "货车拉煤被限行"},
	} {
		code, _, stderr := runStdin(t, withDB(db), "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("read-only commands created %d files in %s", len(entries), dir)
	}
}

func TestAskJSONContract(t *testing.T) {
	code, out, stderr := runStdin(t, fixedEnv, "", "ask", "--json", "刚评上小巨人区里给多少")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := decodeObject(t, out)
	if m["answered"] != true {
		t.Errorf("answered = %v, want true", m["answered"])
	}
	results, _ := m["results"].([]any)
	if len(results) == 0 {
		t.Fatal("no results")
	}
	top := results[0].(map[string]any)
	for _, k := range []string{"id", "title", "score", "units", "snippet"} {
		if _, ok := top[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
	if top["id"] != "ind-03" {
		t.Errorf("top id = %v, want ind-03", top["id"])
	}
	if s, _ := m["answer"].(string); !strings.Contains(s, "二十条第3条") {
		t.Errorf("answer does not cite 二十条第3条: %q", s)
	}
}

func TestAskOutOfScopeAbstains(t *testing.T) {
	code, out, _ := runStdin(t, fixedEnv, "", "ask", "--json", "明天会下雨吗")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if m := decodeObject(t, out); m["answered"] != false {
		t.Errorf("answered = %v for the weather, want false", m["answered"])
	}
}

func TestAwardJSONAndBadProfile(t *testing.T) {
	profile := `{"above_scale_industrial":true,"output_growth_pct":{"jan_feb":45,"mar":12}}`
	code, out, stderr := runStdin(t, fixedEnv, profile, "award", "--json", "--profile", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if m := decodeObject(t, out); m["district_total_yuan"] != float64(20000) {
		t.Errorf("district_total_yuan = %v, want 20000", m["district_total_yuan"])
	}
	for _, raw := range []string{"", "{", `{"revenue_yuan":-1}`, `{"no_such_field":1}`} {
		code, out, stderr := runStdin(t, fixedEnv, raw, "award", "--json", "--profile", "-")
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stderr == "" {
			t.Errorf("award(%q) = exit %d, stdout %q, stderr %q; want 2, nothing, one line", raw, code, out, stderr)
		}
	}
}

func TestReportThenTicketLifecycle(t *testing.T) {
	env := withDB(filepath.Join(t.TempDir(), "t.db"))
	code, out, stderr := runStdin(t, env, "", "report", "--json", "--enterprise", "某耐火材料厂", "--contact", "王先生", "企业招不到技术工人")
	if code != 0 {
		t.Fatalf("report exit %d: %s", code, stderr)
	}
	rep := decodeObject(t, out)
	id, _ := rep["id"].(string)
	if !strings.HasPrefix(id, "CQ-20261127-") || rep["status"] != "已受理" || rep["lead_unit"] != "区人社局" {
		t.Fatalf("report = %v", rep)
	}
	if rep["due"] != "2026-12-04" {
		t.Errorf("due = %v, want 2026-12-04 (5 working days from Friday 2026-11-27)", rep["due"])
	}
	// An illegal move is refused with 2 and changes nothing.
	if code, _, _ := runStdin(t, env, "", "ticket", id, "--set", "已办结", "--by", "坐席"); code != 2 {
		t.Errorf("moving 已受理 → 已办结: exit %d, want 2", code)
	}
	if code, _, stderr := runStdin(t, env, "", "ticket", id, "--set", "已派单", "--by", "坐席"); code != 0 {
		t.Fatalf("moving to 已派单: exit %d %s", code, stderr)
	}
	code, out, _ = runStdin(t, env, "", "ticket", "--json", id)
	if code != 0 {
		t.Fatalf("ticket exit %d", code)
	}
	tk := decodeObject(t, out)
	events, _ := tk["events"].([]any)
	if tk["status"] != "已派单" || len(events) != 2 {
		t.Errorf("ticket status %v with %d events, want 已派单 with 2", tk["status"], len(events))
	}
	if _, ok := tk["overdue"].(bool); !ok {
		t.Errorf("ticket lacks the overdue bool: %v", tk)
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	env := withDB(filepath.Join(dir, "t.db"))
	code, out, stderr := runStdin(t, env, "", "report", "--json", "企业招不到技术工人")
	if code != 0 {
		t.Fatalf("report exit %d: %s", code, stderr)
	}
	id := decodeObject(t, out)["id"].(string)
	dest := filepath.Join(dir, "copy.db")
	if code, _, stderr := runStdin(t, env, "", "backup", dest); code != 0 {
		t.Fatalf("backup exit %d: %s", code, stderr)
	}
	code, out, _ = runStdin(t, withDB(dest), "", "ticket", "--json", id)
	if code != 0 || !strings.Contains(out, id) {
		t.Errorf("the restored copy lacks the ticket: exit %d %s", code, out)
	}
	// Refusals say what is wrong, with exit 2, and touch nothing.
	for _, tt := range []struct{ name, dest, says string }{
		{"existing file", dest, "already exists"},
		{"missing directory", filepath.Join(dir, "nope", "b.db"), "does not exist"},
		{"a directory", dir, "is a directory"},
	} {
		before, _ := os.ReadFile(dest)
		code, out, stderr := runStdin(t, env, "", "backup", tt.dest)
		if code != 2 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.says) || strings.Contains(stderr, "internal error") {
			t.Errorf("backup onto %s: exit %d, stderr %q; want 2 and one line saying %q", tt.name, code, stderr, tt.says)
		}
		if after, _ := os.ReadFile(dest); !bytes.Equal(before, after) {
			t.Errorf("backup onto %s changed the earlier backup", tt.name)
		}
	}
}

// TestDeadlineFlags: the working-day limits of intake/deadlines.json are
// defaults every command that files or moves tickets can override, and a
// limit out of range is bad usage.
func TestDeadlineFlags(t *testing.T) {
	env := withDB(filepath.Join(t.TempDir(), "d.db"))
	code, out, stderr := runStdin(t, env, "", "report", "--json", "--close-days", "3", "企业招不到技术工人")
	if code != 0 {
		t.Fatalf("report --close-days 3: exit %d, %s", code, stderr)
	}
	if m := decodeObject(t, out); m["due"] != "2026-12-02" {
		t.Errorf("due with --close-days 3 = %v, want 2026-12-02 (3 working days from Friday 2026-11-27)", m["due"])
	}
	if code, out, _ := runStdin(t, env, "", "report", "--close-days", "10", "企业招不到技术工人"); code != 0 || !strings.Contains(out, "(10个工作日内)") {
		t.Errorf("report --close-days 10 says %q, want the 10-day limit", out)
	}
	for _, args := range [][]string{
		{"report", "--close-days", "-1", "企业招不到技术工人"},
		{"ticket", "--max-extension-days", "999", "CQ-20261127-0001"},
		{"chat", "--sign-days", "-2"},
		{"serve", "--addr", "127.0.0.1:0", "--close-days", "300"},
		{"discord", "--close-days", "-1"},
	} {
		if args[0] == "discord" {
			env = map[string]string{"HUIQI_NOW": fixedEnv["HUIQI_NOW"], "HUIQI_DB": env["HUIQI_DB"], "DISCORD_TOKEN": "x"}
		}
		code, out, stderr := runStdin(t, env, "", args...)
		if code != 2 || out != "" || !strings.Contains(stderr, "working days") {
			t.Errorf("huiqi %q = exit %d, stdout %q, stderr %q; want 2 naming the limit", args, code, out, stderr)
		}
	}
}
