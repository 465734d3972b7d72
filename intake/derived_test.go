package intake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// checkDerived holds the staff lists and the tallies to the tickets:
// every ticket has exactly the list rows listsOf gives it, with its status
// and deadline; intake_tally counts every ticket once under its unit,
// status and escalation, and intake_due_tally every open one under its
// deadline.
func checkDerived(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	want, got := map[string][]string{}, map[string][]string{}
	rows, err := st.db.QueryContext(ctx, `SELECT id FROM intake_tickets`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	wantTally := map[tallyKey]int{}
	wantDue := map[string]int{}
	for _, id := range ids {
		tk, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range listsOf(&tk) {
			open := "0"
			if tk.Status.Open() {
				open = "1"
			}
			want[id] = append(want[id], l+"|"+open+"|"+tk.Due.String())
		}
		wantTally[tallyKey{tk.LeadUnit, tk.Status, tk.Escalated, Date{}}]++
		if tk.Status.Open() {
			wantDue[tk.Due.String()]++
		}
	}
	rows, err = st.db.QueryContext(ctx, `SELECT ticket_id, list, open, due FROM intake_lists`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, list, due string
		var open bool
		rows.Scan(&id, &list, &open, &due)
		got[id] = append(got[id], fmt.Sprintf("%s|%d|%s", list, map[bool]int{true: 1}[open], due))
	}
	rows.Close()
	for _, id := range ids {
		w, g := want[id], got[id]
		slices.Sort(w)
		slices.Sort(g)
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Errorf("lists of %s = %q, want %q", id, g, w)
		}
	}
	gotTally := map[tallyKey]int{}
	rows, err = st.db.QueryContext(ctx, `SELECT lead_unit, status, escalated, n FROM intake_tally WHERE n != 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k tallyKey
		var n int
		rows.Scan(&k.lead, &k.status, &k.escalated, &n)
		gotTally[k] = n
	}
	rows.Close()
	if len(gotTally) != len(wantTally) {
		t.Errorf("tally = %v, want %v", gotTally, wantTally)
	}
	for k, n := range wantTally {
		if gotTally[k] != n {
			t.Errorf("tally %v = %d, want %d", k, gotTally[k], n)
		}
	}
	gotDue := map[string]int{}
	rows, err = st.db.QueryContext(ctx, `SELECT due, n FROM intake_due_tally WHERE n != 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d string
		var n int
		rows.Scan(&d, &n)
		gotDue[d] = n
	}
	rows.Close()
	if len(gotDue) != len(wantDue) {
		t.Errorf("open tickets by deadline = %v, want %v", gotDue, wantDue)
	}
	for d, n := range wantDue {
		if gotDue[d] != n {
			t.Errorf("open tickets due %s = %d, want %d", d, gotDue[d], n)
		}
	}
}
