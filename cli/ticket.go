package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"huiqi/intake"
)

func runTicket(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ticket")
	limits := newDeadlineFlags(fs)
	asJSON := fs.Bool("json", false, "print the ticket object of cli.md")
	set := fs.String("set", "", "move to STATUS ("+intake.StatusNames(", ")+")")
	by := fs.String("by", "", "who makes the change")
	note := fs.String("note", "", "reason, reply or rating (满意/基本满意/不满意 …)")
	days := fs.Int("days", 0, "with --set 延期: working days (default: all that remain)")
	lead := fs.String("lead", "", "re-route: the new lead unit")
	co := fs.String("co", "", "re-route: co-handling units, separated by 、 or ,")
	queue := fs.String("queue", "", "list the open tickets of UNIT (all: every unit)")
	escalate := fs.Bool("escalate", false, "escalate (督办) every overdue ticket")
	stats := fs.Bool("stats", false, "print the dashboard counts")
	demo := fs.Bool("demo", false, "with --escalate under HUIQI_NOW: escalate against this database anyway")
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
	const usage = "usage: huiqi ticket [--json] ID | huiqi ticket ID --set STATUS --by NAME [--note TEXT] | huiqi ticket --queue UNIT|all | --escalate | --stats"
	listing := *queue != "" || *escalate || *stats
	if (len(pos) != 1 && !listing) || (listing && len(pos) != 0) {
		return usagef("%s", usage)
	}
	if *escalate && e.fixedClock && !*demo {
		return usagef("HUIQI_NOW fixes the clock: --escalate would escalate tickets by a demonstration date; add --demo to do it anyway")
	}
	where, err := storageOf(*dbPath, *localDB, e.dbPath)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*dbPath); err != nil && !listing && where.tickets == "" {
		return intake.ErrNotFound // no database: no ticket
	}
	// Looking, listing and counting only read: the file is opened
	// read-only, so they work on a file huiqi may not write.
	reads := *stats || *queue != "" || (!listing && *set == "" && *lead == "")
	var a *app
	if reads && where.tickets == "" {
		a, err = openReader(ctx, e, *dbPath, icfg)
	} else if a, err = openDBOn(ctx, e, where); err == nil {
		if err = a.openTickets(ctx, icfg); err != nil {
			a.Close()
		}
	}
	if err != nil {
		return err
	}
	defer a.Close()
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
