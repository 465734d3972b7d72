package zhtext

import (
	"fmt"
	"time"
)

// chinaZone is China Standard Time, UTC+8 all year (China keeps no summer
// time), fixed so that no tzdata is needed.
var chinaZone = time.FixedZone("CST", 8*3600)

// China returns China's time zone, in which the district's dates, deadlines
// and working days are counted.
func China() *time.Location { return chinaZone }

// Day is the calendar day of t in China, at midnight China time.
func Day(t time.Time) time.Time {
	t = t.In(chinaZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chinaZone)
}

// Date writes the day of t as a notice does: 2023年2月13日. The day is read
// in t's own location, so a civil date stays the date it was written as.
func Date(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
