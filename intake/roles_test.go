package intake

import (
	"slices"
	"strings"
	"testing"
)

func builtinRoles(t *testing.T) *Roles {
	t.Helper()
	rs, err := BuiltinRoles()
	if err != nil {
		t.Fatalf("BuiltinRoles() = %v", err)
	}
	return rs
}

func moveNames(trs []Transition) string {
	var out []string
	for _, tr := range trs {
		out = append(out, string(tr.To))
	}
	return strings.Join(out, ",")
}

// TestRolesMoves is issue 16 item 11 as a table: who may make which move
// of roles.json on whose ticket.
func TestRolesMoves(t *testing.T) {
	rs := builtinRoles(t)
	hotline := Staff{Role: "hotline"}
	rsj := Staff{Role: "unit", Unit: "区人社局"}
	gxj := Staff{Role: "unit", Unit: "区工信局"}
	admin := Staff{Role: "admin"}
	ticket := func(st Status, lead string, co ...string) Ticket {
		return Ticket{Summary: Summary{ID: "CQ-20261201-0001", Status: st, LeadUnit: lead, CoUnits: co}}
	}
	cases := []struct {
		name  string
		who   Staff
		t     Ticket
		moves string // the moves allowed, in the workflow's order
		sees  bool
	}{
		{"hotline dispatches", hotline, ticket(StatusReceived, "区人社局"), "已派单", true},
		{"hotline may not sign another unit's ticket", hotline, ticket(StatusDispatched, "区人社局"), "", true},
		{"hotline may not take it to 办理中", hotline, ticket(StatusSigned, "区人社局"), "", true},
		{"hotline may not close it with a reply", hotline, ticket(StatusHandling, "区人社局"), "", true},
		{"hotline makes the return visit", hotline, ticket(StatusClosed, "区人社局"), "已回访", true},
		{"hotline re-dispatches a returned ticket", hotline, ticket(StatusReturned, "区人社局"), "已派单", true},
		{"unit signs or returns its own", rsj, ticket(StatusDispatched, "区人社局"), "已签收,退单", true},
		{"unit works on its own", rsj, ticket(StatusSigned, "区人社局"), "办理中,延期", true},
		{"unit closes its own", rsj, ticket(StatusHandling, "区人社局"), "已办结,延期", true},
		{"unit does not dispatch", rsj, ticket(StatusReceived, "区人社局"), "", true},
		{"unit does not make the return visit", rsj, ticket(StatusClosed, "区人社局"), "", true},
		{"co-handling unit sees but does not move", gxj, ticket(StatusHandling, "区人社局", "区工信局"), "", true},
		{"other unit sees nothing", gxj, ticket(StatusHandling, "区人社局"), "", false},
		{"admin acts for the desk", admin, ticket(StatusReceived, "区人社局"), "已派单", true},
		{"admin acts for the unit", admin, ticket(StatusHandling, "区人社局"), "已办结,延期", true},
		{"unknown role sees nothing", Staff{Role: "guest"}, ticket(StatusReceived, "区人社局"), "", false},
		{"unit role without a unit sees nothing", Staff{Role: "unit"}, ticket(StatusDispatched, ""), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := moveNames(rs.Moves(c.who, c.t)); got != c.moves {
				t.Errorf("Moves(%v, %s) = %q, want %q", c.who, c.t.Status, got, c.moves)
			}
			if got := rs.Sees(c.who, c.t); got != c.sees {
				t.Errorf("Sees(%v) = %v, want %v", c.who, got, c.sees)
			}
			for _, tr := range c.t.Status.Next() {
				want := slices.Contains(strings.Split(c.moves, ","), string(tr.To))
				if got := rs.MayMove(c.who, c.t, tr.To); got != want {
					t.Errorf("MayMove(%v, %s → %s) = %v, want %v", c.who, c.t.Status, tr.To, got, want)
				}
			}
		})
	}
}

