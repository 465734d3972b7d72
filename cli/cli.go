// Package cli is huiqi's command line: one file per command, one place that
// opens the database and wires the knowledge base, the ticket store, the
// conversation engine and the staff accounts (app.go), and one place that
// maps errors to exit statuses (0 ok, 2 bad input, 1 internal). It owns
// flags, the environment (HUIQI_DB, HUIQI_NOW, secrets) and the human
// output of each command; it must not hold a domain rule: what a ticket may
// do, what a measure says or what an award is worth is asked of intake,
// knowledge and eligibility. No other package imports it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
	"huiqi/sqlite"
)

// env is what every command receives: its streams, the clock and the
// database path. Nothing here is global, so tests run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	// fixedClock is set when HUIQI_NOW fixes the clock: a demonstration or
	// a test. Work that writes consequences from the clock alone (the
	// escalation sweep, pruning idle state) then runs only with --demo.
	fixedClock bool
	dbPath     string
	// cacheDir holds the snapshot of the built-in index (knowledge's
	// BuiltinCached): $HUIQI_CACHE, else the user's cache directory; ""
	// (HUIQI_CACHE=off, or no such directory) builds it every time.
	cacheDir string
	log      *slog.Logger
	// chatUnlimited lifts the web chat's per-conversation limits: only
	// benchmarks that drive one conversation hard set it.
	chatUnlimited bool
	// getenv reads the environment (secrets such as DISCORD_TOKEN are
	// taken from it, never from flags); tests pass their own.
	getenv func(string) string
}

// command runs one subcommand with the arguments after its name.
type command struct {
	run     func(ctx context.Context, e *env, args []string) error
	summary string
}

func commands() map[string]command {
	return map[string]command{
		"ask":        {runAsk, "回答政策问题 / answer a question"},
		"measure":    {runMeasure, "查看一条措施 / show one measure"},
		"unit":       {runUnit, "责任单位负责的措施 / what a unit handles"},
		"ingest":     {runIngest, "导入新的政策文件 / parse another notice into the database"},
		"notices":    {runNotices, "政策文件:列表、发布、撤回、审核 / list, publish, withdraw, review notices"},
		"award":      {runAward, "测算可能的奖励 / estimate awards for a profile"},
		"route":      {runRoute, "问题分派到哪个单位 / route an issue"},
		"report":     {runReport, "反映问题、生成工单 / file an issue as a ticket"},
		"ticket":     {runTicket, "查询或办理工单 / look up or move a ticket"},
		"unanswered": {runUnanswered, "未能回答的问题 / questions huiqi could not answer"},
		"lexicon":    {runLexicon, "维护问法词库 / attach a question to a measure"},
		"chat":       {runChat, "终端对话 / terminal chat"},
		"discord":    {runDiscord, "Discord 机器人 / run the Discord bot"},
		"serve":      {runServe, "HTTP 接口与坐席工作台 / HTTP API and staff console"},
		"wechat":     {runWechat, "微信公众号消息服务 / WeChat official-account server"},
		"user":       {runUser, "坐席账号 / staff accounts"},
		"backup":     {runBackup, "在线备份数据库 / online backup of the database"},
		"restore":    {runRestore, "从备份恢复数据库 / replace the database with a backup"},
	}
}

// usageError marks bad input or usage: exit status 2, one line on stderr.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// clockFromEnv returns the clock: the real one, or a fixed instant from
// HUIQI_NOW (RFC 3339 or 2006-01-02), which tests and demos use; fixed
// says which.
func clockFromEnv(getenv func(string) string) (now func() time.Time, fixed bool, err error) {
	v := getenv("HUIQI_NOW")
	if v == "" {
		return func() time.Time { return time.Now().In(zhtext.China()) }, false, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02", v, zhtext.China())
	}
	if err != nil {
		return nil, false, usagef("HUIQI_NOW must be RFC 3339 or YYYY-MM-DD, got %q", v)
	}
	t = t.In(zhtext.China())
	return func() time.Time { return t }, true, nil
}

