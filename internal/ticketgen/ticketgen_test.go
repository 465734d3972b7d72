package ticketgen

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/sqlite"
)

// TestBuild: a small history has the mix the package promises, opens as
// a store whose lists and tally agree with its tickets, and has a busy
// reporter for 查进度.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.db")
	const n = 3000
	if err := Build(ctx, path, Options{Tickets: n, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := intake.OpenStore(ctx, db, intake.Config{}, func() time.Time { return DefaultNow })
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := s.ByStatus[intake.StatusClosed] + s.ByStatus[intake.StatusVisited]
	if s.Total != n || closed*100 < n*94 || closed*100 > n*98 {
		t.Errorf("stats = %+v: %d of %d closed, want about 96%%", s, closed, n)
	}
	if s.Overdue != 0 {
		// Every overdue ticket is escalated, so a sweep has nothing to do.
		esc, err := st.EscalateOverdue(ctx)
		if err != nil || len(esc) != 0 {
			t.Errorf("the sweep escalated %d of the %d overdue: %v", len(esc), s.Overdue, err)
		}
	}
	q, err := st.Queue(ctx, "")
	if err != nil || len(q) != s.Total-s.ByStatus[intake.StatusVisited] {
		t.Errorf("the hotline's queue = %d tickets, %v; want every one not rated (%d)", len(q), err, s.Total-s.ByStatus[intake.StatusVisited])
	}
	key, k, err := TypicalReporter(ctx, path, 3)
	if err != nil || k < 3 {
		t.Fatalf("TypicalReporter = %q, %d, %v", key, k, err)
	}
	if got, err := st.ListByReporter(ctx, key); err != nil || len(got) != k {
		t.Errorf("ListByReporter(%s) = %d, %v; want %d", key, len(got), err, k)
	}
	units, err := Units(ctx, path)
	if err != nil || len(units) < 5 {
		t.Errorf("Units = %q, %v", units, err)
	}
}
