package zhtext

import (
	"strings"
	"sync"

	"github.com/longbridgeapp/opencc"
)

// s2tw is the simplified → Taiwan-traditional converter, loaded on first use.
var s2tw = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("s2tw") })

// Traditional writes simplified text in traditional script as Taiwan uses
// it (惠企助手 → 惠企助手, 查进度 → 查進度), through OpenCC's s2tw: for the
// zh-TW names a channel shows next to the simplified ones. Text OpenCC
// fails on is returned as it is; line breaks are kept.
func Traditional(s string) string {
	cc, err := s2tw()
	if err != nil {
		return s
	}
	c, err := cc.Convert(s)
	if err != nil || strings.Count(c, "\n") != strings.Count(s, "\n") {
		return s
	}
	return c
}