func TestRolesAbilities(t *testing.T) {
	rs := builtinRoles(t)
	cases := []struct {
		role string
		may  []Ability
		home string
		unit bool
	}{
		{"hotline", []Ability{AbilityFile, AbilityReroute, AbilityReview, AbilityDashboard}, "lookup", false},
		{"unit", []Ability{AbilityDashboard}, "queue", true},
		{"admin", []Ability{AbilityFile, AbilityReroute, AbilityReview, AbilityDashboard, AbilityNotices}, "dashboard", false},
		{"guest", nil, "", false},
	}
	for _, c := range cases {
		s := Staff{Role: c.role, Unit: "区人社局"}
		for _, a := range abilities {
			if got, want := rs.May(s, a), slices.Contains(c.may, a); got != want {
				t.Errorf("May(%s, %s) = %v, want %v", c.role, a, got, want)
			}
		}
		r, _ := rs.Get(c.role)
		if r.Home != c.home || r.NeedsUnit() != c.unit {
			t.Errorf("role %s: home %q, needs unit %v; want %q, %v", c.role, r.Home, r.NeedsUnit(), c.home, c.unit)
		}
	}
	signed := Ticket{Summary: Summary{Status: StatusSigned, LeadUnit: "区人社局"}}
	fresh := Ticket{Summary: Summary{Status: StatusReceived, LeadUnit: "区人社局"}}
	for _, c := range []struct {
		who  Staff
		t    Ticket
		want bool
	}{
		{Staff{Role: "hotline"}, fresh, true},
		{Staff{Role: "hotline"}, signed, false},
		{Staff{Role: "unit", Unit: "区人社局"}, fresh, false},
		{Staff{Role: "admin"}, fresh, true},
	} {
		if got := rs.MayReroute(c.who, c.t); got != c.want {
			t.Errorf("MayReroute(%v, %s) = %v, want %v", c.who, c.t.Status, got, c.want)
		}
	}
	if !rs.SeesUnit(Staff{Role: "unit", Unit: "区人社局"}, "区人社局") || rs.SeesUnit(Staff{Role: "unit", Unit: "区人社局"}, "区工信局") ||
		!rs.SeesUnit(Staff{Role: "hotline"}, "区工信局") {
		t.Error("SeesUnit: unit staff see only their own unit's queue, hotline every unit's")
	}
	if got := rs.IDs("|"); got != "hotline|unit|admin" {
		t.Errorf("IDs = %q", got)
	}
	if got := rs.Label("unit"); got != "单位人员" {
		t.Errorf("Label(unit) = %q", got)
	}
}

func TestParseRolesRefuses(t *testing.T) {
	ok := `{"id":"x","label":"X","home":"lookup","sees":"all","moves":[{"as":"平台坐席","on":"all"}],"may":["file"]}`
	cases := []struct {
		name, json, want string
	}{
		{"no roles", `{"roles":[]}`, "no roles"},
		{"unknown field", `{"roles":[{"id":"x","colour":"red"}]}`, "unknown field"},
		{"duplicate", `{"roles":[` + ok + `,` + ok + `]}`, "twice"},
		{"bad scope", `{"roles":[{"id":"x","label":"X","home":"h","sees":"some"}]}`, "sees must be"},
		{"system actor", `{"roles":[{"id":"x","label":"X","home":"h","sees":"all","moves":[{"as":"系统","on":"all"}]}]}`, "makes no move"},
		{"bad on", `{"roles":[{"id":"x","label":"X","home":"h","sees":"all","moves":[{"as":"承办单位","on":"co"}]}]}`, "on must be"},
		{"bad ability", `{"roles":[{"id":"x","label":"X","home":"h","sees":"all","may":["delete"]}]}`, "unknown ability"},
		{"no label", `{"roles":[{"id":"x","home":"h","sees":"all"}]}`, "no label"},
		{"no home", `{"roles":[{"id":"x","label":"X","sees":"all"}]}`, "no home"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRoles([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseRoles(%s) = %v, want an error with %q", c.json, err, c.want)
			}
		})
	}
	if _, err := ParseRoles([]byte(`{"roles":[` + ok + `]}`)); err != nil {
		t.Errorf("ParseRoles(a good role) = %v", err)
	}
}

func FuzzParseRoles(f *testing.F) {
	f.Add(rolesJSON)
	f.Add([]byte(`{"roles":[{"id":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRoles(b)
		if err != nil {
			return
		}
		for _, r := range rs.All() {
			rs.Moves(Staff{Role: r.ID, Unit: "u"}, Ticket{Summary: Summary{Status: StatusHandling, LeadUnit: "u"}})
		}
	})
}
