package intake

import (
	"time"

	"huiqi/internal/zhtext"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// LunarHolidays is the holiday data of github.com/6tail/lunar-go, which its
// maintainers add to as each State Council notice appears. huiqi uses it
// only for years its own reviewed calendar lacks, and marks the deadlines
// it gives as estimates.
type LunarHolidays struct{}

// Holiday implements HolidaySource.
func (LunarHolidays) Holiday(day time.Time) (name string, work, ok bool) {
	h := HolidayUtil.GetHoliday(day.In(zhtext.China()).Format(time.DateOnly))
	if h == nil {
		return "", false, false
	}
	return h.GetName(), h.IsWork(), true
}
