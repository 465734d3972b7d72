package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

//go:embed deadlines.json
var deadlinesJSON []byte

// Deadlines are a ticket's working-day limits: defaults a deployment sets
// (deadlines.json), not rules the district has published.
type Deadlines struct {
	// SignDays: the lead unit signs (签收) within this many working days
	// of filing or dispatch.
	SignDays int `json:"sign_days"`
	// CloseDays: the unit replies (办结) within this many working days of
	// filing, and again after a 不满意 rating reopens the ticket.
	CloseDays int `json:"close_days"`
	// MaxExtensionDays: the total extension (延期) a ticket may get.
	MaxExtensionDays int `json:"max_extension_days"`
}

// maxLimitDays bounds every limit: about a year of working days.
const maxLimitDays = 250

// LoadDeadlines reads limits in the format of deadlines.json.
func LoadDeadlines(r io.Reader) (Deadlines, error) {
	var d Deadlines
	if err := json.NewDecoder(r).Decode(&d); err != nil {
		return Deadlines{}, fmt.Errorf("intake: deadlines: %w", err)
	}
	if err := d.Validate(); err != nil {
		return Deadlines{}, fmt.Errorf("intake: deadlines: %w", err)
	}
	if d.SignDays == 0 || d.CloseDays == 0 || d.MaxExtensionDays == 0 {
		return Deadlines{}, fmt.Errorf("intake: deadlines: sign_days, close_days and max_extension_days are required")
	}
	return d, nil
}

// BuiltinDeadlines are the embedded deadlines.json.
func BuiltinDeadlines() (Deadlines, error) { return LoadDeadlines(bytes.NewReader(deadlinesJSON)) }

// Override returns d with the limits o sets (those above zero), after
// checking o's (see Validate).
func (d Deadlines) Override(o Deadlines) (Deadlines, error) {
	if err := o.Validate(); err != nil {
		return Deadlines{}, err
	}
	for _, f := range []struct{ dst, src *int }{
		{&d.SignDays, &o.SignDays}, {&d.CloseDays, &o.CloseDays}, {&d.MaxExtensionDays, &o.MaxExtensionDays},
	} {
		if *f.src > 0 {
			*f.dst = *f.src
		}
	}
	return d, nil
}

// Validate refuses a limit outside 1 to 250 working days; 0 is a limit not
// set (an override that keeps the default).
func (d Deadlines) Validate() error {
	for _, f := range []struct {
		name string
		n    int
	}{{"sign_days", d.SignDays}, {"close_days", d.CloseDays}, {"max_extension_days", d.MaxExtensionDays}} {
		if f.n >= 0 && f.n <= maxLimitDays {
			continue
		}
		return fmt.Errorf("%s must be 1 to %d working days (0: the default), got %d", f.name, maxLimitDays, f.n)
	}
	return nil
}
