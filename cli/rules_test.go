package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newerRules writes the 嵊州 rules table (eligibility's test data) as if its
// notice had been issued for the 2026 policy year, so that on the tests'
// 2026 clock it is the notice in force.
func newerRules(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../eligibility/testdata/notices/zhejiang-shengzhou-2022.rules.json")
	if err != nil {
		t.Fatal(err)
	}
	js := strings.NewReplacer(`"policy_year": 2023`, `"policy_year": 2026`, `"min_year": 2023`, `"min_year": 2026`,
		`"max_year": 2023`, `"max_year": 2026`, `"issued": "2022-12-19"`, `"issued": "2026-03-01"`, `按2023年计`, `按2026年计`).Replace(string(src))
	path := filepath.Join(t.TempDir(), "shengzhou-2026.rules.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAwardRulesOfTheNoticeInForce: with HUIQI_AWARD_RULES naming the rules
// of a notice whose policy year runs, the award command and the chat's
// award dialog compute with that notice's rules; without it, with the
// built-in notice's; a file that does not load stops the command with its
// name instead of computing with the wrong rules.
func TestAwardRulesOfTheNoticeInForce(t *testing.T) {
	rules := newerRules(t)
	env := map[string]string{"HUIQI_NOW": "2026-12-01T10:00:00+08:00", "HUIQI_AWARD_RULES": rules,
		"HUIQI_DB": filepath.Join(t.TempDir(), "h.db")}

	profile := `{"factory_titles":[{"title":"provincial_smart_factory","year":2026}]}`
	code, out, errOut := execHuiqi(t, env, profile, "award", "--json", "--profile", "-")
	if code != 0 || !strings.Contains(out, `"district_total_yuan":300000`) || !strings.Contains(out, "sz-01-factory") {
		t.Errorf("award with the newer notice's rules = %d %s %s", code, out, errOut)
	}
	// The built-in notice's profile is not this notice's.
	if code, _, errOut := execHuiqi(t, env, `{"revenue_yuan":30000000}`, "award", "--json", "--profile", "-"); code == 0 {
		t.Errorf("the newer rules took the built-in notice's profile: %s", errOut)
	}

	code, out, errOut = execHuiqi(t, env, "算算奖励\n", "chat")
	if code != 0 || !strings.Contains(out, "2026年") || !strings.Contains(out, "智能工厂") {
		t.Errorf("chat's award dialog with the newer rules = %d %s %s", code, out, errOut)
	}

	delete(env, "HUIQI_AWARD_RULES")
	code, out, _ = execHuiqi(t, env, "算算奖励\n", "chat")
	if code != 0 || strings.Contains(out, "智能工厂") {
		t.Errorf("chat without HUIQI_AWARD_RULES asked about the other notice: %d %s", code, out)
	}

	broken := filepath.Join(t.TempDir(), "broken.rules.json")
	if err := os.WriteFile(broken, []byte(`{"notice": "x", "rules": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	env["HUIQI_AWARD_RULES"] = broken
	code, _, errOut = execHuiqi(t, env, profile, "award", "--profile", "-")
	if code == 0 || !strings.Contains(errOut, "HUIQI_AWARD_RULES") || !strings.Contains(errOut, "broken.rules.json") || strings.Contains(errOut, "goroutine") {
		t.Errorf("a broken rules file = %d %q", code, errOut)
	}
}
