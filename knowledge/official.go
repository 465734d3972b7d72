package knowledge

import (
	_ "embed"
	"slices"
	"sync"
)

// officialText is 城政办发〔2023〕5号 exactly as received (web-page navigation
// and misprints included); the parser absorbs its defects.
//
//go:embed source/chengzhengbanfa-2023-5.txt
var officialText []byte

var officialNotice = sync.OnceValues(func() (*Notice, error) { return ParseNotice(officialText) })

// OfficialSource returns a copy of the embedded official notice text.
func OfficialSource() []byte { return append([]byte(nil), officialText...) }

// OfficialNotice returns the parsed official notice. It is parsed once per
// process; each caller gets its own copy, free to modify.
func OfficialNotice() (*Notice, error) {
	n, err := officialNotice()
	if err != nil {
		return nil, err
	}
	return cloneNotice(n), nil
}

// cloneNotice copies a notice deeply (its slices too).
func cloneNotice(n *Notice) *Notice {
	c := *n
	c.Addressees = slices.Clone(n.Addressees)
	c.Warnings = slices.Clone(n.Warnings)
	c.Supersedes = slices.Clone(n.Supersedes)
	c.Packages = slices.Clone(n.Packages)
	for i := range c.Packages {
		p := &c.Packages[i]
		p.Measures = slices.Clone(p.Measures)
		for j := range p.Measures {
			m := &p.Measures[j]
			m.Units = slices.Clone(m.Units)
			m.Windows = slices.Clone(m.Windows)
			m.Starts = slices.Clone(m.Starts)
			m.Awards = slices.Clone(m.Awards)
		}
	}
	return &c
}
