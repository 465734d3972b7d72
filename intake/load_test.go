package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"huiqi/sqlite"
)

// TestFile1000Concurrently files 1,000 tickets from 1,000 goroutines on one
// store (one database, its connection pool): every call succeeds, every id
// is unique, and every ticket reads back afterwards with its own text.
func TestFile1000Concurrently(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	st := mustStore(t, db, newClock().Now)
	const n = 1000
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt := testRoute
			tk, err := st.File(ctx, NewTicket{Text: fmt.Sprintf("并发工单 %04d 招不到技术工人", i), Enterprise: "某某公司",
				Contact: "王经理", ReporterKey: fmt.Sprintf("load:%d", i), Route: &rt})
			ids[i], errs[i] = tk.ID, err
		}()
	}
	wg.Wait()
	seen := make(map[string]int, n)
	for i, err := range errs {
		if err != nil {
			t.Errorf("File #%d: %v", i, err)
			continue
		}
		if j, dup := seen[ids[i]]; dup {
			t.Errorf("id %s given to #%d and #%d", ids[i], j, i)
		}
		seen[ids[i]] = i
	}
	if t.Failed() {
		return
	}
	for id, i := range seen {
		tk, err := st.Get(ctx, id)
		if err != nil {
			t.Errorf("Get(%q) after concurrent filing: %v", id, err)
			continue
		}
		if want := fmt.Sprintf("并发工单 %04d", i); !strings.Contains(tk.Text, want) {
			t.Errorf("Get(%q).Text = %q, want it to contain %q", id, tk.Text, want)
		}
	}
	var stored int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM intake_tickets`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != n {
		t.Errorf("%d tickets stored, want %d", stored, n)
	}
	if db.lite == nil {
		return
	}
	if err := db.lite.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// TestFullDiskKeepsTickets files tickets until the database is full
// (SQLite's max_page_count stands in for a full disk: both fail a write with
// SQLITE_FULL). The failing File returns an error that is sqlite.ErrFull and
// says so; every ticket filed before is intact; integrity_check passes; and
// once there is room again, filing works.
func TestFullDiskKeepsTickets(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	st := mustStore(t, db, newClock().Now)
	// max_page_count belongs to a connection: one connection, so it binds
	// every statement the store runs.
	db.SetMaxOpenConns(1)
	var pages int
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+6)); err != nil {
		t.Fatal(err)
	}
	var filed []Ticket
	var err error
	for i := range 5000 {
		rt := testRoute
		var tk Ticket
		tk, err = st.File(ctx, NewTicket{Text: fmt.Sprintf("满盘测试 %d %s", i, strings.Repeat("用电增容一直没有答复", 20)),
			Enterprise: "某某公司", Contact: "王经理", ReporterKey: "full:1", Route: &rt})
		if err != nil {
			break
		}
		filed = append(filed, tk)
	}
	if !errors.Is(err, sqlite.ErrFull) {
		t.Fatalf("File on a full database: err = %v, want sqlite.ErrFull", err)
	}
	if !strings.Contains(err.Error(), "full") {
		t.Errorf("File on a full database: error %q does not say the database is full", err)
	}
	if len(filed) == 0 {
		t.Fatal("no ticket fitted before the database was full")
	}
	if err := db.lite.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after a full disk: %v", err)
	}
	for _, want := range filed {
		got, err := st.Get(ctx, want.ID)
		if err != nil || got.Text != want.Text {
			t.Errorf("Get(%q) after a full disk = %q, %v; want %q", want.ID, got.Text, err, want.Text)
		}
	}
	var stored int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM intake_tickets`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != len(filed) {
		t.Errorf("%d tickets stored, want the %d acknowledged (a failed filing must leave nothing)", stored, len(filed))
	}
	if _, err := db.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	tk := fileOne(t, st, "磁盘腾出空间后再报")
	if tk.ID == "" || tk.ID == filed[len(filed)-1].ID {
		t.Errorf("ticket after room was made has id %q, want a new one", tk.ID)
	}
}