// cacheDirFromEnv is where the snapshot of the built-in index lives:
// $HUIQI_CACHE ("off": nowhere), else huiqi/ in the user's cache directory
// ($XDG_CACHE_HOME, ~/.cache), else nowhere.
func cacheDirFromEnv(getenv func(string) string) string {
	switch v := getenv("HUIQI_CACHE"); v {
	case "off":
		return ""
	case "":
		dir := getenv("XDG_CACHE_HOME")
		if dir == "" {
			if home := getenv("HOME"); home != "" {
				dir = filepath.Join(home, ".cache")
			}
		}
		if dir == "" || !filepath.IsAbs(dir) {
			return ""
		}
		return filepath.Join(dir, "huiqi")
	default:
		return v
	}
}

// clockMayWrite reports whether work that changes stored data because of
// the clock alone may run: always on the real clock, and under HUIQI_NOW
// only when the command was given --demo. Otherwise it says once why not.
func (e *env) clockMayWrite(demo bool, what string) bool {
	if !e.fixedClock || demo {
		return true
	}
	e.log.Info("HUIQI_NOW fixes the clock at " + e.now().Format(time.RFC3339) + ": " + what +
		" is off, so a demonstration clock writes no consequences into real data; pass --demo to run it")
	return false
}

// warnCalendar logs the working-day calendar's request for its next year,
// at the start of the long-running commands.
func warnCalendar(e *env) {
	cal, err := intake.BuiltinCalendar()
	if err != nil {
		e.log.Error("working-day calendar", "err", err)
		return
	}
	if w := cal.Warning(e.now()); w != "" {
		e.log.Warn(w)
	}
}

// Run runs the command named by args[0] with the process's streams and
// environment, and returns the exit status; ctx ends on an interrupt.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	defer func() {
		// A bug must never show a user a Go stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "huiqi: internal error: %v\n", r)
			code = 1
		}
	}()
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr, cmds, cacheDirFromEnv(getenv))
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "huiqi: unknown command %q (try huiqi help)\n", args[0])
		return 2
	}
	now, fixed, err := clockFromEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "huiqi: %v\n", err)
		return 2
	}
	level := slog.LevelWarn
	if getenv("HUIQI_DEBUG") != "" {
		level = slog.LevelDebug
	}
	dbPath := getenv("HUIQI_DB")
	if dbPath == "" {
		dbPath = "huiqi.db"
	}
	e := &env{
		stdin: stdin, stdout: stdout, stderr: stderr, now: now, fixedClock: fixed, dbPath: dbPath, getenv: getenv,
		cacheDir: cacheDirFromEnv(getenv),
		log:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if err := c.run(ctx, e, args[1:]); err != nil {
		return reportError(stderr, args[0], err)
	}
	return 0
}

// reportError prints one line for err and returns its exit status.
func reportError(stderr io.Writer, name string, err error) int {
	var ue usageError
	if errors.As(err, &ue) || isInvalid(err) {
		fmt.Fprintf(stderr, "huiqi %s: %v\n", name, err)
		return 2
	}
	if sqlite.IsStorage(err) || errors.Is(err, intake.ErrSchemaBehind) {
		// The operator can act on these: nothing was stored, nothing is lost.
		hint := ""
		if errors.Is(err, sqlite.ErrCorrupt) && name != "restore" {
			hint = " (restore the last backup with: huiqi restore BACKUP)"
		}
		fmt.Fprintf(stderr, "huiqi %s: storage error, nothing was written: %v%s\n", name, err, hint)
		return 1
	}
	fmt.Fprintf(stderr, "huiqi %s: internal error: %v\n", name, err)
	return 1
}

// invalidInput is implemented by the domain packages' bad-input errors.
type invalidInput interface{ InvalidInput() bool }

func isInvalid(err error) bool {
	var ii invalidInput
	return errors.As(err, &ii) && ii.InvalidInput()
}

func printUsage(w io.Writer, cmds map[string]command, cacheDir string) {
	// What huiqi covers is knowledge's to say (the built-in notice here:
	// help reads no database, and builds no index).
	head := "huiqi — 惠企助手"
	if s, err := knowledge.BuiltinScopeCached(cacheDir); err == nil {
		head += " (" + strings.TrimSpace(s.Place+" "+s.Docs()) + ")"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, "usage: huiqi COMMAND [flags] [args]")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "common: --db PATH (default $HUIQI_DB, else huiqi.db); --json for machine output")
}
