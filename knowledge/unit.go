package knowledge

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

//go:embed units.json
var unitsJSON []byte

// unitTable is units.json: canonical names and their aliases.
type unitTable struct {
	Units []struct {
		Unit    string   `json:"unit"`
		Aliases []string `json:"aliases"`
	} `json:"units"`
	canonical map[string]string // any spelling → canonical
	aliases   map[string][]string
	order     []string
}

var loadUnitTable = sync.OnceValues(func() (*unitTable, error) {
	var ut unitTable
	if err := json.Unmarshal(unitsJSON, &ut); err != nil {
		return nil, fmt.Errorf("knowledge: units.json: %w", err)
	}
	ut.canonical = make(map[string]string)
	ut.aliases = make(map[string][]string)
	for _, u := range ut.Units {
		ut.canonical[u.Unit] = u.Unit
		ut.order = append(ut.order, u.Unit)
		for _, a := range u.Aliases {
			ut.canonical[a] = u.Unit
		}
		ut.aliases[u.Unit] = u.Aliases
	}
	return &ut, nil
})

const unitTrimChars = " \t\n()[]【】《》“”\"'、,;:。.·"

// cleanUnit is a unit name without spaces, brackets or a trailing 等, in
// simplified half-width characters.
func cleanUnit(raw string) string {
	s := simplifiedHalfWidth(raw)
	s = strings.Join(strings.Fields(s), "")
	for {
		prev := s
		s = strings.Trim(s, unitTrimChars)
		for _, suf := range []string{"等单位", "等部门", "等"} {
			s = strings.TrimSuffix(s, suf)
		}
		if s == prev {
			return s
		}
	}
}

// CanonicalUnit returns the canonical name of a responsible unit
// (区审批局 → 区行政审批局, 项目推进中心 → 区项目推进中心); a unit the table
// does not know is returned cleaned (spaces, brackets and a trailing 等 dropped).
func CanonicalUnit(raw string) string {
	s := cleanUnit(raw)
	ut, err := loadUnitTable()
	if err != nil || s == "" {
		return s
	}
	if c, ok := ut.canonical[s]; ok {
		return c
	}
	if c, ok := ut.canonical["区"+s]; ok {
		return c
	}
	return s
}

// UnitAliases returns the other spellings of a canonical unit (nil if none).
func UnitAliases(canonical string) []string {
	ut, err := loadUnitTable()
	if err != nil {
		return nil
	}
	return append([]string(nil), ut.aliases[CanonicalUnit(canonical)]...)
}

// FindUnits finds the unit a query means among known canonical names.
// (first version: exact and substring; pinyin and fuzzy follow)
func FindUnits(query string, known []string) (best string, candidates []string) {
	q := CanonicalUnit(query)
	for _, k := range known {
		if k == q {
			return k, nil
		}
	}
	for _, k := range known {
		if q != "" && strings.Contains(k, q) {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	return "", candidates
}

// ParseMeasureRef finds a measure by id or citation (first version: id only).
func ParseMeasureRef(ref string, ms []*Measure) (*Measure, bool) {
	for _, m := range ms {
		if strings.EqualFold(m.ID, strings.TrimSpace(ref)) {
			return m, true
		}
	}
	return nil, false
}
