package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/internal/pgtest"
	"huiqi/postgres"
	"huiqi/sqlite"
)

// The store's tests run on both databases. Each test opens its database
// with mustOpenDB: a fresh SQLite file, or, when the test runs as a subtest
// of TestPostgres, a fresh schema of the PostgreSQL database that
// HUIQI_TEST_POSTGRES names (scripts/test.sh starts one). TestPostgres runs
// the tests of onBothDatabases; the others use what only SQLite has (its
// migrations' history, its pragmas, its trigger syntax, its processes on
// one file).

// onBothDatabases are the tests TestPostgres runs again on PostgreSQL.
var onBothDatabases = []func(*testing.T){
	// store_test.go
	TestFile, TestFileInvalid, TestFileUnroutedGoesToDesk, TestMoves, TestUnsatisfiedReopens, TestExtend,
	TestReroute, TestEventsAppendOnly, TestGetForReporter, TestOverdueEscalationQueueStats, TestUnanswered,
	TestConcurrentFilingGoroutines, TestDeskAndEscalationFromRules, TestDeadlines,
	// outbox_test.go
	TestNotificationsOfTheWorkflow, TestNotificationsOfEscalationAndReroute, TestClaimLeaseAndRecord,
	TestNotifyOffMutes, TestPullChannelPendingAndAck, TestWarnDueSoonOncePerDeadline, TestClaimsOfTwoProcessesNeverOverlap,
	// pages_test.go
	TestQueuePages, TestReporterPages, TestUnansweredPages, TestDuplicatesFolded, TestImport,
	// public_test.go, filingkey_test.go, load_test.go
	TestPublicViewHidesStaff, TestIDs, TestFilingTwiceWithOneKeyStoresOneTicket, TestFilingKeyConcurrent,
	TestFile1000Concurrently,
	// backend_test.go
	TestSweepsOfTwoProcessesEscalateOnce,
}

// TestPostgres runs the store's tests on PostgreSQL. Without
// HUIQI_TEST_POSTGRES it is skipped, except in CI (CI=true), where it fails:
// CI must run the store on both databases.
func TestPostgres(t *testing.T) {
	needPostgres(t)
	for _, test := range onBothDatabases {
		name := funcName(test)
		t.Run(name, test)
	}
}

func needPostgres(t *testing.T) { t.Helper(); pgtest.Need(t) }

// TestSchemasAgree: the intake tables on PostgreSQL (migrations_pg) have
// the columns the SQLite migrations give them, so one store's SQL runs on
// both; a SQLite step without its PostgreSQL step fails here.
func TestSchemasAgree(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	lite := mustStore(t, mustOpenDB(t), newClock().Now)
	pgdb := mustOpenPG(t)
	pg, err := OpenPostgres(ctx, pgdb.pg, Config{}, newClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	columns := func(q string, db *sql.DB) map[string]string {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var table, cols string
			if err := rows.Scan(&table, &cols); err != nil {
				t.Fatal(err)
			}
			out[table] = cols
		}
		return out
	}
	want := columns(`SELECT m.name, group_concat(p.name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table'
		AND name LIKE 'intake%' ORDER BY name) m, pragma_table_info(m.name) p GROUP BY m.name`, lite.db)
	got := columns(`SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name LIKE 'intake%' GROUP BY table_name`, pg.db)
	sortCols := func(m map[string]string) {
		for k, v := range m {
			c := strings.Split(v, ",")
			slices.Sort(c)
			m[k] = strings.Join(c, ",")
		}
	}
	if len(want) < 10 {
		t.Fatalf("SQLite's intake tables: %v, want the dozen the migrations make", want)
	}
	sortCols(want)
	sortCols(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PostgreSQL intake tables:\n%v\nSQLite's:\n%v", got, want)
	}
}

// onPostgres reports whether tb runs under TestPostgres.
func onPostgres(tb testing.TB) bool { return strings.HasPrefix(tb.Name(), "TestPostgres/") }

// testDB is the database a test's stores open on.
type testDB struct {
	*sql.DB
	lite *sqlite.DB   // on SQLite
	pg   *postgres.DB // on PostgreSQL
	dsn  string       // PostgreSQL: the URL of the test's schema
}

