// Package ticketgen makes ticket databases that look like years of the
// platform's history, for the benchmarks that measure what staff queries
// cost at 10,000, 100,000 and 1,000,000 tickets: filings spread evenly over
// the years before a day, routed to the notice's measures and their units
// (a few measures take most of them), nearly all of the old ones closed and
// rated, the recent ones spread over the workflow, the overdue ones
// escalated as the sweep would have, half of them from chat conversations
// that file a few tickets each. The data is synthetic: enterprises, people
// and texts are made up and say nothing about real ones.
package ticketgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
	"huiqi/sqlite"
)

// Version names the generated data: bump it when Generate changes, and
// the cached files of the earlier version are not reused.
const Version = 2

// Options say what to generate.
type Options struct {
	Tickets int
	// Now is the end of the history (and the benchmarks' clock); the
	// tickets span Years before it (default 3).
	Now   time.Time
	Years int
	Seed  uint64
}

// DefaultNow is the end of the generated history: a Monday afternoon.
var DefaultNow = time.Date(2026, 11, 30, 15, 0, 0, 0, zhtext.China())

// route is where a kind of ticket goes.
type route struct {
	measure string
	lead    string
	co      []string
}

// Generator makes the tickets of one Options.
type Generator struct {
	opt      Options
	rng      *rand.Rand
	routes   []route
	cum      []float64 // cumulative weights of routes
	rules    *intake.Rules
	cal      *intake.Calendar
	dl       intake.Deadlines
	used     map[string]bool
	keys     int // how many conversation keys there are
	start    time.Time
	spanSecs float64
}

// New prepares a generator over the built-in notice's measures.
func New(opt Options) (*Generator, error) {
	if opt.Years <= 0 {
		opt.Years = 3
	}
	if opt.Now.IsZero() {
		opt.Now = DefaultNow
	}
	base, err := knowledge.Builtin()
	if err != nil {
		return nil, err
	}
	rules, err := intake.BuiltinRules()
	if err != nil {
		return nil, err
	}
	cal, err := intake.BuiltinCalendar()
	if err != nil {
		return nil, err
	}
	dl, err := intake.BuiltinDeadlines()
	if err != nil {
		return nil, err
	}
	generic := map[string]bool{}
	for _, l := range [][]string{rules.Generic.District, rules.Generic.Town, rules.Generic.Streets} {
		for _, u := range l {
			generic[u] = true
		}
	}
	g := &Generator{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, uint64(opt.Tickets))), rules: rules, cal: cal, dl: dl,
		used: make(map[string]bool, opt.Tickets), keys: max(opt.Tickets/3, 1)}
	for _, m := range base.Measures() {
		var units []string
		for _, u := range m.Units {
			if !generic[u] && !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
		if len(units) == 0 {
			units = []string{rules.Desk}
		}
		g.routes = append(g.routes, route{measure: m.ID, lead: units[0], co: units[1:]})
	}
	// A few measures take most tickets (Zipf-like), in an order of the seed.
	g.rng.Shuffle(len(g.routes), func(i, j int) { g.routes[i], g.routes[j] = g.routes[j], g.routes[i] })
	sum := 0.0
	for i := range g.routes {
		sum += 1 / math.Pow(float64(i+1), 0.9)
		g.cum = append(g.cum, sum)
	}
	g.start = opt.Now.AddDate(-opt.Years, 0, 0)
	g.spanSecs = opt.Now.Sub(g.start).Seconds()
	return g, nil
}

// The kinds of problems enterprises report, for the texts.
var problems = []string{
	"申请的奖励资金迟迟没有到账，不知道卡在哪个环节",
	"办理审批手续材料交了两个月一直没有回音",
	"企业招不到技术工人，想了解用工方面的支持",
	"申请用电增容一直没有答复，影响新生产线投产",
	"货车运输白天被限行，原料进不来",
	"想申报技改项目，不清楚需要准备哪些材料",
	"贷款到期续贷困难，希望协调银行",
	"厂区周边道路破损严重，车辆通行困难",
	"项目用地手续推进缓慢，希望有人牵头协调",
	"申请小升规奖励，材料已经交齐但没有下文",
	"研发机构认定后奖励没有兑现",
	"新招聘的大学生社保补贴怎么申请",
}

// statusAt draws the state of a ticket filed age ago: nearly all old ones
// rated, the recent ones spread over the workflow.
func (g *Generator) statusAt(age time.Duration) intake.Status {
	days := age.Hours() / 24
	r := g.rng.Float64()
	switch {
	case days > 90:
		if r < 0.985 {
			return intake.StatusVisited
		}
		return intake.StatusClosed
	case days > 45:
		switch {
		case r < 0.72:
			return intake.StatusVisited
		case r < 0.90:
			return intake.StatusClosed
		case r < 0.97:
			return intake.StatusHandling
		}
		return intake.StatusSigned
	}
	recent := []struct {
		s intake.Status
		w float64
	}{{intake.StatusReceived, 0.08}, {intake.StatusDispatched, 0.12}, {intake.StatusSigned, 0.12}, {intake.StatusReturned, 0.02},
		{intake.StatusHandling, 0.36}, {intake.StatusClosed, 0.15}, {intake.StatusVisited, 0.15}}
	for _, x := range recent {
		if r < x.w {
			return x.s
		}
		r -= x.w
	}
	return intake.StatusHandling
}

