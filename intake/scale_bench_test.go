package intake_test

import (
	"context"
	"flag"
	"sync"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/internal/ticketgen"
	"huiqi/sqlite"
)

// The staff queries at 10,000, 100,000 and 1,000,000 tickets of generated
// history (internal/ticketgen: three years, about 96 % closed). Each size
// is generated once, into os.TempDir()/huiqi-bench, and reused by every
// benchmark and later runs; the 1M file takes some minutes the first time.
// Only -bench runs them:
//
//	go test -run XXX -bench 'Scale' -benchtime 200x ./intake/
//	go test -run XXX -bench 'Scale/.*/1M' ./intake/   # one size
var benchMax = flag.Int("bench.tickets", 1_000_000, "largest generated history the scale benchmarks use")

var sizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// scaleStore is the store over the generated history of n tickets, opened
// once per size and process.
type scaleStore struct {
	st       *intake.Store
	db       *sqlite.DB
	path     string
	units    []string // lead units, busiest first
	reporter string   // a conversation key with three tickets
	rid      string   // one of its tickets
}

var (
	scaleMu     sync.Mutex
	scaleStores = map[int]*scaleStore{}
)

func openScale(b *testing.B, n int) *scaleStore {
	b.Helper()
	if n > *benchMax {
		b.Skipf("%d tickets is above -bench.tickets %d", n, *benchMax)
	}
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if s := scaleStores[n]; s != nil {
		return s
	}
	ctx := context.Background()
	path, err := ticketgen.Cached(ctx, "", n, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{}, func() time.Time { return ticketgen.DefaultNow })
	if err != nil {
		b.Fatal(err)
	}
	s := &scaleStore{st: st, db: db, path: path}
	if s.units, err = ticketgen.Units(ctx, path); err != nil {
		b.Fatal(err)
	}
	if s.reporter, _, err = ticketgen.TypicalReporter(ctx, path, 3); err != nil {
		b.Fatal(err)
	}
	ts, err := st.ListByReporter(ctx, s.reporter)
	if err != nil || len(ts) == 0 {
		b.Fatalf("the reporter's tickets: %d, %v", len(ts), err)
	}
	s.rid = ts[0].ID
	scaleStores[n] = s
	return s
}

// eachSize runs f as a sub-benchmark per size.
func eachSize(b *testing.B, f func(b *testing.B, s *scaleStore)) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) { f(b, openScale(b, sz.n)) })
	}
}

// BenchmarkScaleQueuePage: the first page (50) of a queue: the busiest
// unit's, the hotline's (every ticket not yet rated) and the desk's.
func BenchmarkScaleQueuePage(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		for _, q := range []struct{ name, unit string }{{"unit", s.units[0]}, {"hotline", ""}, {"desk", "区中小企业发展中心"}} {
			b.Run(q.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := s.st.QueuePage(ctx, q.unit, intake.Page{Limit: 50})
					if err != nil || len(p.Tickets) == 0 {
						b.Fatalf("QueuePage(%q) = %d tickets, %v", q.unit, len(p.Tickets), err)
					}
				}
			})
		}
	})
}

// BenchmarkScaleQueueDeepPage: the 20th page of the hotline's queue, from
// the cursor of the 19th (a keyset page costs the same anywhere).
func BenchmarkScaleQueueDeepPage(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		p := intake.Page{Limit: 50}
		for range 19 {
			pg, err := s.st.QueuePage(ctx, "", p)
			if err != nil || pg.Next == "" {
				b.Skipf("fewer than 20 pages: %v", err)
			}
			p.After = pg.Next
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.st.QueuePage(ctx, "", p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScaleQueueWhole: the busiest unit's whole queue (Queue, every
// page), what the console and the staff API still ask for.
func BenchmarkScaleQueueWhole(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		var n int
		for b.Loop() {
			q, err := s.st.Queue(ctx, s.units[0])
			if err != nil {
				b.Fatal(err)
			}
			n = len(q)
		}
		b.ReportMetric(float64(n), "tickets")
	})
}

// BenchmarkScaleStats: the dashboard's counts.
func BenchmarkScaleStats(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		b.ReportAllocs()
		for b.Loop() {
			st, err := s.st.Stats(ctx)
			if err != nil || st.Total == 0 {
				b.Fatalf("Stats = %+v, %v", st, err)
			}
		}
	})
}

// BenchmarkScaleReporter: 查进度 without an id (the reporter's tickets,
// newest first) and with one (GetForReporter), for a conversation with
// three tickets.
func BenchmarkScaleReporter(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		b.Run("list", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.st.ReporterPage(ctx, s.reporter, intake.Page{Limit: 10})
				if err != nil || len(p.Tickets) == 0 {
					b.Fatalf("ReporterPage = %d, %v", len(p.Tickets), err)
				}
			}
		})
		b.Run("one", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.st.GetForReporter(ctx, s.rid, s.reporter, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkScaleSweep: the escalation sweep when everything overdue is
// escalated already (what it finds nearly every 10 minutes).
func BenchmarkScaleSweep(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		for b.Loop() {
			esc, err := s.st.EscalateOverdue(ctx)
			if err != nil || len(esc) != 0 {
				b.Fatalf("EscalateOverdue = %d, %v", len(esc), err)
			}
		}
	})
}

// BenchmarkScaleWarnDueSoon: the warning of deadlines about to pass, when
// every ticket due within the day was warned of already (no unit targets
// here, so it writes nothing).
func BenchmarkScaleWarnDueSoon(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		for b.Loop() {
			if _, err := s.st.WarnDueSoon(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScaleQuickCheck: the integrity check serve and discord run at
// start (it reads the whole file).
func BenchmarkScaleQuickCheck(b *testing.B) {
	ctx := context.Background()
	eachSize(b, func(b *testing.B, s *scaleStore) {
		for b.Loop() {
			if err := s.db.QuickCheck(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
