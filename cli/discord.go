package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"huiqi/bot"
	"huiqi/discord"
	"huiqi/intake"
	"huiqi/notify"
)

const discordUsage = "usage: huiqi discord [--db PATH|postgres://… [--local-db PATH]] [--discord-api URL] [--shard ID/COUNT] [--config FILE] [--staff-role ID] " +
	"[--notify-every D] [--notify-lease D] " +
	"(env: DISCORD_TOKEN required; DISCORD_GUILD_ID, DISCORD_API, DISCORD_CONFIG, DISCORD_STAFF_ROLE optional)"

// runDiscord runs the Discord bot until interrupted, and delivers the
// outbox's Discord notifications while it runs. The token and the
// optional guild come from the environment (never from flags, which other
// users of the machine can read in the process list).
func runDiscord(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("discord")
	limits := newDeadlineFlags(fs)
	dbPath := fs.String("db", e.dbPath, "database file, or postgres://… to keep the tickets and their notifications in a PostgreSQL database several processes share")
	localDB := fs.String("local-db", "", "with --db postgres://…: this process's own SQLite file for conversations and notices (default "+e.dbPath+")")
	api := fs.String("discord-api", e.getenv("DISCORD_API"), "Discord-compatible API base URL (default discord.com)")
	shard := fs.String("shard", "", "ID/COUNT: run one shard of a sharded bot")
	config := fs.String("config", e.getenv("DISCORD_CONFIG"), "JSON file: staff roles (Discord role → hotline/unit/admin and unit) and each unit's notification targets")
	staffRole := fs.String("staff-role", e.getenv("DISCORD_STAFF_ROLE"), "role id whose members are the hotline (without --config)")
	every := fs.Duration("notify-every", 5*time.Second, "how often the notifications outbox is read")
	lease := fs.Duration("notify-lease", 2*time.Minute, "how long a claimed notification is held before another process may take it")
	demo := fs.Bool("demo", false, "under HUIQI_NOW, still prune idle conversations and warn of deadlines")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (%s)", err, discordUsage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (%s)", fs.Arg(0), discordUsage)
	}
	if *every <= 0 || *lease < 2*time.Second {
		return usagef("--notify-every must be positive and --notify-lease at least 2s (%s)", discordUsage)
	}
	icfg, err := limits.config()
	if err != nil {
		return err
	}
	token := strings.TrimSpace(e.getenv("DISCORD_TOKEN"))
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bot "))
	if token == "" {
		return usagef("DISCORD_TOKEN is not set: create a bot application in the Discord developer portal and export its token")
	}
	roles, err := intake.BuiltinRoles()
	if err != nil {
		return err
	}
	var file discord.FileConfig
	if *config != "" {
		f, err := os.Open(*config)
		if err != nil {
			return usagef("--config: %v", err)
		}
		file, err = discord.LoadConfig(f, roles)
		f.Close()
		if err != nil {
			return usagef("--config %s: %v", *config, err)
		}
	}
	var dispatcher *notify.Dispatcher
	var startNotify sync.Once
	var notifying sync.WaitGroup
	notifyCtx, stopNotify := context.WithCancel(ctx)
	defer stopNotify()
	cfg := discord.Config{
		Token: token, GuildID: strings.TrimSpace(e.getenv("DISCORD_GUILD_ID")), API: strings.TrimSpace(*api),
		Staff: file.Staff, StaffRole: strings.TrimSpace(*staffRole), Roles: roles, Now: e.now, Log: e.log,
		Ready: func(name, appID string) {
			fmt.Fprintf(e.stderr, "huiqi discord: connected as %s (application %s); Ctrl-C to stop\n", name, appID)
			startNotify.Do(func() {
				notifying.Add(1)
				go func() { defer notifying.Done(); dispatcher.Run(notifyCtx) }()
			})
		},
	}
	if *shard != "" {
		id, count, err := discord.ParseShard(*shard)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		cfg.ShardID, cfg.ShardCount = id, count
	}

	where, err := storageOf(*dbPath, *localDB, e.dbPath)
	if err != nil {
		return err
	}
	a, err := openAppOn(ctx, e, where, icfg)
	if err != nil {
		return err
	}
	defer a.Close()
	defer func() { stopNotify(); notifying.Wait() }() // before the database closes
	if err := a.checkIntegrity(ctx); err != nil {
		return err
	}
	warnCalendar(e)
	// The file is where units are told on Discord: every process writing
	// moves on this database addresses their notifications by it.
	if err := a.tickets.SetUnitTargets(ctx, "discord", file.Units); err != nil {
		return err
	}
	mayWrite := e.clockMayWrite(*demo, "pruning idle conversations and warning units of deadlines")
	eng, err := a.engine(bot.Deps{KeepIdle: !mayWrite})
	if err != nil {
		return err
	}
	b, err := discord.New(cfg, discord.Deps{Engine: eng, Knowledge: a.live, Desk: a.tickets, Reports: a.tickets})
	if err != nil {
		return usagef("%v", err)
	}
	// Leases and retries run on real time even under HUIQI_NOW: a fixed
	// clock would hold a claim forever.
	dispatcher, err = notify.New(a.tickets, notify.Config{Every: *every, Lease: *lease, Log: e.log}, b.Notifier())
	if err != nil {
		return err
	}
	if mayWrite {
		go warnDueSoon(ctx, e, a.tickets, dispatcher, 10*time.Minute) // wechat.go
	}
	if err := b.Run(ctx); err != nil {
		var closed *discord.GatewayClosedError
		switch {
		case errors.Is(err, discord.ErrTokenRejected):
			where := "discord.com"
			if cfg.API != "" {
				where = cfg.API
			}
			return usagef("DISCORD_TOKEN was rejected by %s (401 Unauthorized): check the bot token in the developer portal", where)
		case errors.As(err, &closed) && closed.Operator():
			return usagef("%v", strings.TrimPrefix(err.Error(), "discord: "))
		}
		return err
	}
	return nil
}
