package wire

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"huiqi/bot"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestQuestionnaire(t *testing.T) {
	var q Questionnaire
	// nil, "null" and "{}" are all "nothing answered yet".
	for _, raw := range []json.RawMessage{nil, json.RawMessage("null"), json.RawMessage("{}")} {
		first, ok, err := q.Next(raw)
		if err != nil || !ok || first.Field != "above_scale_industrial" || first.Kind != "bool" {
			t.Fatalf("Next(%q) = %+v, %v, %v, want the 规上 question", raw, first, ok, err)
		}
	}
	tests := []struct {
		field, in string
		wantBad   bool
	}{
		{"above_scale_industrial", "是", false},
		{"above_scale_industrial", "很多", true},
		{"output_growth_pct.jan_feb", "三成半", false},
		{"output_growth_pct.jan_feb", "😀", true},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.in, func(t *testing.T) {
			_, _, err := q.Apply(nil, tt.field, tt.in, now)
			var bad *bot.BadAnswer
			if got := errors.As(err, &bad); got != tt.wantBad {
				t.Fatalf("Apply(%q, %q) = %v, want bad answer %v", tt.field, tt.in, err, tt.wantBad)
			}
			if tt.wantBad && bad.Hint == "" {
				t.Errorf("Apply(%q, %q): empty hint", tt.field, tt.in)
			}
		})
	}
	a, _, err := q.Apply(nil, "above_scale_industrial", "是", now)
	if err != nil {
		t.Fatal(err)
	}
	next, _, _ := q.Next(a)
	if next.Field != "output_growth_pct.jan_feb" {
		t.Errorf("after 是, Next = %q, want output_growth_pct.jan_feb", next.Field)
	}
	stakes, err := q.Stakes(a)
	if err != nil || len(stakes) == 0 || stakes[0].Field != "output_growth_pct.jan_feb" || stakes[0].UpTo != 50000 {
		t.Errorf("Stakes = %+v, %v, want 5万元 on the growth question first", stakes, err)
	}
	skipped, err := q.Skip(a, next.Field)
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := q.Next(skipped); n.Field == next.Field {
		t.Errorf("Skip did not move past %q", next.Field)
	}
	report, err := q.Report(a, now)
	if err != nil || report == "" {
		t.Errorf("Report = %q, %v", report, err)
	}
	if _, _, err := q.Next(json.RawMessage("{not json")); err == nil {
		t.Error("Next accepted broken state")
	}
}
