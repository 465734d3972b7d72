package knowledge

import (
	_ "embed"
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

// OfficialNotice returns the parsed official notice. The value is shared:
// callers must not modify it.
func OfficialNotice() (*Notice, error) { return officialNotice() }
