package wechat

import (
	"context"

	"huiqi/bot"
)

// MenuButton is one button of the account's custom menu (自定义菜单): a
// click button (WeChat then sends a CLICK event with its Key) or a parent
// of up to five sub-buttons.
type MenuButton struct {
	Type      string       `json:"type,omitempty"` // "click"; empty for a parent
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// MenuDefinition is the body of /cgi-bin/menu/create.
type MenuDefinition struct {
	Button []MenuButton `json:"button"`
}

// menuItems are the menu's click buttons and the engine command each one
// runs: the engine's own main menu (its labels; a test keeps the two in
// agreement), reached through its slash commands, which are its public
// interface. group is the parent button an item sits under, "" for the
// top row.
var menuItems = []struct {
	key, name, command, group string
}{
	{"huiqi_ask", "政策问答", "/ask", ""},
	{"huiqi_award", "算奖励", "/award", ""},
	{"huiqi_report", "反映问题", "/report", "工单"},
	{"huiqi_ticket", "查进度", "/ticket", "工单"},
}

// Menu is the custom menu of the account: 政策问答 and 算奖励 on the top
// row, and 反映问题 and 查进度 under 工单 (WeChat allows at most three
// top-level buttons). huiqi wechat menu --apply sends it with
// Client.CreateMenu.
func Menu() MenuDefinition {
	var m MenuDefinition
	parents := map[string]int{}
	for _, it := range menuItems {
		b := MenuButton{Type: "click", Name: it.name, Key: it.key}
		if it.group == "" {
			m.Button = append(m.Button, b)
			continue
		}
		i, ok := parents[it.group]
		if !ok {
			i = len(m.Button)
			parents[it.group] = i
			m.Button = append(m.Button, MenuButton{Name: it.group})
		}
		m.Button[i].SubButton = append(m.Button[i].SubButton, b)
	}
	return m
}

// menuInput is the engine input for a click on the menu button key; an
// unknown key (a menu set by hand, an old menu) shows the engine's menu.
func menuInput(key string) bot.Input {
	for _, it := range menuItems {
		if it.key == key {
			return bot.Input{Text: it.command}
		}
	}
	return bot.Input{Text: "/help"}
}

// CreateMenu replaces the account's custom menu with m.
func (c *Client) CreateMenu(ctx context.Context, m MenuDefinition) error {
	return c.post(ctx, "menu/create", m)
}
