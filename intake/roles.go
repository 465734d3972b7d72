package intake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

//go:embed roles.json
var rolesJSON []byte

// Ability is something a role may do besides the workflow's moves.
type Ability string

// The abilities roles.json may grant.
const (
	AbilityFile      Ability = "file"      // file a ticket for a caller
	AbilityReroute   Ability = "reroute"   // send a ticket not yet signed to other units
	AbilityReview    Ability = "review"    // review the unanswered questions
	AbilityDashboard Ability = "dashboard" // see the district's figures
	AbilityNotices   Ability = "notices"   // ingest, publish and withdraw policy notices
)

var abilities = []Ability{AbilityFile, AbilityReroute, AbilityReview, AbilityDashboard, AbilityNotices}

// Which tickets a role sees, and which it makes a move on.
const (
	ScopeAll  = "all"  // every unit's tickets
	ScopeUnit = "unit" // sees: the tickets the staff's unit leads or co-handles
	ScopeLead = "lead" // moves: only the tickets the staff's unit leads
)

// Role is one row of roles.json: what the staff holding it may do.
type Role struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Home is where the role's work starts (lookup, queue, dashboard): the
	// channels map it to their own page or command.
	Home  string     `json:"home"`
	Sees  string     `json:"sees"`
	Moves []RoleMove `json:"moves"`
	May   []Ability  `json:"may"`
}

// RoleMove lets a role make the moves of one actor of the workflow table,
// on all the tickets it sees or only on those its unit leads.
type RoleMove struct {
	As Actor  `json:"as"`
	On string `json:"on"`
}

// NeedsUnit reports whether accounts of the role must name a unit: it sees
// or acts only for its own.
func (r Role) NeedsUnit() bool {
	if r.Sees == ScopeUnit {
		return true
	}
	for _, m := range r.Moves {
		if m.On == ScopeLead {
			return true
		}
	}
	return false
}

// Staff is a signed-in person as the roles see them: a role id and, for the
// roles that need one, a unit.
type Staff struct {
	Role string
	Unit string
}

// Roles is the table of roles.json.
type Roles struct {
	list []Role
}

// BuiltinRoles is the embedded roles.json.
func BuiltinRoles() (*Roles, error) { return ParseRoles(rolesJSON) }

// ParseRoles reads roles in the format of roles.json and checks that every
// scope, actor and ability is one this package knows.
func ParseRoles(data []byte) (*Roles, error) {
	var doc struct {
		Doc   string `json:"_doc"`
		Roles []Role `json:"roles"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("intake: roles: %w", err)
	}
	if len(doc.Roles) == 0 {
		return nil, errors.New("intake: roles: no roles")
	}
	actors := []Actor{}
	for _, t := range Transitions() {
		if t.By != ActorSystem && !slices.Contains(actors, t.By) {
			actors = append(actors, t.By)
		}
	}
	seen := map[string]bool{}
	for _, r := range doc.Roles {
		switch {
		case strings.TrimSpace(r.ID) == "" || r.ID != strings.TrimSpace(r.ID):
			return nil, fmt.Errorf("intake: roles: a role without an id (or with spaces around it): %q", r.ID)
		case seen[r.ID]:
			return nil, fmt.Errorf("intake: roles: role %q twice", r.ID)
		case r.Label == "":
			return nil, fmt.Errorf("intake: roles: role %q has no label", r.ID)
		case r.Home == "":
			return nil, fmt.Errorf("intake: roles: role %q has no home", r.ID)
		case r.Sees != ScopeAll && r.Sees != ScopeUnit:
			return nil, fmt.Errorf("intake: roles: role %q: sees must be %q or %q, got %q", r.ID, ScopeAll, ScopeUnit, r.Sees)
		}
		seen[r.ID] = true
		for _, m := range r.Moves {
			if !slices.Contains(actors, m.As) {
				return nil, fmt.Errorf("intake: roles: role %q moves as %q, which makes no move of the workflow", r.ID, m.As)
			}
			if m.On != ScopeAll && m.On != ScopeLead {
				return nil, fmt.Errorf("intake: roles: role %q: on must be %q or %q, got %q", r.ID, ScopeAll, ScopeLead, m.On)
			}
		}
		for _, a := range r.May {
			if !slices.Contains(abilities, a) {
				return nil, fmt.Errorf("intake: roles: role %q: unknown ability %q", r.ID, a)
			}
		}
	}
	return &Roles{list: doc.Roles}, nil
}

// All lists the roles in the file's order.
func (rs *Roles) All() []Role { return slices.Clone(rs.list) }

// Get returns the role with id.
func (rs *Roles) Get(id string) (Role, bool) {
	for _, r := range rs.list {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// IDs lists the role ids, joined by sep (for usage lines and messages).
func (rs *Roles) IDs(sep string) string {
	ids := make([]string, 0, len(rs.list))
	for _, r := range rs.list {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, sep)
}

// Label is the Chinese name of role id (the id itself when unknown).
func (rs *Roles) Label(id string) string {
	if r, ok := rs.Get(id); ok {
		return r.Label
	}
	return id
}

// May reports whether s's role grants a.
func (rs *Roles) May(s Staff, a Ability) bool {
	r, ok := rs.Get(s.Role)
	return ok && slices.Contains(r.May, a)
}

// SeesUnit reports whether s may see the queue of unit.
func (rs *Roles) SeesUnit(s Staff, unit string) bool {
	r, ok := rs.Get(s.Role)
	if !ok {
		return false
	}
	return r.Sees == ScopeAll || s.Unit != "" && unit == s.Unit
}

// WholeDistrict reports whether s sees every unit's tickets.
func (rs *Roles) WholeDistrict(s Staff) bool {
	r, ok := rs.Get(s.Role)
	return ok && r.Sees == ScopeAll
}

// Sees reports whether s may see t.
func (rs *Roles) Sees(s Staff, t Ticket) bool {
	r, ok := rs.Get(s.Role)
	if !ok {
		return false
	}
	if r.Sees == ScopeAll {
		return true
	}
	return s.Unit != "" && (t.LeadUnit == s.Unit || slices.Contains(t.CoUnits, s.Unit))
}

// Moves lists the moves of t.Status.Next() that s may make on t, in the
// workflow's order: those of an actor the role moves as, on a ticket in its
// scope.
func (rs *Roles) Moves(s Staff, t Ticket) []Transition {
	r, ok := rs.Get(s.Role)
	if !ok || !rs.Sees(s, t) {
		return nil
	}
	var out []Transition
	for _, tr := range t.Status.Next() {
		for _, m := range r.Moves {
			if m.As == tr.By && (m.On == ScopeAll || s.Unit != "" && t.LeadUnit == s.Unit) {
				out = append(out, tr)
				break
			}
		}
	}
	return out
}

// MayMove reports whether s may move t to to.
func (rs *Roles) MayMove(s Staff, t Ticket, to Status) bool {
	return slices.ContainsFunc(rs.Moves(s, t), func(tr Transition) bool { return tr.To == to })
}

// MayReroute reports whether s may send t to other units now: the role
// grants it, s sees t and no unit has signed it yet.
func (rs *Roles) MayReroute(s Staff, t Ticket) bool {
	return rs.May(s, AbilityReroute) && rs.Sees(s, t) && t.Status.CanReroute()
}
