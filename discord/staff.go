package discord

import "github.com/bwmarrin/discordgo"

// member is a Discord member acting as platform staff.
type member struct{ role, unit string }

// staffOf is the staff role the member holds, if any: only in a guild.
func (b *Bot) staffOf(i *discordgo.Interaction) (member, bool) {
	if b.cfg.StaffRole == "" || i.Member == nil {
		return member{}, false
	}
	for _, r := range i.Member.Roles {
		if r == b.cfg.StaffRole {
			return member{role: "hotline"}, true
		}
	}
	return member{}, false
}
