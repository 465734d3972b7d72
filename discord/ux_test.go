package discord

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"huiqi/discord/discordtest"
	"huiqi/intake"
)

var han = regexp.MustCompile(`\p{Han}`)

// TestCommandsSpeakChinese: every command, option and choice has a
// Chinese default and zh-CN and zh-TW names and descriptions; the zh-TW
// ones are traditional script; staff commands carry
// default_member_permissions; /move's status offers the workflow's moves.
func TestCommandsSpeakChinese(t *testing.T) {
	fake := discordtest.New(t)
	startBot(t, fake, Config{GuildID: guild.Guild}, Deps{Engine: newScripted()})
	reg := fake.Wait(wait, "registration", discordtest.Is("PUT", "/applications/"+fake.AppID+"/guilds/"+guild.Guild+"/commands"))
	type loc = map[string]string
	type choice struct {
		Name  string `json:"name"`
		Loc   loc    `json:"name_localizations"`
		Value string `json:"value"`
	}
	type option struct {
		Name         string   `json:"name"`
		Loc          loc      `json:"name_localizations"`
		Desc         string   `json:"description"`
		DescLoc      loc      `json:"description_localizations"`
		Autocomplete bool     `json:"autocomplete"`
		Choices      []choice `json:"choices"`
	}
	var cmds []struct {
		Name    string   `json:"name"`
		Loc     loc      `json:"name_localizations"`
		Desc    string   `json:"description"`
		DescLoc loc      `json:"description_localizations"`
		Perm    *string  `json:"default_member_permissions"`
		Options []option `json:"options"`
	}
	if err := json.Unmarshal(reg.Body, &cmds); err != nil {
		t.Fatal(err)
	}
	check := func(what, def string, names, descs loc) {
		t.Helper()
		if !han.MatchString(def) {
			t.Errorf("%s: default %q is not Chinese", what, def)
		}
		for _, l := range []loc{names, descs} {
			if l == nil {
				continue
			}
			if !han.MatchString(l["zh-CN"]) || !han.MatchString(l["zh-TW"]) {
				t.Errorf("%s: localizations %v, want zh-CN and zh-TW", what, l)
			}
		}
	}
	autocomplete := map[string]bool{}
	var statuses []string
	for _, c := range cmds {
		check("/"+c.Name, c.Desc, c.Loc, c.DescLoc)
		if c.Loc == nil || c.DescLoc == nil {
			t.Errorf("/%s lacks localizations", c.Name)
		}
		staff := c.Name == "queue" || c.Name == "move"
		if staff != (c.Perm != nil) {
			t.Errorf("/%s default_member_permissions = %v", c.Name, c.Perm)
		}
		for _, o := range c.Options {
			check("/"+c.Name+" "+o.Name, o.Desc, o.Loc, o.DescLoc)
			if o.Autocomplete {
				autocomplete[c.Name+" "+o.Name] = true
			}
			for _, ch := range o.Choices {
				check("/"+c.Name+" "+o.Name+" choice", ch.Name, ch.Loc, nil)
				if c.Name == "move" {
					statuses = append(statuses, ch.Value)
				}
			}
		}
	}
	for _, want := range []string{"measure id", "unit name", "ticket id", "queue unit"} {
		if !autocomplete[want] {
			t.Errorf("no autocomplete on /%s", want)
		}
	}
	if got, want := strings.Join(statuses, ","), "已派单,已签收,退单,办理中,已办结,已回访,延期"; got != want {
		t.Errorf("/move status choices = %s, want %s", got, want)
	}
	if got := commands("")[2].DescriptionLocalizations; (*got)["zh-TW"] != "反映問題，生成工單交給責任單位辦理（僅您可見）" {
		t.Errorf("zh-TW of /report = %q", (*got)["zh-TW"])
	}
}

func TestHelpCardLeadsSomewhereInAChannel(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted(), Knowledge: fakeKnowledge{}})
	id, tok := fake.Command(alice, guild, "help", nil)
	r := decode[response](t, fake.Wait(wait, "help", callback(id, tok)))
	if r.Type != 4 || r.Data.Flags&64 == 0 || len(r.Data.Embeds) != 1 {
		t.Fatalf("/help = %+v, want an ephemeral embed", r)
	}
	card := mustJSON(r.Data.Embeds)
	for _, want := range []string{"/问答", "/算奖励", "/查进度", "/通知"} {
		if !strings.Contains(card, want) {
			t.Errorf("help card lacks %s: %s", want, card)
		}
	}
	if strings.Contains(card, "工单队列") {
		t.Errorf("help card shows the staff commands: %s", card)
	}
	ids := customIDs(r.Data.Components)
	if strings.Join(ids, ",") != strings.Join([]string{helpAsk, helpAward, helpReport, helpTicket}, ",") {
		t.Fatalf("help buttons = %v", ids)
	}
	// 政策问答 asks for the question in a box, and answers it privately.
	id, tok = fake.Click(alice, guild, helpAsk, 64)
	r = decode[response](t, fake.Wait(wait, "ask modal", callback(id, tok)))
	if r.Type != 9 || r.Data.CustomID != askID {
		t.Fatalf("政策问答 = %+v, want the question modal", r)
	}
	id, tok = fake.SubmitOn(alice, guild, askID, map[string]string{"question": "担保费率是多少"}, &discordtest.MessageRef{Flags: 64})
	r = decode[response](t, fake.Wait(wait, "answer", callback(id, tok)))
	if r.Type != 7 || len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Content, "担保费率是多少") {
		t.Errorf("the question from the help card = %+v, want the answer in the card's place", r)
	}
	// 算奖励 turns the card into the dialog's first question.
	id, tok = fake.Click(alice, guild, helpAward, 64)
	r = decode[response](t, fake.Wait(wait, "award", callback(id, tok)))
	if r.Type != 7 || !strings.Contains(r.Data.Content, "第1题") {
		t.Errorf("算奖励 on the card = %+v, want the first question in place", r)
	}
	for _, c := range fake.Calls() {
		if c.Method == "POST" && c.Path == "/channels/"+guild.Channel+"/messages" {
			t.Errorf("posted in the channel: %s", c)
		}
	}
}

