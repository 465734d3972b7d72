package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// measure renders /measure id: as a card.
func (b *Bot) measure(ref string) bot.Reply {
	if b.deps.Knowledge == nil {
		return bot.Reply{Text: msgUnavailable, Private: true}
	}
	if strings.TrimSpace(ref) == "" {
		return bot.Reply{Text: "请输入措施编号，例如 ind-03 或 二十条第3条。", Private: true}
	}
	m, ok := b.deps.Knowledge.Measure(ref)
	if !ok || m == nil {
		return bot.Reply{Text: fmt.Sprintf("没有找到措施“%s”。编号形如 ind-03、inv-12，或写作 二十条第3条。", clip(ref, 50)), Private: true}
	}
	c := &bot.Card{
		Title:  m.Ref() + " " + m.Title,
		Body:   m.Text,
		Footer: m.ID,
	}
	if len(m.Units) > 0 {
		c.Fields = append(c.Fields, bot.Field{Name: "责任单位", Value: strings.Join(m.Units, "、")})
	}
	// Whether it is in force is knowledge's answer, the same in every channel.
	v := b.deps.Knowledge.Validity(m, b.cfg.Now())
	if !v.Until.IsZero() {
		until := "有效期至 " + zhtext.Date(v.Until)
		if v.Expired {
			until += "（已过期）"
		}
		c.Fields = append(c.Fields, bot.Field{Name: "有效期", Value: until})
	}
	for _, w := range v.Windows {
		limit := w.Text
		if w.Passed {
			limit += "（已过期）"
		}
		c.Fields = append(c.Fields, bot.Field{Name: "时限", Value: limit})
	}
	if v.Status != knowledge.InForce && v.Text != "" {
		c.Fields = append(c.Fields, bot.Field{Name: "时效", Value: v.Text})
	}
	return bot.Reply{Card: c}
}

// unit renders /unit name: as the measures a unit handles.
func (b *Bot) unit(name string) bot.Reply {
	if b.deps.Knowledge == nil {
		return bot.Reply{Text: msgUnavailable, Private: true}
	}
	if strings.TrimSpace(name) == "" {
		return bot.Reply{Text: "请输入单位名称，例如 区人社局。", Private: true}
	}
	u := b.deps.Knowledge.Unit(name)
	if u.Unit == "" {
		text := fmt.Sprintf("没有找到单位“%s”。", clip(name, 50))
		if len(u.Candidates) > 0 {
			text += "您是不是要找：" + strings.Join(u.Candidates, "、") + "？"
		}
		return bot.Reply{Text: text, Private: true}
	}
	c := &bot.Card{Title: u.Unit}
	var lines []string
	for _, id := range u.Measures {
		if m, ok := b.deps.Knowledge.Measure(id); ok && m != nil {
			lines = append(lines, m.Ref()+" "+m.Title)
		} else {
			lines = append(lines, id)
		}
	}
	if len(lines) == 0 {
		c.Body = "该单位暂无负责的措施。"
	} else {
		c.Body = "负责的措施：\n" + strings.Join(lines, "\n")
	}
	if len(u.Aliases) > 0 {
		c.Footer = "又称：" + strings.Join(u.Aliases, "、")
	}
	return bot.Reply{Card: c}
}

// queue renders /queue unit: for staff: the unit's queue if the staff
// member may see it (unit staff: their own, the default); the hotline and
// admins may ask for any unit, or all with none.
func (b *Bot) queue(ctx context.Context, staff intake.Staff, unit string) bot.Reply {
	if b.deps.Desk == nil {
		return bot.Reply{Text: msgUnavailable, Private: true}
	}
	// Unit names as people type them (人社, rsj) are the canonical unit's.
	unit = strings.TrimSpace(unit)
	if unit != "" && b.deps.Knowledge != nil {
		if u := b.deps.Knowledge.Unit(unit); u.Unit != "" {
			unit = u.Unit
		}
	}
	if unit == "" {
		unit = staff.Unit
	}
	if (unit == "" && !b.roles.WholeDistrict(staff)) || (unit != "" && !b.roles.SeesUnit(staff, unit)) {
		return bot.Reply{Text: fmt.Sprintf("您只能查看本单位（%s）的工单队列。", staff.Unit), Private: true}
	}
	items, err := b.deps.Desk.Queue(ctx, unit)
	if err != nil {
		return bot.Reply{Text: staffError(b, err), Private: true}
	}
	title := "工单队列：" + clip(unit, 100)
	if unit == "" {
		title = "工单队列：全部单位"
	}
	c := &bot.Card{Title: title}
	if len(items) == 0 {
		c.Body = "暂无待办工单。"
	}
	for _, it := range items {
		c.Fields = append(c.Fields, bot.Field{Name: it.ID + " " + string(it.Status), Value: itemLine(it)})
	}
	return bot.Reply{Card: c, Private: true}
}

// move renders /move id: status: note: for staff, if their role may make
// that move on that ticket (a ticket they may not see is not found, as one
// that does not exist).
func (b *Bot) move(ctx context.Context, staff intake.Staff, id, to, by, note string) bot.Reply {
	if b.deps.Desk == nil {
		return bot.Reply{Text: msgUnavailable, Private: true}
	}
	st, err := intake.ParseStatus(to)
	if err != nil {
		return bot.Reply{Text: staffError(b, err), Private: true}
	}
	id = strings.ToUpper(strings.TrimSpace(id))
	t, err := b.deps.Desk.Get(ctx, id)
	if err == nil && !b.roles.Sees(staff, t) {
		err = intake.ErrNotFound
	}
	if err != nil {
		return bot.Reply{Text: staffError(b, err), Private: true}
	}
	if !b.roles.MayMove(staff, t, st) {
		var may []string
		for _, tr := range b.roles.Moves(staff, t) {
			may = append(may, string(tr.To))
		}
		text := fmt.Sprintf("无法办理：您（%s）不能把工单 %s 从“%s”改为“%s”。", b.roles.Label(staff.Role), t.ID, t.Status, st)
		if len(may) > 0 {
			text += "您可以改为：" + strings.Join(may, "、") + "。"
		}
		return bot.Reply{Text: text, Private: true}
	}
	it, err := b.deps.Desk.Move(ctx, t.ID, st, by, note)
	if err != nil {
		return bot.Reply{Text: staffError(b, err), Private: true}
	}
	return bot.Reply{Text: fmt.Sprintf("工单 %s 已改为“%s”。", it.ID, it.Status), Card: &bot.Card{
		Title: it.ID, Fields: []bot.Field{{Name: string(it.Status), Value: itemLine(it)}},
	}, Private: true}
}

func itemLine(it intake.Ticket) string {
	var parts []string
	if it.LeadUnit != "" {
		parts = append(parts, "牵头："+it.LeadUnit)
	}
	if !it.Due.IsZero() {
		d := "时限：" + it.Due.String()
		if it.Overdue {
			d += "（已超期）"
		}
		parts = append(parts, d)
	}
	if s := strings.TrimSpace(it.Text); s != "" {
		parts = append(parts, clip(s, 60)) // the issue, shortened
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "\n")
}

// invalidInput is implemented by the domain packages' bad-input errors,
// whose messages are Chinese and meant for the user.
type invalidInput interface{ InvalidInput() bool }

func staffError(b *Bot, err error) string {
	var ii invalidInput
	if errors.As(err, &ii) && ii.InvalidInput() {
		return "无法办理：" + err.Error()
	}
	b.log.Error("discord: staff command", "err", err)
	return msgInternal
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
