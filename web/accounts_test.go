package web

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/sqlite"

	"golang.org/x/crypto/bcrypt"
)

var update = flag.Bool("update", false, "rewrite golden files")

func openTestAccounts(t *testing.T) (*Accounts, *time.Time) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := fixedNow
	acc, err := OpenAccounts(context.Background(), db, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	acc.Cost = bcrypt.MinCost
	return acc, &now
}

func TestAccountsAdd(t *testing.T) {
	acc, _ := openTestAccounts(t)
	tests := []struct {
		name, role, unit, password string
		wantErr                    bool
	}{
		{"hl", RoleHotline, "", "longenough", false},
		{"rs", RoleUnit, "区人社局", "longenough", false},
		{"ad", RoleAdmin, "", "longenough", false},
		{"hl", RoleHotline, "", "longenough", true},    // duplicate
		{"", RoleHotline, "", "longenough", true},      // no name
		{"x", "boss", "", "longenough", true},          // unknown role
		{"y", RoleUnit, "", "longenough", true},        // unit role without unit
		{"z", RoleHotline, "区人社局", "longenough", true}, // unit on another role
		{"w", RoleHotline, "", "short", true},          // short password
		{"v", RoleHotline, "", string(make([]byte, 73)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.role, func(t *testing.T) {
			_, err := acc.Add(context.Background(), tt.name, tt.role, tt.unit, tt.password)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Add(%q, %q, %q) = %v, wantErr %v", tt.name, tt.role, tt.unit, err, tt.wantErr)
			}
			var ii invalidInput
			if err != nil && !errors.As(err, &ii) {
				t.Errorf("Add(%q) error %v does not implement InvalidInput", tt.name, err)
			}
		})
	}
	us, err := acc.List(context.Background())
	if err != nil || len(us) != 3 || us[0].Name != "ad" || us[2].Unit != "区人社局" {
		t.Errorf("List() = %+v, %v, want ad, hl, rs", us, err)
	}
}

func TestAccountsSessions(t *testing.T) {
	ctx := context.Background()
	acc, now := openTestAccounts(t)
	if _, err := acc.Add(ctx, "hl", RoleHotline, "", "longenough"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(ctx, "hl", "wrong one"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("Authenticate(wrong) = %v, want ErrBadLogin", err)
	}
	if _, err := acc.Authenticate(ctx, "nobody", "longenough"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("Authenticate(unknown) = %v, want ErrBadLogin", err)
	}
	u, err := acc.Authenticate(ctx, " hl ", "longenough")
	if err != nil || u.Role != RoleHotline {
		t.Fatalf("Authenticate(hl) = %+v, %v", u, err)
	}
	tok, s, err := acc.NewSession(ctx, u)
	if err != nil || len(tok) < 40 || len(s.CSRF) < 30 {
		t.Fatalf("NewSession = %q, %+v, %v", tok, s, err)
	}
	tok2, s2, _ := acc.NewSession(ctx, u)
	if tok2 == tok || s2.CSRF == s.CSRF {
		t.Error("two sessions share a token")
	}
	got, err := acc.Session(ctx, tok)
	if err != nil || got.User.Name != "hl" || got.CSRF != s.CSRF {
		t.Errorf("Session(tok) = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "x", tok + "x", string(make([]byte, 200))} {
		if _, err := acc.Session(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("Session(%q) = %v, want ErrNoSession", bad, err)
		}
	}
	*now = now.Add(12 * time.Hour)
	if _, err := acc.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("Session after 12h = %v, want ErrNoSession", err)
	}
	if err := acc.EndSession(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	tok3, _, _ := acc.NewSession(ctx, u)
	if err := acc.Remove(ctx, "hl"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Session(ctx, tok3); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a removed user = %v, want ErrNoSession", err)
	}
	if err := acc.Remove(ctx, "hl"); err == nil {
		t.Error("removing a missing user succeeded")
	}
}

// TestChartGolden pins the dashboard chart's SVG (go test -update rewrites it).
func TestChartGolden(t *testing.T) {
	te := newTestEnv(t, nil)
	st := Stats{ByUnit: map[string]map[string]int{
		"区人社局": {"已派单": 3, "办理中": 2, "已办结": 1},
		"区工信局": {"已受理": 1, "退单": 1},
		"区财政局": {"待定": 2},
	}, Answered: 40, Unanswered: 7}
	var buf = new(bytesBuffer)
	if err := te.srv.pages["dashboard.html"].ExecuteTemplate(buf, "chart", ticketChart(st)); err != nil {
		t.Fatal(err)
	}
	if err := te.srv.pages["dashboard.html"].ExecuteTemplate(buf, "chart", askChart(st)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "chart.golden.svg")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("chart SVG differs from %s (run go test -update to accept):\n%s", golden, buf)
	}
}

// TestRoleIDsAreRolesJSON: the web's role ids are intake/roles.json's, and
// every role's home is a console page.
func TestRoleIDsAreRolesJSON(t *testing.T) {
	rs, err := intake.BuiltinRoles()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{RoleHotline, RoleUnit, RoleAdmin} {
		if _, ok := rs.Get(id); !ok {
			t.Errorf("role %q is not in roles.json", id)
		}
	}
	for _, r := range rs.All() {
		if _, ok := homePages[r.Home]; !ok {
			t.Errorf("role %s: home %q is no console page", r.ID, r.Home)
		}
	}
}
