package intake

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2026-12-04", Date{2026, 12, 4}, false},
		{"", Date{}, false},
		{"2026-13-01", Date{}, true},
		{"04/12/2026", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v, want %v (err %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("ParseDate(%q).String() = %q", tt.in, got.String())
		}
	}
	// The day of an instant is its day in China time.
	if got := DateOf(time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)); got != (Date{2026, 12, 4}) {
		t.Errorf("DateOf(17:00 UTC on 12-03) = %v, want 2026-12-04", got)
	}
	a, b := Date{2026, 12, 31}, Date{2027, 1, 1}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Before(a) {
		t.Errorf("Before/After wrong for %v and %v", a, b)
	}
}

// TestDateJSON: a ticket's due date stays the "YYYY-MM-DD" string of
// cli.md, and "" when unset.
func TestDateJSON(t *testing.T) {
	var v struct {
		Due  Date `json:"due"`
		Sign Date `json:"sign"`
	}
	v.Due = Date{2026, 12, 4}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"due":"2026-12-04","sign":""}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	v.Due = Date{}
	if err := json.Unmarshal([]byte(`{"due":"2027-01-05","sign":""}`), &v); err != nil || v.Due != (Date{2027, 1, 5}) || !v.Sign.IsZero() {
		t.Errorf("Unmarshal = %+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"tomorrow"}`), &v); err == nil {
		t.Error("Unmarshal accepted a date that is not YYYY-MM-DD")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-04", "", "2026-02-30", "９９９９-01-01", "2026-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Errorf("ParseDate(%q) = %v, which does not read back (%v, %v)", s, d, back, err)
		}
	})
}
