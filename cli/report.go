package cli

import (
	"context"
	"fmt"
	"strings"

	"huiqi/intake"
)

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report")
	limits := newDeadlineFlags(fs)
	asJSON := fs.Bool("json", false, "print the report object of cli.md")
	enterprise := fs.String("enterprise", "", "the enterprise's name")
	contact := fs.String("contact", "", "how to reach the reporter")
	channel := fs.String("channel", intake.ChannelOffline, "线上, 线下 or 热线 (hotline staff filing for a caller)")
	location := fs.String("location", "", "the enterprise's address or locality (镇/街道)")
	by := fs.String("by", "", "who files it (hotline staff); default the enterprise")
	dbPath := fs.String("db", e.dbPath, "database path, or postgres://… (the tickets of several servers)")
	localDB := fs.String("local-db", "", "with --db postgres://…: the SQLite file beside it (default "+e.dbPath+")")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	icfg, err := limits.config()
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return usagef("usage: huiqi report [--json] [--enterprise NAME] [--contact TEXT] [--channel NAME] TEXT...")
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
	st := a.tickets
	t, err := st.File(ctx, intake.NewTicket{Text: text, Enterprise: *enterprise, Contact: *contact,
		Channel: *channel, Location: *location, By: *by})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, t)
	}
	fmt.Fprintf(e.stdout, "已受理,工单号:%s\n", t.ID)
	fmt.Fprintf(e.stdout, "查询码:%s(请妥善保存,凭工单号和查询码查询办理进度;此码只显示这一次)\n", t.Secret)
	fmt.Fprintf(e.stdout, "承办单位:%s", t.LeadUnit)
	if len(t.CoUnits) > 0 {
		fmt.Fprintf(e.stdout, "(协办:%s)", strings.Join(t.CoUnits, "、"))
	}
	fmt.Fprintf(e.stdout, ",办理模式:%s\n", t.Mode)
	if !t.Matched {
		fmt.Fprintln(e.stdout, "未匹配到具体措施,由平台坐席人工分派。")
	}
	if len(t.Unresolved) > 0 {
		fmt.Fprintf(e.stdout, "待平台坐席确定:%s\n", strings.Join(t.Unresolved, "、"))
	}
	fmt.Fprintf(e.stdout, "办结期限:%s(%d个工作日内)\n", intake.DueText(t.Due, t.DueEstimated), st.Config().Deadlines.CloseDays)
	return nil
}
