package discord

import (
	"testing"

	"huiqi/discord/discordtest"
)

// TestStaffCommandsWithoutStaffRoleConfigured checks that a bot started
// without a staff role gives /queue and /move to nobody, whatever roles the
// member has, in a guild or a DM.
func TestStaffCommandsWithoutStaffRoleConfigured(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	desk := &fakeDesk{}
	startBot(t, fake, Config{}, Deps{Engine: newScripted(), Desk: desk})
	admin := discordtest.Member{UserID: "400000000000000010", Name: "admin", Roles: []string{"500000000000000001", "500000000000000002"}}
	for _, where := range []discordtest.Where{guild, dmWith(admin)} {
		for _, cmd := range []struct {
			name string
			opts map[string]string
		}{
			{"queue", map[string]string{"unit": "区人社局"}},
			{"move", map[string]string{"id": "CQ-20261127-0001", "status": "已办结"}},
		} {
			id, tok := fake.Command(admin, where, cmd.name, cmd.opts)
			r := decode[response](t, fake.Wait(wait, "refusal", callback(id, tok)))
			if r.Data.Content != msgStaffOnly {
				t.Errorf("/%s in %+v with no staff role configured = %+v, want the refusal", cmd.name, where, r.Data)
			}
		}
	}
	if n := desk.count(); n != 0 {
		t.Fatalf("desk called %d times with no staff role configured", n)
	}
}
