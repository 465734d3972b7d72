package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"huiqi/intake"
	"huiqi/knowledge"
)

func runRoute(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("route")
	asJSON := fs.Bool("json", false, "print the route object of cli.md")
	location := fs.String("location", "", "the enterprise's address or locality (镇/街道)")
	dbPath := fs.String("db", e.dbPath, "database with staff-added questions (read only)")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return usagef("usage: huiqi route [--json] [--location PLACE] TEXT...")
	}
	base, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	rt := intake.NewRouter(base).Route(text, *location)
	if *asJSON {
		return writeJSON(e.stdout, rt)
	}
	printRoute(e.stdout, rt)
	return nil
}

func printRoute(w io.Writer, rt intake.Route) {
	if !rt.Matched {
		fmt.Fprintf(w, "未匹配到具体措施,转平台坐席(%s)人工分派。\n", rt.LeadUnit)
		return
	}
	for i, id := range rt.Measures {
		title := ""
		if i < len(rt.Titles) {
			title = rt.Titles[i]
		}
		label := "相关措施"
		if i == 0 {
			label = "对应措施"
		}
		fmt.Fprintf(w, "%s:%s %s\n", label, id, title)
	}
	fmt.Fprintf(w, "牵头单位:%s\n", rt.LeadUnit)
	if len(rt.CoUnits) > 0 {
		fmt.Fprintf(w, "协办单位:%s\n", strings.Join(rt.CoUnits, "、"))
	}
	fmt.Fprintf(w, "办理模式:%s\n", rt.Mode)
	if len(rt.Unresolved) > 0 {
		fmt.Fprintf(w, "待平台坐席确定:%s(请说明企业所在镇或街道、涉及的部门)\n", strings.Join(rt.Unresolved, "、"))
	}
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report")
	asJSON := fs.Bool("json", false, "print the report object of cli.md")
	enterprise := fs.String("enterprise", "", "the enterprise's name")
	contact := fs.String("contact", "", "how to reach the reporter")
	channel := fs.String("channel", "线下", "线上, 线下 or 热线 (hotline staff filing for a caller)")
	location := fs.String("location", "", "the enterprise's address or locality (镇/街道)")
	by := fs.String("by", "", "who files it (hotline staff); default the enterprise")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return usagef("usage: huiqi report [--json] [--enterprise NAME] [--contact TEXT] [--channel NAME] TEXT...")
	}
	a, err := openApp(ctx, e, *dbPath, intake.Config{})
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
	fmt.Fprintf(e.stdout, "办结期限:%s(%d个工作日内)\n", intake.DueText(t.Due, t.DueEstimated), st.Config().CloseDays)
	return nil
}

func runTicket(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ticket")
	asJSON := fs.Bool("json", false, "print the ticket object of cli.md")
	set := fs.String("set", "", "move to STATUS (已派单, 已签收, 退单, 办理中, 已办结, 已回访, 延期)")
	by := fs.String("by", "", "who makes the change")
	note := fs.String("note", "", "reason, reply or rating (满意/基本满意/不满意 …)")
	days := fs.Int("days", 0, "with --set 延期: working days (default: all that remain)")
	lead := fs.String("lead", "", "re-route: the new lead unit")
	co := fs.String("co", "", "re-route: co-handling units, separated by 、 or ,")
	queue := fs.String("queue", "", "list the open tickets of UNIT (all: every unit)")
	escalate := fs.Bool("escalate", false, "escalate (督办) every overdue ticket")
	stats := fs.Bool("stats", false, "print the dashboard counts")
	demo := fs.Bool("demo", false, "with --escalate under HUIQI_NOW: escalate against this database anyway")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	const usage = "usage: huiqi ticket [--json] ID | huiqi ticket ID --set STATUS --by NAME [--note TEXT] | huiqi ticket --queue UNIT|all | --escalate | --stats"
	listing := *queue != "" || *escalate || *stats
	if (len(pos) != 1 && !listing) || (listing && len(pos) != 0) {
		return usagef("%s", usage)
	}
	if *escalate && e.fixedClock && !*demo {
		return usagef("HUIQI_NOW fixes the clock: --escalate would escalate tickets by a demonstration date; add --demo to do it anyway")
	}
	if _, err := os.Stat(*dbPath); err != nil && !listing {
		return intake.ErrNotFound // no database: no ticket
	}
	a, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.openTickets(ctx, intake.Config{}); err != nil {
		return err
	}
	st := a.tickets
	switch {
	case *stats:
		s, err := st.Stats(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, s)
		}
		fmt.Fprintf(e.stdout, "工单总数:%d,未办结:%d,逾期:%d,已督办:%d,待复核未答问题:%d\n", s.Total, s.Open, s.Overdue, s.Escalated, s.Unanswered)
		for unit, m := range s.ByUnit {
			fmt.Fprintf(e.stdout, "  %s:", unit)
			for _, stt := range intake.Statuses() {
				if m[stt] > 0 {
					fmt.Fprintf(e.stdout, " %s %d", stt, m[stt])
				}
			}
			fmt.Fprintln(e.stdout)
		}
		return nil
	case *escalate:
		ts, err := st.EscalateOverdue(ctx)
		if err != nil {
			return err
		}
		return printTickets(e, ts, *asJSON, "督办")
	case *queue != "":
		unit := *queue
		if unit == "all" || unit == "全部" {
			unit = ""
		}
		ts, err := st.Queue(ctx, unit)
		if err != nil {
			return err
		}
		return printTickets(e, ts, *asJSON, "待办")
	}
	id, err := intake.ParseID(pos[0])
	if err != nil {
		return err
	}
	var t intake.Ticket
	switch {
	case *lead != "":
		rt := intake.Route{LeadUnit: strings.TrimSpace(*lead), CoUnits: splitUnits(*co)}
		t, err = st.Reroute(ctx, id, rt, *by, *note)
	case *set != "":
		to, perr := intake.ParseStatus(*set)
		if perr != nil {
			return perr
		}
		if to == intake.Extend {
			t, err = st.Extend(ctx, id, *days, *by, *note)
		} else {
			t, err = st.Move(ctx, id, to, *by, *note)
		}
	default:
		if *by != "" || *note != "" || *co != "" || *days != 0 {
			return usagef("%s", usage)
		}
		t, err = st.Get(ctx, id)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, t)
	}
	printTicket(e.stdout, t)
	return nil
}

