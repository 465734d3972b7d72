package cli

import (
	"context"
	"strings"

	"huiqi/bot"
)

// runChat is the terminal chat: huiqi chat [--db PATH] [--user NAME].
// The conversation is stored in the database, so a chat stopped in the
// middle of a dialog resumes where it was when started again.
func runChat(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("chat")
	limits := newDeadlineFlags(fs)
	dbPath := fs.String("db", e.dbPath, "database path")
	user := fs.String("user", "local", "conversation name: each name is its own conversation")
	demo := fs.Bool("demo", false, "under HUIQI_NOW, still prune idle conversations")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (usage: huiqi chat [--db PATH] [--user NAME] [--demo])", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (usage: huiqi chat [--db PATH] [--user NAME] [--demo])", fs.Arg(0))
	}
	if strings.TrimSpace(*user) == "" {
		return usagef("--user must not be empty")
	}
	icfg, err := limits.config()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, *dbPath, icfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The terminal is the local operator at the keyboard (no network, no
	// stranger), and piped scripts of many questions are a legitimate use,
	// so the engine's per-user rate limits and ticket budget are off here;
	// Discord and the web keep them.
	warnCalendar(e)
	keep := !e.clockMayWrite(*demo, "pruning idle conversations")
	eng, err := a.engine(bot.Deps{RateLimit: -1, ActionLimit: -1, TicketLimit: -1, KeepIdle: keep})
	if err != nil {
		return err
	}
	return bot.RunTerminal(ctx, eng, e.stdin, e.stdout, bot.Key{Channel: "terminal", User: *user})
}