// mustOpenDB opens a fresh database for tb (see TestPostgres).
func mustOpenDB(tb testing.TB) testDB {
	tb.Helper()
	if !onPostgres(tb) {
		db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "huiqi.db"))
		if err != nil {
			tb.Fatalf("sqlite.Open: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return onSQLite(db)
	}
	return mustOpenPG(tb)
}

// mustOpenPG opens a fresh schema of the tests' PostgreSQL database.
func mustOpenPG(tb testing.TB) testDB {
	tb.Helper()
	return openPG(tb, pgtest.Schema(tb, "t_"))
}

func openPG(tb testing.TB, dsn string) testDB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("postgres.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return testDB{DB: db.DB, pg: db, dsn: dsn}
}

func onSQLite(db *sqlite.DB) testDB { return testDB{DB: db.DB, lite: db} }

// again is a second handle on the same database, as another process has.
func (db testDB) again(tb testing.TB) testDB {
	tb.Helper()
	if db.pg != nil {
		return openPG(tb, db.dsn)
	}
	d, err := sqlite.Open(context.Background(), db.lite.Path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return onSQLite(d)
}

// open opens the store on db.
func (db testDB) open(ctx context.Context, cfg Config, now func() time.Time) (*Store, error) {
	if db.pg != nil {
		return OpenPostgres(ctx, db.pg, cfg, now)
	}
	return OpenStore(ctx, db.lite, cfg, now)
}

func mustStore(tb testing.TB, db testDB, now func() time.Time) *Store {
	tb.Helper()
	st, err := db.open(context.Background(), Config{}, now)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return st
}

func mustStoreWith(tb testing.TB, db testDB, cfg Config) *Store {
	tb.Helper()
	st, err := db.open(context.Background(), cfg, func() time.Time { return fixedNow })
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return st
}

// funcName is a test function's name, as go test names it.
func funcName(f func(*testing.T)) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return name[strings.LastIndex(name, ".")+1:]
}

// TestSweepsOfTwoProcessesEscalateOnce: two stores on one database (as two
// servers) run the escalation sweep at the same moment; every overdue
// ticket is escalated once, with one event and one set of notifications.
func TestSweepsOfTwoProcessesEscalateOnce(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	clk := newClock()
	st1 := mustStore(t, db, clk.Now)
	st2 := mustStore(t, db.again(t), clk.Now)
	const tickets = 30
	for i := range tickets {
		rt := testRoute
		if _, err := st1.File(ctx, NewTicket{Text: fmt.Sprintf("逾期问题%d", i), ReporterKey: "discord:1", Route: &rt}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(60 * 24 * time.Hour) // every deadline has passed
	for round := range 3 {
		var wg sync.WaitGroup
		got := make([][]Ticket, 2)
		for i, st := range []*Store{st1, st2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if got[i], err = st.EscalateOverdue(ctx); err != nil {
					t.Errorf("sweep %d of store %d: %v", round, i+1, err)
				}
			}()
		}
		wg.Wait()
		if n := len(got[0]) + len(got[1]); round == 0 && n != tickets || round > 0 && n != 0 {
			t.Errorf("round %d: the two sweeps escalated %d+%d tickets, want %d in all", round, len(got[0]), len(got[1]),
				map[bool]int{true: tickets}[round == 0])
		}
	}
	var events, notes int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM intake_events WHERE kind = 'escalate'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM intake_outbox WHERE kind = 'escalated' AND audience = 'reporter'`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if events != tickets || notes != tickets {
		t.Errorf("%d escalation events and %d notifications to the reporter, want %d of each", events, notes, tickets)
	}
}

// TestPostgresRefusesNewerSchema: intake tables a newer huiqi made on
// PostgreSQL are refused, as on SQLite, and nothing is written.
func TestPostgresRefusesNewerSchema(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	db := mustOpenPG(t)
	mustStore(t, db, newClock().Now)
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, applied_at) VALUES ('intake', 99, 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPostgres(ctx, db.pg, Config{}, newClock().Now); !errors.Is(err, postgres.ErrNewerSchema) {
		t.Fatalf("OpenPostgres on version 99 = %v, want postgres.ErrNewerSchema", err)
	}
}
