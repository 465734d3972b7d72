package discord

import (
	"github.com/bwmarrin/discordgo"

	"huiqi/intake"
	"huiqi/internal/zhtext"
)

// The slash commands as one table: their registration (commands), the
// /help card (helpCard) and which replies start private (privateCommands)
// are all read from it. Names and descriptions are written once, in
// simplified Chinese, which is also the default Discord shows; zh-CN
// repeats them and zh-TW is OpenCC's s2tw of them, so no user sees an
// English fallback.

type optSpec struct {
	name, zh, desc string
	required       bool
	maxLen         int
	autocomplete   bool
	choices        []choiceSpec
}

type choiceSpec struct{ name, value string }

type cmdSpec struct {
	name, zh, desc string
	// staff commands are hidden from members without ManageMessages
	// (default_member_permissions; server admins can grant them to the
	// staff roles in Integrations) and still checked when used.
	staff bool
	// private: the replies are shown to the user alone.
	private bool
	// help is the /help card's line ("" keeps it off the card).
	help string
	opts []optSpec
}

// staffPermission is the permission a member needs to see the staff
// commands before an admin grants them to a role.
const staffPermission int64 = discordgo.PermissionManageMessages

// moveChoices are the states a person moves a ticket to, with 延期: the
// targets of intake's workflow table that nobody but huiqi itself makes
// are left out.
func moveChoices() []choiceSpec {
	var out []choiceSpec
	for _, st := range intake.Statuses() {
		for _, t := range intake.Transitions() {
			if t.To == st && t.By != intake.ActorSystem {
				out = append(out, choiceSpec{string(st), string(st)})
				break
			}
		}
	}
	return append(out, choiceSpec{string(intake.Extend), string(intake.Extend)})
}

// specs are the commands; docs are the notices huiqi answers from, named
// in /ask's description within Discord's 100 characters.
func specs(docs string) []cmdSpec {
	askDesc := "解答惠企政策问题"
	if docs != "" {
		askDesc = clip(askDesc+"（"+docs+"）", 100)
	}
	return []cmdSpec{
		{name: "ask", zh: "问答", desc: askDesc, help: "政策问答：回答在频道里，大家都能看到",
			opts: []optSpec{{name: "question", zh: "问题", desc: "您的问题，例如：担保费率是多少？", required: true, maxLen: 2000}}},
		{name: "award", zh: "算奖励", desc: "一问一答，测算企业可能拿到的奖励（仅您可见）", private: true,
			help: "一问一答测算企业可能拿到的奖励，仅您可见"},
		{name: "report", zh: "反映问题", desc: "反映问题，生成工单交给责任单位办理（仅您可见）", private: true,
			help: "填写表单，生成工单交给责任单位办理，仅您可见"},
		{name: "ticket", zh: "查进度", desc: "查询您提交的工单办理进度（仅您可见）", private: true,
			help: "查询您提交的工单，仅您可见；有进展时我会私信告诉您",
			opts: []optSpec{{name: "id", zh: "工单号", desc: "工单号，例如 CQ-20261127-0001；不填则列出您的工单", maxLen: 100, autocomplete: true}}},
		{name: "notify", zh: "通知", desc: "开启或关闭工单进度私信通知（仅您可见）", private: true,
			help: "开启或关闭工单进度的私信通知",
			opts: []optSpec{{name: "state", zh: "开关", desc: "开启或关闭", required: true,
				choices: []choiceSpec{{"开启", "on"}, {"关闭", "off"}}}}},
		{name: "measure", zh: "措施", desc: "查看一条措施的原文、责任单位和有效期", help: "查看一条措施的原文、责任单位和有效期",
			opts: []optSpec{{name: "id", zh: "编号", desc: "措施编号或名称，例如 ind-03 或 二十条第3条", required: true, maxLen: 50, autocomplete: true}}},
		{name: "unit", zh: "单位", desc: "查看责任单位负责的措施", help: "查看责任单位负责的措施",
			opts: []optSpec{{name: "name", zh: "名称", desc: "单位名称，可简写，例如 区人社局", required: true, maxLen: 100, autocomplete: true}}},
		{name: "help", zh: "帮助", desc: "惠企助手能做什么（仅您可见）", private: true},
		{name: "queue", zh: "工单队列", desc: "【坐席】查看单位的待办工单", staff: true, private: true,
			opts: []optSpec{{name: "unit", zh: "单位", desc: "单位名称，例如 区人社局；不填则为您所在单位", maxLen: 100, autocomplete: true}}},
		{name: "move", zh: "办理工单", desc: "【坐席】变更工单状态", staff: true, private: true,
			opts: []optSpec{
				{name: "id", zh: "工单号", desc: "工单号，例如 CQ-20261127-0001", required: true, maxLen: 100},
				{name: "status", zh: "状态", desc: "新状态", required: true, choices: moveChoices()},
				{name: "note", zh: "说明", desc: "办理说明：办结时是给企业的答复（会告知企业）", maxLen: 1000},
			}},
	}
}

// privateCommands are the commands whose replies are private from the
// start, so a deferral is ephemeral too.
var privateCommands = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range specs("") {
		if c.private {
			m[c.name] = true
		}
	}
	return m
}()

// localized is name → zh-CN and zh-TW.
func localized(zh string) map[discordgo.Locale]string {
	return map[discordgo.Locale]string{discordgo.ChineseCN: zh, discordgo.ChineseTW: zhtext.Traditional(zh)}
}

// commands are the slash commands, registered with one bulk overwrite at
// start.
func commands(docs string) []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	var out []*discordgo.ApplicationCommand
	for _, c := range specs(docs) {
		names, descs := localized(c.zh), localized(c.desc)
		cmd := &discordgo.ApplicationCommand{
			Name: c.name, NameLocalizations: &names, Description: c.desc, DescriptionLocalizations: &descs,
		}
		if c.staff {
			perm := staffPermission
			cmd.DefaultMemberPermissions = &perm
			cmd.Contexts = &guildOnly
		}
		for _, o := range c.opts {
			opt := &discordgo.ApplicationCommandOption{
				Type: discordgo.ApplicationCommandOptionString, Name: o.name, NameLocalizations: localized(o.zh),
				Description: o.desc, DescriptionLocalizations: localized(o.desc), Required: o.required,
				MaxLength: o.maxLen, Autocomplete: o.autocomplete,
			}
			for _, ch := range o.choices {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{
					Name: ch.name, NameLocalizations: localized(ch.name), Value: ch.value,
				})
			}
			cmd.Options = append(cmd.Options, opt)
		}
		out = append(out, cmd)
	}
	return out
}
