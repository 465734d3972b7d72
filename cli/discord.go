package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"huiqi/bot"
	"huiqi/discord"
)

const discordUsage = "usage: huiqi discord [--db PATH] [--discord-api URL] [--shard ID/COUNT] [--staff-role ID] " +
	"(env: DISCORD_TOKEN required; DISCORD_GUILD_ID, DISCORD_API, DISCORD_STAFF_ROLE optional)"

// runDiscord runs the Discord bot until interrupted. The token and the
// optional guild come from the environment (never from flags, which other
// users of the machine can read in the process list).
func runDiscord(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("discord")
	limits := newDeadlineFlags(fs)
	dbPath := fs.String("db", e.dbPath, "database path")
	api := fs.String("discord-api", e.getenv("DISCORD_API"), "Discord-compatible API base URL (default discord.com)")
	shard := fs.String("shard", "", "ID/COUNT: run one shard of a sharded bot")
	staffRole := fs.String("staff-role", e.getenv("DISCORD_STAFF_ROLE"), "role id allowed to use staff commands")
	demo := fs.Bool("demo", false, "under HUIQI_NOW, still prune idle conversations")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (%s)", err, discordUsage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (%s)", fs.Arg(0), discordUsage)
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
	cfg := discord.Config{
		Token: token, GuildID: strings.TrimSpace(e.getenv("DISCORD_GUILD_ID")), API: strings.TrimSpace(*api),
		StaffRole: strings.TrimSpace(*staffRole), Now: e.now, Log: e.log,
		Ready: func(name, appID string) {
			fmt.Fprintf(e.stderr, "huiqi discord: connected as %s (application %s); Ctrl-C to stop\n", name, appID)
		},
	}
	if *shard != "" {
		id, count, err := discord.ParseShard(*shard)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		cfg.ShardID, cfg.ShardCount = id, count
	}

	a, err := openApp(ctx, e, *dbPath, icfg)
	if err != nil {
		return err
	}
	defer a.Close()
	warnCalendar(e)
	eng, err := a.engine(bot.Deps{KeepIdle: !e.clockMayWrite(*demo, "pruning idle conversations")})
	if err != nil {
		return err
	}
	b, err := discord.New(cfg, discord.Deps{Engine: eng, Knowledge: a.base, Desk: a.tickets})
	if err != nil {
		return usagef("%v", err)
	}
	if err := b.Run(ctx); err != nil {
		if errors.Is(err, discord.ErrTokenRejected) {
			where := "discord.com"
			if cfg.API != "" {
				where = cfg.API
			}
			return usagef("DISCORD_TOKEN was rejected by %s (401 Unauthorized): check the bot token in the developer portal", where)
		}
		return err
	}
	return nil
}