func TestAutocomplete(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	reports := &fakeReports{byKey: map[string][]intake.Ticket{
		"discord:" + alice.UserID: {{Summary: intake.Summary{ID: "CQ-20261201-0002", Status: intake.StatusDispatched, LeadUnit: "区人社局"}, Text: "招工难"}},
		"discord:" + bob.UserID:   {{Summary: intake.Summary{ID: "CQ-20261201-0009", Status: intake.StatusReceived}}},
	}}
	startBot(t, fake, Config{}, Deps{Engine: newScripted(), Knowledge: fakeKnowledge{}, Reports: reports})
	choices := func(name, focused, value string) []string {
		t.Helper()
		id, tok := fake.Autocomplete(alice, guild, name, focused, value, nil)
		var r struct {
			Type int `json:"type"`
			Data struct {
				Choices []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"choices"`
			} `json:"data"`
		}
		c := fake.Wait(wait, "autocomplete", callback(id, tok))
		if err := json.Unmarshal(c.Body, &r); err != nil || r.Type != 8 {
			t.Fatalf("autocomplete response %s, want type 8", c.Body)
		}
		var out []string
		for _, ch := range r.Data.Choices {
			out = append(out, ch.Value+"="+ch.Name)
		}
		return out
	}
	tests := []struct {
		name, cmd, opt, typed string
		want                  []string
	}{
		{"measure by title", "measure", "id", "用工", []string{"ind-07=二十条第7条 强化用工保障"}},
		{"measure by id", "measure", "id", "ind-03", []string{"ind-03=二十条第3条 支持中小微企业发展"}},
		{"measure traditional", "measure", "id", "強化", []string{"ind-07=二十条第7条 强化用工保障"}},
		{"unit alias", "unit", "name", "人社", []string{"区人社局=区人社局"}},
		{"own tickets only", "ticket", "id", "", []string{"CQ-20261201-0002=CQ-20261201-0002 已派单 区人社局"}},
	}
	for _, tt := range tests {
		got := choices(tt.cmd, tt.opt, tt.typed)
		if len(got) < len(tt.want) || strings.Join(got[:len(tt.want)], "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: /%s %s %q → %v, want first %v", tt.name, tt.cmd, tt.opt, tt.typed, got, tt.want)
		}
		for _, g := range got {
			if strings.Contains(g, "CQ-20261201-0009") {
				t.Errorf("%s: alice is offered bob's ticket", tt.name)
			}
		}
	}
}

type fakeReports struct{ byKey map[string][]intake.Ticket }

func (f *fakeReports) ListByReporter(ctx context.Context, key string) ([]intake.Ticket, error) {
	return f.byKey[key], nil
}

// TestStaleButtonsDisabled: when a DM dialog goes on by typing, the
// buttons of the message before are disabled.
func TestStaleButtonsDisabled(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	startBot(t, fake, Config{}, Deps{Engine: newScripted()})
	dm := "dm-" + alice.UserID
	fake.Message(alice, dmWith(alice), "/award", false)
	q1 := fake.Wait(wait, "question 1", func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+dm+"/messages" && strings.Contains(string(c.Body), "第1题")
	})
	_ = q1
	msgs := fake.Messages(dm)
	if len(msgs) != 1 {
		t.Fatalf("messages in the DM: %d", len(msgs))
	}
	first := msgs[0]["id"].(string)
	fake.Message(alice, dmWith(alice), "是", false) // typed instead of pressed
	edit := fake.Wait(wait, "old buttons disabled", discordtest.Is("PATCH", "/channels/"+dm+"/messages/"+first))
	var e struct {
		Components []struct {
			Components []struct {
				Disabled bool   `json:"disabled"`
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	_ = json.Unmarshal(edit.Body, &e)
	n := 0
	for _, row := range e.Components {
		for _, c := range row.Components {
			n++
			if !c.Disabled {
				t.Errorf("button %s still enabled", c.CustomID)
			}
		}
	}
	if n == 0 {
		t.Errorf("edit %s carries no components", edit.Body)
	}
}
