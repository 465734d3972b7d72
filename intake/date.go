package intake

import (
	"database/sql/driver"
	"fmt"
	"time"

	"huiqi/internal/zhtext"
)

// Date is a calendar day in China time, the unit deadlines are counted in.
// Its JSON and its database column are "YYYY-MM-DD" (cli.md's "due"); the
// zero Date is "".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the day t falls on in China time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(zhtext.China()).Date()
	return Date{y, m, d}
}

// ParseDate reads "YYYY-MM-DD"; "" is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, zhtext.China())
	if err != nil {
		return Date{}, fmt.Errorf("%w: 日期应写作 年-月-日,如 2026-12-04", ErrInvalid)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time is the start of the day in China time (the zero time for the zero Date).
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, zhtext.China())
}

// String is "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// Format formats the day with a time layout ("2006年1月2日"), "" when unset.
func (d Date) Format(layout string) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(layout)
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.compare(e) > 0 }

func (d Date) compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return d.Year - e.Year
	case d.Month != e.Month:
		return int(d.Month) - int(e.Month)
	}
	return d.Day - e.Day
}

// MarshalText is the JSON form: "YYYY-MM-DD", "" when unset.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the JSON form.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the day as TEXT YYYY-MM-DD, which sorts and compares as dates.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a TEXT YYYY-MM-DD column.
func (d *Date) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
	default:
		return fmt.Errorf("intake: date from %T", src)
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("intake: date %q: %w", s, err)
	}
	*d = v
	return nil
}
