package intake

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"

	"github.com/6tail/lunar-go/HolidayUtil"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, zhtext.China())
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour) // 10:00, a filing time
}

func mustCalendar(t testing.TB) *Calendar {
	t.Helper()
	c, err := BuiltinCalendar()
	if err != nil {
		t.Fatalf("BuiltinCalendar() error = %v", err)
	}
	return c
}

func TestIsWorkingDay(t *testing.T) {
	c := mustCalendar(t)
	tests := []struct {
		in   string
		want bool
	}{
		// 2024 Spring Festival: 02-10..17 off, Sun 02-04 and Sun 02-18 worked.
		{"2024-02-04", true},
		{"2024-02-08", true},
		{"2024-02-09", true}, // 除夕 2024 was not a statutory day off
		{"2024-02-10", false},
		{"2024-02-12", false},
		{"2024-02-16", false},
		{"2024-02-17", false},
		{"2024-02-18", true},
		{"2024-02-19", true},
		// 2024 National Day: 10-01..07 off, Sun 09-29 and Sat 10-12 worked.
		{"2024-09-28", false},
		{"2024-09-29", true},
		{"2024-09-30", true},
		{"2024-10-01", false},
		{"2024-10-07", false},
		{"2024-10-08", true},
		{"2024-10-12", true},
		{"2024-10-13", false},
		// ordinary days
		{"2026-11-27", true},  // Friday
		{"2026-11-28", false}, // Saturday
		{"2026-11-29", false}, // Sunday
		// other years
		{"2023-01-28", true},
		{"2023-10-06", false},
		{"2025-01-26", true},
		{"2025-02-04", false},
		{"2026-01-04", true},
		{"2026-02-28", true},
		{"2026-09-20", true},
		{"2026-10-10", true},
		// uncovered year: weekends only
		{"2030-10-01", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := c.IsWorkingDay(day(tt.in)); got != tt.want {
				t.Errorf("IsWorkingDay(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := mustCalendar(t)
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"2026-11-27", 0, "2026-11-27"},
		{"2026-11-27", 1, "2026-11-30"}, // Friday + 1 → Monday
		{"2026-11-27", 5, "2026-12-04"},
		{"2026-11-27", 15, "2026-12-18"},
		// 2024 Spring Festival
		{"2024-02-02", 1, "2024-02-04"}, // Friday → the make-up Sunday
		{"2024-02-08", 1, "2024-02-09"},
		{"2024-02-09", 1, "2024-02-18"}, // over the whole holiday to the make-up Sunday
		{"2024-02-09", 2, "2024-02-19"},
		{"2024-02-07", 5, "2024-02-20"}, // 08, 09, 18, 19, 20
		{"2024-02-11", 1, "2024-02-18"}, // filed during the holiday
		// 2024 National Day
		{"2024-09-27", 1, "2024-09-29"}, // Friday → make-up Sunday
		{"2024-09-29", 1, "2024-09-30"},
		{"2024-09-30", 1, "2024-10-08"},
		{"2024-09-30", 5, "2024-10-12"}, // 08 09 10 11 12(Sat, worked)
		{"2024-09-30", 6, "2024-10-14"},
		{"2024-10-11", 1, "2024-10-12"},
		// 2027: 元旦 01-01..03; Spring Festival 02-05..13, Sun 01-31 and Sun 02-14 worked
		{"2026-12-28", 5, "2027-01-05"},
		{"2026-12-31", 1, "2027-01-04"},
		{"2027-01-29", 1, "2027-01-31"},
		{"2027-02-03", 5, "2027-02-17"}, // 04, 14, 15, 16, 17
		{"2027-02-04", 1, "2027-02-14"},
		{"2027-09-30", 1, "2027-10-08"},
		{"2027-10-08", 1, "2027-10-09"}, // Saturday, worked
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s+%d", tt.in, tt.n), func(t *testing.T) {
			got := c.AddWorkingDays(day(tt.in), tt.n)
			if dayKey(got) != tt.want {
				t.Errorf("AddWorkingDays(%q, %d) = %s, want %s", tt.in, tt.n, dayKey(got), tt.want)
			}
			if tt.n > 0 && !c.IsWorkingDay(got) {
				t.Errorf("AddWorkingDays(%q, %d) = %s, not a working day", tt.in, tt.n, dayKey(got))
			}
			if got.Hour() != 10 {
				t.Errorf("AddWorkingDays(%q, %d) lost the time of day: %v", tt.in, tt.n, got)
			}
			if tt.n > 0 {
				if w := c.WorkingDaysBetween(day(tt.in), got); w != tt.n {
					t.Errorf("WorkingDaysBetween(%q, %s) = %d, want %d", tt.in, dayKey(got), w, tt.n)
				}
			}
		})
	}
	if got := AddWorkingDays(day("2024-02-09"), 1); dayKey(got) != "2024-02-18" {
		t.Errorf("package AddWorkingDays(2024-02-09, 1) = %s, want 2024-02-18", dayKey(got))
	}
	if IsWorkingDay(day("2024-10-01")) {
		t.Errorf("package IsWorkingDay(2024-10-01) = true, want false")
	}
}

func TestCalendarCoversYears(t *testing.T) {
	c := mustCalendar(t)
	for y := 2023; y <= 2027; y++ {
		if !c.Covers(y) {
			t.Errorf("Covers(%d) = false, want true", y)
		}
	}
}