// path is the moves from filing to s.
func path(s intake.Status) []intake.Status {
	switch s {
	case intake.StatusReceived:
		return nil
	case intake.StatusReturned:
		return []intake.Status{intake.StatusDispatched, intake.StatusReturned}
	}
	full := []intake.Status{intake.StatusDispatched, intake.StatusSigned, intake.StatusHandling, intake.StatusClosed, intake.StatusVisited}
	return full[:slices.Index(full, s)+1]
}

// Ticket makes the i-th ticket of the history (i from 0 to Tickets-1, in
// the order they were filed).
func (g *Generator) Ticket(i int) intake.Ticket {
	created := g.start.Add(time.Duration((float64(i) + g.rng.Float64()) / float64(g.opt.Tickets) * g.spanSecs * float64(time.Second)))
	created = created.In(zhtext.China()).Truncate(time.Second)
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	rt := g.routes[min(sortSearch(g.cum, x), len(g.routes)-1)]
	t := intake.Ticket{
		Summary: intake.Summary{LeadUnit: rt.lead, CoUnits: []string{}, Measures: []string{rt.measure}, Mode: intake.ModeByKind,
			CreatedAt: created},
		Matched: true, Confidence: 0.6 + 0.4*g.rng.Float64(),
		Text:       fmt.Sprintf("%s（第%d号反映）", problems[g.rng.IntN(len(problems))], i+1),
		Enterprise: fmt.Sprintf("阳泉某某%d号企业", g.rng.IntN(max(g.opt.Tickets/4, 1))+1),
		Contact:    fmt.Sprintf("1380000%04d", g.rng.IntN(10000)),
		Channel:    intake.ChannelOffline,
	}
	if len(rt.co) > 0 && g.rng.Float64() < 0.3 {
		t.CoUnits = slices.Clone(rt.co[:min(len(rt.co), 1+g.rng.IntN(2))])
		t.Mode = intake.ModeJoint
	}
	if g.rng.Float64() < 0.5 {
		// Keys as the channels make them (a web conversation id is long).
		k := g.rng.IntN(g.keys)
		switch k % 3 {
		case 0:
			t.ReporterKey = fmt.Sprintf("web:bench-conv-%012d", k)
		case 1:
			t.ReporterKey = fmt.Sprintf("discord:%d", 100000000000000000+k)
		default:
			t.ReporterKey = fmt.Sprintf("wechat:oBench%012d", k)
		}
		t.Channel = intake.ChannelOnline
	} else if g.rng.Float64() < 0.5 {
		t.Channel = intake.ChannelHotline
	}
	for {
		id := fmt.Sprintf("CQ-%s-%08d", created.Format("20060102"), g.rng.IntN(100_000_000))
		if !g.used[id] {
			g.used[id] = true
			t.ID = id
			break
		}
	}
	due, est := g.cal.Deadline(created, g.dl.CloseDays)
	sign, sest := g.cal.Deadline(created, g.dl.SignDays)
	t.Due, t.DueEstimated, t.SignDue, t.SignDueEstimated = intake.DateOf(due), est, intake.DateOf(sign), sest
	status := g.statusAt(g.opt.Now.Sub(created))
	at := created
	t.Events = []intake.Event{{At: at, Kind: intake.KindFile, Status: intake.StatusReceived, By: "企业", Internal: "渠道:" + t.Channel}}
	step := func(d time.Duration) time.Time {
		at = at.Add(time.Duration(float64(d) * (0.5 + g.rng.Float64())))
		if at.After(g.opt.Now) {
			at = g.opt.Now
		}
		return at
	}
	from := intake.StatusReceived
	for _, to := range path(status) {
		ev := intake.Event{Kind: intake.KindMove, From: from, Status: to}
		switch to {
		case intake.StatusDispatched:
			ev.At, ev.By = step(4*time.Hour), "坐席"+fmt.Sprint(1+g.rng.IntN(12))
		case intake.StatusSigned:
			ev.At, ev.By = step(20*time.Hour), "经办人"+fmt.Sprint(1+g.rng.IntN(40))
		case intake.StatusReturned:
			ev.At, ev.By, ev.Internal = step(20*time.Hour), "经办人"+fmt.Sprint(1+g.rng.IntN(40)), "职能不符"
		case intake.StatusHandling:
			ev.At, ev.By = step(24*time.Hour), "经办人"+fmt.Sprint(1+g.rng.IntN(40))
		case intake.StatusClosed:
			ev.At, ev.By = step(9*24*time.Hour), "经办人"+fmt.Sprint(1+g.rng.IntN(40))
			ev.Note = "经核实，已联系企业说明办理进度并协调解决。"
			t.Reply = ev.Note
		case intake.StatusVisited:
			ev.At, ev.By, ev.Note = step(3*24*time.Hour), "坐席"+fmt.Sprint(1+g.rng.IntN(12)), intake.RatingSatisfied
			t.Rating = intake.RatingSatisfied
		}
		t.Events = append(t.Events, ev)
		from = to
	}
	t.Status = status
	today := intake.DateOf(g.opt.Now)
	overdue := status.Open() && today.After(t.Due)
	if overdue || (!status.Open() && g.rng.Float64() < 0.03) {
		// The sweep escalated it the day after its deadline.
		esc := t.Due.Time().AddDate(0, 0, 1).Add(9 * time.Hour)
		if esc.After(g.opt.Now) {
			esc = g.opt.Now
		}
		t.Escalated, t.EscalatedTo, t.Mode = true, g.rules.EscalateLabel, intake.ModeByLevel
		t.Flags = []string{intake.FlagEscalated}
		t.Events = append(t.Events, intake.Event{At: esc, Kind: intake.KindEscalate, From: status, Status: status, By: "系统",
			Note: fmt.Sprintf("逾期督办:办结期限%s已过,提请%s督办", t.Due, g.rules.EscalateLabel)})
		slices.SortStableFunc(t.Events, func(a, b intake.Event) int { return a.At.Compare(b.At) })
	}
	t.UpdatedAt = t.Events[len(t.Events)-1].At
	return t
}

