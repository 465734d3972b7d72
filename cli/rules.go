package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"huiqi/eligibility"
)

// awardRules are the award rules tables huiqi computes with: the built-in
// notice's and, from HUIQI_AWARD_RULES (a list of files separated like
// PATH), the reviewed rules tables of other notices (eligibility's rules
// format; see eligibility/testdata/notices for one). nil when the variable
// is unset: the built-in table alone. A file that does not load stops the
// command: computing with the built-in rules instead would answer about
// the wrong notice.
func (e *env) awardRules() (*eligibility.Set, error) {
	if e.getenv == nil { // an env built by a test without an environment
		return nil, nil
	}
	v := e.getenv("HUIQI_AWARD_RULES")
	if v == "" {
		return nil, nil
	}
	var tables []*eligibility.Table
	for _, path := range filepath.SplitList(v) {
		if path == "" {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("HUIQI_AWARD_RULES: %v", err)
		}
		t, err := eligibility.LoadTable(f)
		f.Close()
		if err != nil {
			return nil, usagef("HUIQI_AWARD_RULES: %s: %v", path, err)
		}
		tables = append(tables, t)
	}
	set, err := eligibility.NewSet(tables...)
	if err != nil {
		return nil, usagef("HUIQI_AWARD_RULES: %v", err)
	}
	return set, nil
}

// awardTable is the rules table a new estimate uses today: that of the
// notice in force among the loaded ones (the built-in one when none is).
func (e *env) awardTable() (*eligibility.Table, error) {
	set, err := e.awardRules()
	if err != nil {
		return nil, err
	}
	if set == nil {
		t, err := eligibility.Builtin()
		if err != nil {
			return nil, fmt.Errorf("built-in award rules: %w", err)
		}
		return t, nil
	}
	return set.InForce(e.now()), nil
}