// reviewedOnly is the reviewed data without lunar-go's estimates, so that
// comparing it with lunar-go compares two sources.
func reviewedOnly(t testing.TB) *Calendar {
	t.Helper()
	c, err := LoadCalendar(bytes.NewReader(holidaysJSON))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCalendarAgainstLunarGo compares every day of every reviewed year
// with 6tail/lunar-go's holiday table. Where they disagree the official
// notices win: known disagreements are listed here with the reason.
func TestCalendarAgainstLunarGo(t *testing.T) {
	c := reviewedOnly(t)
	known := map[string]string{
		// none found so far; add "YYYY-MM-DD": "why the notice wins"
	}
	var diffs []string
	for d := day("2023-01-01"); d.Year() <= c.LastReviewedYear(); d = d.AddDate(0, 0, 1) {
		wd := d.Weekday()
		lunarWork := wd != time.Saturday && wd != time.Sunday
		if h := HolidayUtil.GetHolidayByYmd(d.Year(), int(d.Month()), d.Day()); h != nil {
			lunarWork = h.IsWork()
		}
		if got := c.IsWorkingDay(d); got != lunarWork {
			k := dayKey(d)
			if _, ok := known[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: ours %v, lunar-go %v", k, got, lunarWork))
			}
		}
	}
	if len(diffs) > 0 {
		t.Errorf("calendar disagrees with lunar-go on %d days:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
}

func TestLoadCalendarErrors(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"not json", `{`},
		{"bad date", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-13-01","2024-13-02"]}]}]}`},
		{"one date", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-10-01"]}]}]}`},
		{"reversed", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-10-07","2024-10-01"]}]}]}`},
		{"too long", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-01-01","2024-12-31"]}]}]}`},
		{"weekday make-up", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-10-01","2024-10-07"],"work":["2024-10-08"]}]}]}`},
		{"off and work", `{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-10-01","2024-10-07"],"work":["2024-10-05"]}]}]}`},
		{"dup year", `{"years":[{"year":2024},{"year":2024}]}`},
		{"bad year", `{"years":[{"year":24}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadCalendar(strings.NewReader(tt.in)); err == nil {
				t.Errorf("LoadCalendar(%q) error = nil, want an error", tt.in)
			}
		})
	}
}

func FuzzLoadCalendar(f *testing.F) {
	f.Add(string(holidaysJSON))
	f.Add(`{"years":[{"year":2024,"festivals":[{"name":"x","off":["2024-10-01","2024-10-07"],"work":["2024-10-12"]}]}]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := LoadCalendar(strings.NewReader(in))
		if err != nil {
			return
		}
		d := day("2024-02-09")
		if got := c.AddWorkingDays(d, 3); !got.After(d) || !c.IsWorkingDay(got) {
			t.Errorf("AddWorkingDays(%v, 3) = %v", d, got)
		}
	})
}

// TestDeadlineEstimated: a count over days of a year the reviewed data
// lacks is marked estimated, and uses lunar-go's holidays where lunar-go
// has the year (shown here with a calendar reviewed only up to 2026).
func TestDeadlineEstimated(t *testing.T) {
	upTo2026 := `{"years":[{"year":2026,"source":"国办发明电〔2025〕7号","festivals":[]}]}`
	bare, err := LoadCalendar(strings.NewReader(upTo2026))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		c       *Calendar
		from    string
		n       int
		want    string
		wantEst bool
	}{
		{"reviewed", mustCalendar(t), "2027-02-03", 5, "2027-02-17", false},
		{"reviewed, into the next year", mustCalendar(t), "2026-12-28", 5, "2027-01-05", false},
		{"past the data: lunar-go's 2027", bare.WithEstimates(LunarHolidays{}), "2027-02-03", 5, "2027-02-17", true},
		{"crossing into the unreviewed year", bare.WithEstimates(LunarHolidays{}), "2026-12-28", 5, "2027-01-05", true},
		{"past the data, no estimates: weekends only", bare, "2027-02-03", 5, "2027-02-10", true},
		{"past lunar-go too: weekends only", mustCalendar(t), "2029-06-01", 5, "2029-06-08", true},
		{"within the reviewed year", bare, "2026-11-27", 5, "2026-12-04", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, est := tt.c.Deadline(day(tt.from), tt.n)
			if dayKey(got) != tt.want || est != tt.wantEst {
				t.Errorf("Deadline(%s, %d) = %s, %v; want %s, %v", tt.from, tt.n, dayKey(got), est, tt.want, tt.wantEst)
			}
		})
	}
}

func TestCalendarNeedsYear(t *testing.T) {
	c := mustCalendar(t)
	tests := []struct {
		now  string
		want int
	}{
		{"2026-12-01", 0},
		{"2027-11-15", 0},
		{"2027-11-20", 2028}, // 45 days ahead reaches 2028
		{"2029-06-01", 2029},
	}
	for _, tt := range tests {
		y, ok := c.NeedsYear(day(tt.now))
		if (tt.want == 0) == ok || (ok && y != tt.want) {
			t.Errorf("NeedsYear(%s) = %d, %v; want %d", tt.now, y, ok, tt.want)
		}
		if w, n := c.Warning(day(tt.now)), c.Notice(day(tt.now)); (w == "") != (tt.want == 0) || (n == "") != (tt.want == 0) {
			t.Errorf("Warning/Notice(%s) = %q / %q; want them only when a year is missing", tt.now, w, n)
		}
	}
}