// sortSearch is the first index whose cumulative weight reaches x.
func sortSearch(cum []float64, x float64) int {
	i, _ := slices.BinarySearch(cum, x)
	return i
}

// Build writes a database of the generated tickets at path (which must
// not exist), through the store's Import in batches.
func Build(ctx context.Context, path string, opt Options) error {
	g, err := New(opt)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("ticketgen: %s exists", path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection, so the speed-ups below apply to every statement:
	// this is a scratch file a crash may lose.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `PRAGMA synchronous = OFF; PRAGMA cache_size = -200000`); err != nil {
		return err
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{}, func() time.Time { return g.opt.Now })
	if err != nil {
		return err
	}
	defer st.Close()
	const batch = 5000
	ts := make([]intake.Ticket, 0, batch)
	for i := range g.opt.Tickets {
		ts = append(ts, g.Ticket(i))
		if len(ts) == batch || i == g.opt.Tickets-1 {
			if err := st.Import(ctx, ts); err != nil {
				return err
			}
			ts = ts[:0]
		}
	}
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Cached returns a database of n generated tickets (DefaultNow, seed 1),
// building it the first time under dir ("" for os.TempDir()/huiqi-bench)
// and reusing it after, also across runs. Callers must only read it.
func Cached(ctx context.Context, dir string, n int, logf func(string, ...any)) (string, error) {
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "huiqi-bench")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("tickets-%d-v%d.db", n, Version))
	unlock, err := lock(path + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	tmp := path + ".building"
	for _, sfx := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + sfx)
	}
	start := time.Now()
	if err := Build(ctx, tmp, Options{Tickets: n, Seed: 1}); err != nil {
		return "", fmt.Errorf("ticketgen: build %d tickets: %w", n, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	if logf != nil {
		fi, _ := os.Stat(path)
		logf("generated %d tickets in %v into %s (%d MB)", n, time.Since(start).Round(time.Second), path, fi.Size()>>20)
	}
	return path, nil
}

// BusiestReporter is the conversation key with the most tickets in the
// database at path, and how many.
func BusiestReporter(ctx context.Context, path string) (string, int, error) {
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return "", 0, err
	}
	defer db.Close()
	var key string
	var n int
	err = db.QueryRowContext(ctx, `SELECT reporter_key, COUNT(*) FROM intake_tickets WHERE reporter_key != ''
		GROUP BY reporter_key ORDER BY COUNT(*) DESC, reporter_key LIMIT 1`).Scan(&key, &n)
	return key, n, err
}

// TypicalReporter is a conversation key with k tickets (or the nearest
// count above), what 查进度 usually looks up.
func TypicalReporter(ctx context.Context, path string, k int) (string, int, error) {
	return Reporter(ctx, path, "", k)
}

// Reporter is TypicalReporter among the keys that start with prefix
// ("web:" for the web chat's conversations).
func Reporter(ctx context.Context, path, prefix string, k int) (string, int, error) {
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return "", 0, err
	}
	defer db.Close()
	var key string
	var n int
	err = db.QueryRowContext(ctx, `SELECT reporter_key, c FROM (SELECT reporter_key, COUNT(*) AS c FROM intake_tickets
		WHERE reporter_key != '' AND substr(reporter_key, 1, length(?)) = ? GROUP BY reporter_key)
		WHERE c >= ? ORDER BY c, reporter_key LIMIT 1`, prefix, prefix, k).Scan(&key, &n)
	return key, n, err
}

// Units are the lead units by how many tickets they have on their queues,
// most first.
func Units(ctx context.Context, path string) ([]string, error) {
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT list FROM intake_lists WHERE list NOT LIKE '#%' GROUP BY list ORDER BY COUNT(*) DESC, list`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
