package intake

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

func countTickets(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	if err := st.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM intake_tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFilingTwiceWithOneKeyStoresOneTicket: a refresh, a double click or a
// retried request with the same key files one ticket and answers with it,
// secret included; another key files another; other content under the same
// key is refused.
func TestFilingTwiceWithOneKeyStoresOneTicket(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, mustOpenDB(t), newClock().Now)
	nt := NewTicket{Text: "招工难，想了解稳岗补贴", Enterprise: "某公司", Contact: "13800000000", Location: "义井镇",
		Channel: ChannelHotline, By: "hl（热线坐席）", Route: &testRoute, Key: "console:7:k1"}
	first, err := st.File(ctx, nt)
	if err != nil || first.Replayed || first.Secret == "" {
		t.Fatalf("File = %+v, %v; want a new ticket with its secret", first, err)
	}
	again, err := st.File(ctx, nt)
	if err != nil {
		t.Fatalf("File again = %v", err)
	}
	if !again.Replayed || again.ID != first.ID || again.Secret != first.Secret || again.Location != "义井镇" {
		t.Errorf("File again = %s (replayed %v, secret %q), want %s replayed with secret %q", again.ID, again.Replayed, again.Secret, first.ID, first.Secret)
	}
	if n := countTickets(t, st); n != 1 {
		t.Errorf("%d tickets stored after filing twice with one key, want 1", n)
	}
	if _, err := st.GetForReporter(ctx, again.ID, "", again.Secret); err != nil {
		t.Errorf("the replayed secret does not open the ticket: %v", err)
	}
	other := nt
	other.Text = "另一件事：用电报装太慢"
	if _, err := st.File(ctx, other); !errors.Is(err, ErrKeyReused) || !isInput(err) {
		t.Errorf("same key, other content = %v, want ErrKeyReused (bad input)", err)
	}
	nt.Key = "console:7:k2"
	if tk, err := st.File(ctx, nt); err != nil || tk.ID == first.ID || tk.Replayed {
		t.Errorf("another key = %s, %v; want a second ticket", tk.ID, err)
	}
	nt.Key = ""
	st.File(ctx, nt)
	st.File(ctx, nt)
	if n := countTickets(t, st); n != 4 {
		t.Errorf("%d tickets, want 4 (no key files every time)", n)
	}
	// The table keeps no key and no secret in the clear.
	rows, err := st.db.QueryContext(ctx, `SELECT key_hash || fingerprint || sealed FROM intake_filing_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		if strings.Contains(s, "console:7") || strings.Contains(s, first.Secret) {
			t.Errorf("intake_filing_keys holds the key or the secret in the clear: %s", s)
		}
	}
}

// TestFilingKeyConcurrent: requests racing with one key (two clicks, a
// retry while the first is still running) file one ticket.
func TestFilingKeyConcurrent(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	a, b := mustStore(t, db, newClock().Now), mustStore(t, db, newClock().Now)
	nt := NewTicket{Text: "融资担保费率能不能再降", Route: &testRoute, Key: "api:race"}
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := a
			if i%2 == 1 {
				st = b
			}
			tk, err := st.File(ctx, nt)
			if err != nil {
				t.Errorf("File #%d = %v", i, err)
				return
			}
			ids[i] = tk.ID
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Errorf("racing filings with one key made %v, want one ticket", ids)
			break
		}
	}
	if n := countTickets(t, a); n != 1 {
		t.Errorf("%d tickets stored, want 1", n)
	}
}

func FuzzUnseal(f *testing.F) {
	s, _ := seal("k", "SECRET2345", strings.NewReader(strings.Repeat("x", 64)))
	f.Add("k", s)
	f.Add("k", "zz")
	f.Fuzz(func(t *testing.T, key, sealed string) {
		unseal(key, sealed) // never panics
	})
}
