package cli

import (
	"flag"

	"huiqi/intake"
)

// deadlineFlags registers the flags that override a ticket's working-day
// limits (intake/deadlines.json) on a command that files or moves tickets.
type deadlineFlags struct{ d intake.Deadlines }

func newDeadlineFlags(fs *flag.FlagSet) *deadlineFlags {
	f := &deadlineFlags{}
	fs.IntVar(&f.d.SignDays, "sign-days", 0, "working days to sign a ticket (default: intake/deadlines.json)")
	fs.IntVar(&f.d.CloseDays, "close-days", 0, "working days to close a ticket (default: intake/deadlines.json)")
	fs.IntVar(&f.d.MaxExtensionDays, "max-extension-days", 0, "total working days a ticket may be extended (default: intake/deadlines.json)")
	return f
}

// config is the intake configuration the flags ask for; a limit out of
// range is bad usage.
func (f *deadlineFlags) config() (intake.Config, error) {
	if err := f.d.Validate(); err != nil {
		return intake.Config{}, usagef("--sign-days, --close-days, --max-extension-days: %v", err)
	}
	return intake.Config{Deadlines: f.d}, nil
}
