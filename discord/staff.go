package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bwmarrin/discordgo"

	"huiqi/intake"
	"huiqi/internal/lazyre"
)

// Staff on Discord are members holding a server role that a deployment's
// configuration file maps to one of intake's roles (roles.json: hotline,
// unit, admin) and, for the roles that need one, a unit. What they may see
// and move is intake's Roles' answer, as in the web console: unit staff
// /queue and /move only their own unit's tickets, the hotline makes only
// the desk's moves.

// StaffRole maps a Discord server role to a platform role.
type StaffRole struct {
	DiscordRole string `json:"discord_role"` // the role's id (a snowflake)
	Role        string `json:"role"`         // an id of intake's roles.json
	Unit        string `json:"unit,omitempty"`
}

// FileConfig is the Discord deployment's data file (huiqi discord --config):
// who is staff, and where each unit's staff are told of new tickets and
// deadlines about to pass.
type FileConfig struct {
	Doc   string      `json:"_doc,omitempty"`
	Staff []StaffRole `json:"staff"`
	// Units maps a unit to its targets: "channel:ID" (a server channel) or
	// "user:ID" (a DM).
	Units map[string][]string `json:"units"`
}

var (
	snowflake  = lazyre.New(`^\d{15,21}$`)
	unitTarget = lazyre.New(`^(channel|user):\d{15,21}$`)
)

// LoadConfig reads a FileConfig and checks it against the roles: every
// role known, a unit wherever the role needs one, targets well formed.
func LoadConfig(r io.Reader, roles *intake.Roles) (FileConfig, error) {
	var c FileConfig
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return c, fmt.Errorf("discord config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("discord config: %w", err)
	}
	for i, s := range c.Staff {
		role, ok := roles.Get(s.Role)
		switch {
		case !snowflake.MatchString(s.DiscordRole):
			return c, fmt.Errorf("discord config: staff[%d]: discord_role %q is not a role id", i, s.DiscordRole)
		case !ok:
			return c, fmt.Errorf("discord config: staff[%d]: role %q is not one of %s", i, s.Role, roles.IDs(", "))
		case role.NeedsUnit() && strings.TrimSpace(s.Unit) == "":
			return c, fmt.Errorf("discord config: staff[%d]: role %s needs a unit", i, s.Role)
		}
	}
	for unit, targets := range c.Units {
		if strings.TrimSpace(unit) == "" {
			return c, fmt.Errorf("discord config: units: an empty unit name")
		}
		for _, t := range targets {
			if !unitTarget.MatchString(t) {
				return c, fmt.Errorf("discord config: units[%s]: %q is not channel:ID or user:ID", unit, t)
			}
		}
	}
	return c, nil
}

// staffOf is the platform staff the member is, by the first of the
// configured roles it holds (the legacy --staff-role counts as the
// hotline); only in a guild.
func (b *Bot) staffOf(i *discordgo.Interaction) (intake.Staff, bool) {
	if i.Member == nil || b.roles == nil {
		return intake.Staff{}, false
	}
	held := map[string]bool{}
	for _, r := range i.Member.Roles {
		held[r] = true
	}
	for _, s := range b.cfg.Staff {
		if held[s.DiscordRole] {
			return intake.Staff{Role: s.Role, Unit: s.Unit}, true
		}
	}
	if b.cfg.StaffRole != "" && held[b.cfg.StaffRole] {
		return intake.Staff{Role: legacyStaffRole}, true
	}
	return intake.Staff{}, false
}

// legacyStaffRole is what a holder of --staff-role may do: the desk's work.
const legacyStaffRole = "hotline"
