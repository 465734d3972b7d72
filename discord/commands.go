package discord

import "github.com/bwmarrin/discordgo"

func zh(s string) *map[discordgo.Locale]string {
	return &map[discordgo.Locale]string{discordgo.ChineseCN: s}
}

func zhm(s string) map[discordgo.Locale]string {
	return map[discordgo.Locale]string{discordgo.ChineseCN: s}
}

func strOpt(name, zhName, desc, zhDesc string, required bool, maxLen int) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionString, Name: name, NameLocalizations: zhm(zhName),
		Description: desc, DescriptionLocalizations: zhm(zhDesc), Required: required, MaxLength: maxLen,
	}
}

// commands are the slash commands, registered with one bulk overwrite at
// start. Descriptions are Chinese by default (the users are Chinese
// enterprises); zh-CN localizations give the names in Chinese too. docs are
// the notices huiqi answers from (knowledge's scope), named in /ask's
// description within Discord's 100 characters.
func commands(docs string) []*discordgo.ApplicationCommand {
	askDesc := "解答惠企政策问题"
	if docs != "" {
		askDesc = clip(askDesc+"（"+docs+"）", 100)
	}
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	cmd := func(name, zhName, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{
			Name: name, NameLocalizations: zh(zhName),
			Description: desc, DescriptionLocalizations: zh(desc), Options: opts,
		}
	}
	staff := func(c *discordgo.ApplicationCommand) *discordgo.ApplicationCommand {
		c.Contexts = &guildOnly
		return c
	}
	return []*discordgo.ApplicationCommand{
		cmd("ask", "问答", askDesc,
			strOpt("question", "问题", "Your question", "您的问题，例如：担保费率是多少？", true, 2000)),
		cmd("award", "算奖励", "一问一答，测算企业可能拿到的奖励（仅您可见）"),
		cmd("report", "反映问题", "反映问题，生成工单交给责任单位办理（仅您可见）"),
		cmd("ticket", "查进度", "查询您提交的工单办理进度（仅您可见）",
			strOpt("id", "工单号", "Ticket id", "工单号，例如 CQ-20261127-0001；不填则列出您的工单", false, 100)),
		cmd("measure", "措施", "查看一条措施的原文、责任单位和有效期",
			strOpt("id", "编号", "Measure id", "措施编号，例如 ind-03 或 二十条第3条", true, 50)),
		cmd("unit", "单位", "查看责任单位负责的措施",
			strOpt("name", "名称", "Unit name", "单位名称，可简写，例如 区人社局", true, 100)),
		cmd("help", "帮助", "惠企助手能做什么"),
		staff(cmd("queue", "工单队列", "【坐席】查看单位的待办工单",
			strOpt("unit", "单位", "Unit name", "单位名称，例如 区人社局", true, 100))),
		staff(cmd("move", "办理工单", "【坐席】变更工单状态",
			strOpt("id", "工单号", "Ticket id", "工单号，例如 CQ-20261127-0001", true, 100),
			strOpt("status", "状态", "New status", "新状态，例如 办理中、已办结", true, 20),
			strOpt("note", "说明", "Note", "办理说明（会告知企业）", false, 1000))),
	}
}