func splitUnits(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '、' || r == '\uFF0C' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func printTickets(e *env, ts []intake.Ticket, asJSON bool, what string) error {
	if asJSON {
		return writeJSON(e.stdout, map[string]any{"tickets": ts, "count": len(ts)})
	}
	if len(ts) == 0 {
		fmt.Fprintf(e.stdout, "没有%s工单。\n", what)
		return nil
	}
	for _, t := range ts {
		mark := ""
		if t.Overdue {
			mark = " [逾期]"
		}
		fmt.Fprintf(e.stdout, "%s %s %s 期限%s%s %s\n", t.ID, t.Status, t.LeadUnit, intake.DueText(t.Due, t.DueEstimated), mark, shorten(t.Text, 30))
	}
	return nil
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func printTicket(w io.Writer, t intake.Ticket) {
	fmt.Fprintf(w, "工单号:%s\n状态:%s\n", t.ID, t.Status)
	fmt.Fprintf(w, "牵头单位:%s\n", t.LeadUnit)
	if len(t.CoUnits) > 0 {
		fmt.Fprintf(w, "协办单位:%s\n", strings.Join(t.CoUnits, "、"))
	}
	if len(t.Measures) > 0 {
		fmt.Fprintf(w, "对应措施:%s\n", strings.Join(t.Measures, "、"))
	}
	fmt.Fprintf(w, "办理模式:%s\n", t.Mode)
	over := ""
	if t.Overdue {
		over = "(已逾期)"
	}
	fmt.Fprintf(w, "办结期限:%s%s\n", intake.DueText(t.Due, t.DueEstimated), over)
	if t.Escalated {
		fmt.Fprintf(w, "已督办:%s\n", t.EscalatedTo)
	}
	fmt.Fprintf(w, "问题:%s\n", t.Text)
	if t.Reply != "" {
		fmt.Fprintf(w, "答复:%s\n", t.Reply)
	}
	if t.Rating != "" {
		fmt.Fprintf(w, "回访评价:%s\n", t.Rating)
	}
	fmt.Fprintln(w, "办理记录:")
	for _, ev := range t.Events {
		fmt.Fprintf(w, "  %s %s %s %s\n", ev.At.Format("2006-01-02 15:04"), ev.Status, ev.By, ev.Note)
	}
}

func runUnanswered(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("unanswered")
	asJSON := fs.Bool("json", false, "print JSON")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("usage: huiqi unanswered [--json]")
	}
	list := []intake.Unanswered{}
	if _, err := os.Stat(*dbPath); err == nil {
		a, err := openDB(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.openTickets(ctx, intake.Config{}); err != nil {
			return err
		}
		if list, err = a.tickets.Unanswered(ctx); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"questions": list, "count": len(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "没有待复核的未答问题。")
		return nil
	}
	for _, u := range list {
		fmt.Fprintf(e.stdout, "%3d次  %s\n", u.Count, u.Question)
	}
	fmt.Fprintln(e.stdout, "用 huiqi lexicon add 措施编号 \"问题\" 把问题挂到措施上。")
	return nil
}

func runLexicon(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("lexicon")
	asJSON := fs.Bool("json", false, "print JSON")
	dbPath := fs.String("db", e.dbPath, "database path")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) < 3 || pos[0] != "add" {
		return usagef(`usage: huiqi lexicon add MEASURE "question"`)
	}
	q := strings.TrimSpace(strings.Join(pos[2:], " "))
	if q == "" {
		return usagef(`usage: huiqi lexicon add MEASURE "question"`)
	}
	a, err := openApp(ctx, e, *dbPath, intake.Config{})
	if err != nil {
		return err
	}
	defer a.Close()
	m, ok := a.base.Measure(pos[1])
	if !ok {
		return usagef("没有措施 %q(措施编号如 ind-03、inv-12,或 二十条第3条)", pos[1])
	}
	// The question is kept in the knowledge package's table, which the
	// knowledge base reads at every start, and leaves the review list.
	if err := knowledge.SaveQuestion(ctx, a.db.DB, m.ID, q); err != nil {
		return err
	}
	if err := a.tickets.ResolveUnanswered(ctx, q, m.ID); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"measure": m.ID, "question": q, "added": true})
	}
	fmt.Fprintf(e.stdout, "已将问题挂到 %s %s,下次提问即可答复。\n", m.ID, m.Title)
	return nil
}
