package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/notify"
	"huiqi/wechat"
)

const wechatUsage = "usage: huiqi wechat [--addr HOST:PORT] [--db PATH|postgres://… [--local-db PATH]] [--appid ID] [--wechat-api URL] " +
	"[--ticket-template SPEC] [--webhooks FILE] [--wecom-api URL] [--reply-budget DURATION] [--notify-every DURATION] [--demo], " +
	"or huiqi wechat menu [--apply] " +
	"(env: WECHAT_TOKEN, WECHAT_APPID, WECHAT_SECRET required; WECHAT_AES_KEY for safe mode; " +
	"WECHAT_API, WECHAT_TICKET_TEMPLATE, WECOM_WEBHOOK_<UNIT>, WECOM_WEBHOOK_FILE, WECOM_API optional)"

// runWechat is the message server of a WeChat official account, on the
// engine like every other channel, until interrupted; `huiqi wechat menu`
// prints (and with --apply sends) the account's custom menu. The Token,
// the AppSecret and the EncodingAESKey come from the environment only
// (never from flags, which other users of the machine can read in the
// process list); the AppID and the API bases may be given as flags.
func runWechat(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "menu" {
		return runWechatMenu(ctx, e, args[1:])
	}
	fs := newFlagSet("wechat")
	limits := newDeadlineFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (WeChat calls https://HOST/wechat: put a TLS proxy in front)")
	dbPath := fs.String("db", e.dbPath, "database file, or postgres://… to keep the tickets and their notifications in a PostgreSQL database several processes share")
	localDB := fs.String("local-db", "", "with --db postgres://…: this process's own SQLite file for conversations and notices (default "+e.dbPath+")")
	appID := fs.String("appid", e.getenv(wechat.EnvAppID), "the official account's AppID (default $WECHAT_APPID)")
	api := fs.String("wechat-api", e.getenv(wechat.EnvAPI), "official-account API base URL (default $WECHAT_API, else "+wechat.DefaultAPI+")")
	tmpl := fs.String("ticket-template", e.getenv(wechat.EnvTicketTemplate), "template or subscribe message for ticket notices (default $WECHAT_TICKET_TEMPLATE)")
	hooks := fs.String("webhooks", e.getenv(wechat.EnvWebhookFile), "JSON file of unit name to WeChat Work robot webhook (default $WECOM_WEBHOOK_FILE)")
	wecomAPI := fs.String("wecom-api", e.getenv(wechat.EnvWeComAPI), "WeChat Work API base for bare robot keys (default $WECOM_API, else "+wechat.DefaultWeComAPI+")")
	budget := fs.Duration("reply-budget", 4*time.Second, "how long a callback waits for the answer before it goes through the customer-service API (WeChat waits 5s); 0 sends every answer through the API")
	notifyEvery := fs.Duration("notify-every", 5*time.Second, "how often the notifications outbox is drained into WeChat and WeChat Work")
	demo := fs.Bool("demo", false, "under HUIQI_NOW, still prune idle conversations and warn units of deadlines about to pass")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (%s)", err, wechatUsage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (%s)", fs.Arg(0), wechatUsage)
	}
	icfg, err := limits.config()
	if err != nil {
		return err
	}
	if *notifyEvery <= 0 {
		return usagef("--notify-every must be positive, got %v", *notifyEvery)
	}
	if *budget < 0 || *budget >= 5*time.Second {
		return usagef("--reply-budget must be at least 0 and under WeChat's 5s, got %v", *budget)
	}
	cfg, err := wechatConfig(e, *appID, *api, *tmpl)
	if err != nil {
		return err
	}
	cfg.ReplyBudget = *budget
	if *budget == 0 {
		cfg.ReplyBudget = -1 // wechat's "never wait"
	}
	if err := cfg.Validate(); err != nil {
		return wechatUsageErr(err)
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
	warnCalendar(e)
	webhooks, err := loadWebhooks(e, *hooks, *wecomAPI, a.base)
	if err != nil {
		return err
	}
	clockWrites := e.clockMayWrite(*demo, "pruning idle conversations and the due-soon warnings")
	eng, err := a.engine(bot.Deps{KeepIdle: !clockWrites})
	if err != nil {
		return err
	}
	// Numbered choices and a form half asked outlive a restart.
	if cfg.Sessions, err = wechat.OpenSessions(ctx, a.db); err != nil {
		return err
	}
	srv, err := wechat.NewServer(cfg, eng)
	if err != nil {
		return wechatUsageErr(err)
	}
	if err := checkToken(ctx, e, srv.Client()); err != nil {
		return err
	}
	// The outbox's WeChat senders: notices to the followers who filed, and
	// unit alerts to the groups whose robots this process knows (their
	// targets replace the channel's previous ones, so a robot removed from
	// the configuration is told nothing more).
	robots := wechat.NewRobotSender(wechat.NewWeComRobot(nil, e.log), webhooks)
	if err := a.tickets.SetUnitTargets(ctx, wechat.WeComChannel, robots.Targets()); err != nil {
		return err
	}
	units := make([]string, 0, len(webhooks))
	for u := range webhooks {
		units = append(units, u)
	}
	sort.Strings(units)
	disp, err := notify.New(a.tickets, notify.Config{Every: *notifyEvery, Log: e.log},
		wechat.NewNoticeSender(srv.Client()), robots)
	if err != nil {
		return err
	}
	if e.fixedClock {
		e.log.Info("HUIQI_NOW fixes the clock at " + e.now().Format(time.RFC3339) +
			": WeChat's callbacks are refused as stale unless their timestamps are within 5 minutes of it")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("cannot listen on %s: %v", *addr, err)
	}
	if len(units) == 0 {
		fmt.Fprintf(e.stderr, "huiqi wechat: no WeChat Work group robots (%s<UNIT> or %s): units get no alerts here\n",
			wechat.EnvWebhookPrefix, wechat.EnvWebhookFile)
	} else {
		fmt.Fprintf(e.stderr, "huiqi wechat: WeChat Work group robots for %s\n", strings.Join(units, "、"))
	}
	mode := "plain mode"
	if srv.SafeMode() {
		mode = "safe mode"
	}
	fmt.Fprintf(e.stderr, "huiqi wechat: listening on http://%s%s (%s, account %s); Ctrl-C to stop\n",
		ln.Addr(), wechat.Path, mode, cfg.AppID)
	var bg sync.WaitGroup
	bg.Go(func() { disp.Run(ctx) })
	if clockWrites {
		bg.Go(func() { warnDueSoon(ctx, e, a.tickets, disp, 10*time.Minute) })
	}
	err = srv.Serve(ctx, ln)
	bg.Wait() // the database closes after the last delivery is recorded
	return err
}

