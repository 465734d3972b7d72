package web

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
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
	// Idle: used within 30 minutes it lives on, unused for 30 it ends.
	for range 3 {
		*now = now.Add(29 * time.Minute)
		if _, err := acc.Session(ctx, tok); err != nil {
			t.Fatalf("Session used after 29 min = %v, want it alive", err)
		}
	}
	if _, err := acc.Session(ctx, tok2); !errors.Is(err, ErrNoSession) {
		t.Errorf("Session unused for 87 min = %v, want ErrNoSession (idle)", err)
	}
	tok2, _, _ = acc.NewSession(ctx, u)
	for now.Before(fixedNow.Add(12 * time.Hour)) {
		*now = now.Add(25 * time.Minute)
		acc.Session(ctx, tok)
	}
	if _, err := acc.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("Session after 12h, in use all along = %v, want ErrNoSession", err)
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

// TestPasswordChangeEndsSessions: a new password ends every session of the
// account; the old password no longer signs in; a wrong current password
// or a bad new one changes nothing.
func TestPasswordChangeEndsSessions(t *testing.T) {
	ctx := context.Background()
	acc, _ := openTestAccounts(t)
	u, err := acc.Add(ctx, "hl", RoleHotline, "", "longenough")
	if err != nil {
		t.Fatal(err)
	}
	other, err := acc.Add(ctx, "ad", RoleAdmin, "", "longenough")
	if err != nil {
		t.Fatal(err)
	}
	tok1, _, _ := acc.NewSession(ctx, u)
	tok2, _, _ := acc.NewSession(ctx, u)
	keep, _, _ := acc.NewSession(ctx, other)
	if err := acc.ChangePassword(ctx, u, "wrong", "a new password"); !errors.Is(err, ErrBadLogin) {
		t.Errorf("ChangePassword with a wrong current one = %v, want ErrBadLogin", err)
	}
	var ii invalidInput
	if err := acc.ChangePassword(ctx, u, "longenough", "short"); !errors.As(err, &ii) || !strings.Contains(err.Error(), "至少 8 个字节") || !strings.Contains(err.Error(), "at least 8 bytes") {
		t.Errorf("ChangePassword to a short one = %v, want bad input in Chinese and English", err)
	}
	if _, err := acc.Session(ctx, tok1); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}
	if err := acc.ChangePassword(ctx, u, "longenough", "a new password"); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tok1, tok2} {
		if _, err := acc.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
			t.Errorf("a session from before the change = %v, want ErrNoSession", err)
		}
	}
	if _, err := acc.Session(ctx, keep); err != nil {
		t.Errorf("another account's session ended: %v", err)
	}
	if _, err := acc.Authenticate(ctx, "hl", "longenough"); !errors.Is(err, ErrBadLogin) {
		t.Error("the old password still signs in")
	}
	if _, err := acc.Authenticate(ctx, "hl", "a new password"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	if err := acc.SetPassword(ctx, "nobody", "a new password"); !errors.As(err, &ii) {
		t.Errorf("SetPassword of a missing user = %v, want bad input", err)
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
