package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"huiqi/internal/zhtext"
)

//go:embed calendar/holidays.json
var holidaysJSON []byte

// Calendar knows which days are working days (工作日): Monday to Friday,
// minus the statutory holidays, plus the make-up working days (调休上班) of
// the State Council's yearly notices. It is immutable and safe for
// concurrent use.
//
// Years the reviewed data does not list are estimated: by an estimate
// source where one is attached (BuiltinCalendar attaches lunar-go's holiday
// data), else Monday to Friday. Deadline says when a date was estimated.
type Calendar struct {
	off   map[string]string // date -> festival name
	work  map[string]string // weekend date that is worked -> festival name
	years map[int]string    // covered year -> source notice
	// estimate answers for days of years not in the reviewed data; nil
	// means weekends only.
	estimate HolidaySource
}

// HolidaySource tells, for a day of a year the reviewed data lacks, whether
// it is a statutory day off or a make-up working day; ok is false for an
// ordinary day or a year the source does not know either.
type HolidaySource interface {
	Holiday(day time.Time) (name string, work, ok bool)
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
	c, err := LoadCalendar(bytes.NewReader(holidaysJSON))
	if err != nil {
		return nil, err
	}
	return c.WithEstimates(LunarHolidays{}), nil
})

// BuiltinCalendar is the calendar embedded from calendar/holidays.json,
// with lunar-go's holiday data estimating the years it does not list.
func BuiltinCalendar() (*Calendar, error) { return builtinCalendar() }

// WithEstimates returns a copy of c that asks src about days of the years
// the reviewed data does not list.
func (c *Calendar) WithEstimates(src HolidaySource) *Calendar {
	cp := *c
	cp.estimate = src
	return &cp
}

// Covers reports whether the calendar has the reviewed official notice for
// year; days of other years are estimated.
func (c *Calendar) Covers(year int) bool { _, ok := c.years[year]; return ok }

// LastReviewedYear is the last year of the reviewed data (0 when empty).
func (c *Calendar) LastReviewedYear() int {
	last := 0
	for y := range c.years {
		last = max(last, y)
	}
	return last
}

// lookahead is how far ahead of today a deadline can fall: the close limit
// plus the longest extension, in calendar days with room for a festival.
const lookahead = 45 * 24 * time.Hour

// NeedsYear returns the first year, among today's and the next weeks', that
// the reviewed data lacks (ok false when all are covered): deadlines set
// now in that year are estimates until someone adds the State Council's
// notice for it.
func (c *Calendar) NeedsYear(now time.Time) (year int, ok bool) {
	for _, t := range []time.Time{now, now.Add(lookahead)} {
		if y := t.In(zhtext.China()).Year(); !c.Covers(y) {
			return y, true
		}
	}
	return 0, false
}

// Warning is the operator's message (English) when NeedsYear reports a
// missing year, else "".
func (c *Calendar) Warning(now time.Time) string {
	y, ok := c.NeedsYear(now)
	if !ok {
		return ""
	}
	return fmt.Sprintf("the working-day calendar has reviewed holidays up to %d: deadlines in %d are estimated "+
		"(lunar-go's holiday data where it has the year, else weekends only) and marked due_estimated; "+
		"add %d from the State Council's holiday notice to intake/calendar/holidays.json", c.LastReviewedYear(), y, y)
}

// EstimatedMark is what follows a deadline that is an estimate (see
// Deadline), wherever a ticket's deadline is shown to a person.
const EstimatedMark = "（估算：该期间的法定节假日安排尚未收录）"

// DueText is a deadline as people read it: the date, marked when estimated.
func DueText(day Date, estimated bool) string {
	if estimated && !day.IsZero() {
		return day.String() + EstimatedMark
	}
	return day.String()
}

// Notice is Warning for staff, in Chinese, as the console shows it.
func (c *Calendar) Notice(now time.Time) string {
	y, ok := c.NeedsYear(now)
	if !ok {
		return ""
	}
	return fmt.Sprintf("工作日历只收录到%d年的法定节假日安排：%d年的办理期限是估算（标注“估算”），"+
		"请维护人员按国务院办公厅%d年部分节假日安排的通知补充日历。", c.LastReviewedYear(), y, y)
}

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
	t = t.In(zhtext.China())
	if !c.Covers(t.Year()) && c.estimate != nil {
		if _, work, ok := c.estimate.Holiday(t); ok {
			return work
		}
	}
	k := dayKey(t)
	if _, ok := c.work[k]; ok {
		return true
	}
	if _, ok := c.off[k]; ok {
		return false
	}
	wd := t.In(zhtext.China()).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Holiday names the festival that makes t's date a day off or a make-up
// working day ("" for an ordinary day).
func (c *Calendar) Holiday(t time.Time) string {
	t = t.In(zhtext.China())
	if !c.Covers(t.Year()) && c.estimate != nil {
		if name, _, ok := c.estimate.Holiday(t); ok {
			return name
		}
	}
	k := dayKey(t)
	if n, ok := c.off[k]; ok {
		return n
	}
	return c.work[k]
}

// AddWorkingDays returns the n-th working day after t's date, at t's time
// of day in China time: a ticket filed on a Friday with n = 1 is due on
// Monday. n <= 0 returns t itself.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	d, _ := c.Deadline(t, n)
	return d
}

// Deadline is AddWorkingDays, and whether the count crossed a day of a year
// the reviewed data does not list (the date is then an estimate).
func (c *Calendar) Deadline(t time.Time, n int) (due time.Time, estimated bool) {
	d := t.In(zhtext.China())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if !c.Covers(d.Year()) {
			estimated = true
		}
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d, estimated
}

// WorkingDaysBetween counts the working days after from's date up to and
// including to's date (0 when to is not after from).
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := zhtext.Day(from), zhtext.Day(to)
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
	t, err := time.ParseInLocation(time.DateOnly, s, zhtext.China())
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	return t, nil
}

func dayKey(t time.Time) string { return t.Format(time.DateOnly) }