// warnDueSoon writes the outbox's warnings of deadlines about to pass now
// and every interval until ctx ends, and wakes the dispatcher when it did.
// Every process that runs all day may do it: a ticket and deadline is
// warned of once.
func warnDueSoon(ctx context.Context, e *env, st *intake.Store, d *notify.Dispatcher, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := st.WarnDueSoon(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			e.log.WarnContext(ctx, "warn of deadlines about to pass", "err", err)
		case n > 0:
			e.log.InfoContext(ctx, "warned units of deadlines about to pass", "tickets", n)
			d.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runWechatMenu prints the custom menu as the JSON WeChat takes; with
// --apply it sends it to the account (which needs the AppID and the
// AppSecret, not the Token).
func runWechatMenu(ctx context.Context, e *env, args []string) error {
	const usage = "usage: huiqi wechat menu [--apply] [--appid ID] [--wechat-api URL] (env: WECHAT_APPID and WECHAT_SECRET for --apply)"
	fs := newFlagSet("wechat menu")
	apply := fs.Bool("apply", false, "replace the account's menu with this one")
	appID := fs.String("appid", e.getenv(wechat.EnvAppID), "the official account's AppID (default $WECHAT_APPID)")
	api := fs.String("wechat-api", e.getenv(wechat.EnvAPI), "official-account API base URL (default $WECHAT_API)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (%s)", err, usage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (%s)", fs.Arg(0), usage)
	}
	menu := wechat.Menu()
	if *apply {
		cfg := wechat.Config{AppID: *appID, Secret: e.getenv(wechat.EnvSecret), API: *api, Now: e.now, Log: e.log}
		c, err := wechat.NewClient(cfg)
		if err != nil {
			return wechatUsageErr(err)
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := c.CreateMenu(ctx, menu); err != nil {
			return wechatAPIErr(err)
		}
	}
	if err := writeJSON(e.stdout, menu); err != nil {
		return err
	}
	if *apply {
		fmt.Fprintf(e.stderr, "huiqi wechat menu: the menu was applied to account %s\n", strings.TrimSpace(*appID))
	}
	return nil
}

// wechatConfig is the wechat configuration from the environment, with the
// flags' values (which default to the same variables) over it.
func wechatConfig(e *env, appID, api, tmpl string) (wechat.Config, error) {
	getenv := func(k string) string {
		switch k {
		case wechat.EnvAppID:
			return appID
		case wechat.EnvAPI:
			return api
		case wechat.EnvTicketTemplate:
			return tmpl
		}
		return e.getenv(k)
	}
	cfg, err := wechat.ConfigFromEnv(getenv)
	if err != nil {
		return cfg, usagef("%v", err)
	}
	cfg.Now, cfg.Log = e.now, e.log
	return cfg, nil
}

// checkToken fetches an access token at start: a wrong AppID or
// AppSecret or a server off the account's IP whitelist is the operator's
// to fix (exit 2); WeChat unreachable for now is logged, and the server
// starts anyway (passive replies need no token).
func checkToken(ctx context.Context, e *env, c *wechat.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err := c.Check(ctx)
	var ae *wechat.APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae.Misconfigured():
		return wechatUsageErr(err)
	}
	e.log.Warn("wechat: no access token yet; slow answers and notices wait for it", "err", err)
	return nil
}

// wechatAPIErr maps an API failure to the exit statuses: the operator's
// configuration is 2, the rest 1.
func wechatAPIErr(err error) error {
	var ae *wechat.APIError
	if errors.As(err, &ae) && ae.Misconfigured() {
		return wechatUsageErr(err)
	}
	return err
}

// wechatUsageErr is a configuration error as one operator line.
func wechatUsageErr(err error) error {
	return usagef("%s", strings.TrimPrefix(err.Error(), "wechat: "))
}

// loadWebhooks reads the WeChat Work robots of the units: the file (a
// flag or WECOM_WEBHOOK_FILE) and the WECOM_WEBHOOK_<UNIT> variables of
// the units the knowledge base names. The command sees the environment
// through getenv, so it looks up each unit's variable by name.
func loadWebhooks(e *env, file, api string, base *knowledge.Base) (wechat.Webhooks, error) {
	var units []string
	seen := map[string]bool{}
	for _, m := range base.Measures() {
		for _, u := range m.Units {
			if u = knowledge.CanonicalUnit(u); !seen[u] {
				seen[u] = true
				units = append(units, u)
			}
		}
	}
	var environ []string
	for _, u := range units {
		name := wechat.WebhookEnvName(u)
		if v := e.getenv(name); strings.TrimSpace(v) != "" {
			environ = append(environ, name+"="+v)
		}
	}
	var data []byte
	if file = strings.TrimSpace(file); file != "" {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			return nil, usagef("%s: %v", wechat.EnvWebhookFile, err)
		}
	}
	hooks, err := wechat.LoadWebhooks(environ, data, units, strings.TrimSpace(api))
	if err != nil {
		return nil, wechatUsageErr(err)
	}
	return hooks, nil
}
