package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

//go:embed calendar/holidays.json
var holidaysJSON []byte

// ChinaZone is China Standard Time; deadlines are counted in it.
var ChinaZone = time.FixedZone("CST", 8*3600)

// Calendar knows which days are working days (工作日): Monday to Friday,
// minus the statutory holidays, plus the make-up working days (调休上班) of
// the State Council's yearly notices. It is immutable and safe for
// concurrent use.
type Calendar struct {
	off   map[string]string // date -> festival name
	work  map[string]string // weekend date that is worked -> festival name
	years map[int]string    // covered year -> source notice
}

type calendarFile struct {
	Years []struct {
		Year      int    `json:"year"`
		Source    string `json:"source"`
		Festivals []struct {
			Name string   `json:"name"`
			Off  []string `json:"off"`
			Work []string `json:"work"`
		} `json:"festivals"`
	} `json:"years"`
}

// maxFestivalDays bounds one festival's range so a typo (2024 for 2025)
// cannot silently swallow a year.
const maxFestivalDays = 15

// LoadCalendar parses a holidays file in the format of
// calendar/holidays.json.
func LoadCalendar(r io.Reader) (*Calendar, error) {
	var f calendarFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("intake: calendar: %w", err)
	}
	c := &Calendar{off: map[string]string{}, work: map[string]string{}, years: map[int]string{}}
	for _, y := range f.Years {
		if y.Year < 2000 || y.Year > 2200 {
			return nil, fmt.Errorf("intake: calendar: year %d out of range", y.Year)
		}
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("intake: calendar: year %d listed twice", y.Year)
		}
		c.years[y.Year] = y.Source
		for _, fe := range y.Festivals {
			if len(fe.Off) != 2 {
				return nil, fmt.Errorf("intake: calendar: %d %s: off must be [first, last]", y.Year, fe.Name)
			}
			first, err := parseDay(fe.Off[0])
			if err != nil {
				return nil, fmt.Errorf("intake: calendar: %d %s: %w", y.Year, fe.Name, err)
			}
			last, err := parseDay(fe.Off[1])
			if err != nil {
				return nil, fmt.Errorf("intake: calendar: %d %s: %w", y.Year, fe.Name, err)
			}
			if last.Before(first) || last.Sub(first) > maxFestivalDays*24*time.Hour {
				return nil, fmt.Errorf("intake: calendar: %d %s: bad range %s..%s", y.Year, fe.Name, fe.Off[0], fe.Off[1])
			}
			for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
				c.off[dayKey(d)] = fe.Name
			}
			for _, w := range fe.Work {
				d, err := parseDay(w)
				if err != nil {
					return nil, fmt.Errorf("intake: calendar: %d %s: %w", y.Year, fe.Name, err)
				}
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					return nil, fmt.Errorf("intake: calendar: %d %s: make-up day %s is not a weekend day", y.Year, fe.Name, w)
				}
				c.work[dayKey(d)] = fe.Name
			}
		}
	}
	for k := range c.work {
		if _, both := c.off[k]; both {
			return nil, fmt.Errorf("intake: calendar: %s is both a holiday and a make-up working day", k)
		}
	}
	return c, nil
}

var builtinCalendar = sync.OnceValues(func() (*Calendar, error) {
	return LoadCalendar(bytes.NewReader(holidaysJSON))
})

// BuiltinCalendar is the calendar embedded from calendar/holidays.json.
func BuiltinCalendar() (*Calendar, error) { return builtinCalendar() }

// Covers reports whether the calendar has the official notice for year;
// outside the covered years only weekends are skipped.
func (c *Calendar) Covers(year int) bool { _, ok := c.years[year]; return ok }

// Years lists the covered years with their source notices.
func (c *Calendar) Years() map[int]string {
	m := make(map[int]string, len(c.years))
	for k, v := range c.years {
		m[k] = v
	}
	return m
}

// IsWorkingDay reports whether t's date (in China time) is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	k := dayKey(t.In(ChinaZone))
	if _, ok := c.work[k]; ok {
		return true
	}
	if _, ok := c.off[k]; ok {
		return false
	}
	wd := t.In(ChinaZone).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Holiday names the festival that makes t's date a day off or a make-up
// working day ("" for an ordinary day).
func (c *Calendar) Holiday(t time.Time) string {
	k := dayKey(t.In(ChinaZone))
	if n, ok := c.off[k]; ok {
		return n
	}
	return c.work[k]
}

// AddWorkingDays returns the n-th working day after t's date, at t's time
// of day in China time: a ticket filed on a Friday with n = 1 is due on
// Monday. n <= 0 returns t itself.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	d := t.In(ChinaZone)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after from's date up to and
// including to's date (0 when to is not after from).
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := startOfDay(from), startOfDay(to)
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// IsWorkingDay uses the builtin calendar.
func IsWorkingDay(t time.Time) bool { return mustBuiltin().IsWorkingDay(t) }

// AddWorkingDays uses the builtin calendar.
func AddWorkingDays(t time.Time, n int) time.Time { return mustBuiltin().AddWorkingDays(t, n) }

// mustBuiltin returns the embedded calendar; its validity is checked by the
// package's tests, so the weekend-only fallback never happens in a release.
func mustBuiltin() *Calendar {
	c, err := builtinCalendar()
	if err != nil {
		return &Calendar{off: map[string]string{}, work: map[string]string{}, years: map[int]string{}}
	}
	return c
}

func parseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, ChinaZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	return t, nil
}

func dayKey(t time.Time) string { return t.Format(time.DateOnly) }

func startOfDay(t time.Time) time.Time {
	t = t.In(ChinaZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ChinaZone)
}
