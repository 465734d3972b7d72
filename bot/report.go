package bot

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"

	"huiqi/intake"
	"huiqi/internal/zhtext"

	"unicode"
	"unicode/utf8"
)

// Report form fields: the names are the keys of Input.Form.
const (
	fieldEnterprise = "enterprise"
	fieldContact    = "contact"
	fieldProblem    = "description"
)

// reportForm is the report form, prefilled from r.
func reportForm(r *reportState) *Form {
	f := &Form{ID: actForm, Title: "反映问题", Fields: []FormField{
		{Name: fieldEnterprise, Label: "企业名称", Placeholder: "例如：阳泉某某机械有限公司", Required: true, MaxLen: 100},
		{Name: fieldContact, Label: "联系方式", Placeholder: "手机、电话或邮箱", Required: true, MaxLen: 100},
		{Name: fieldProblem, Label: "问题描述", Placeholder: "遇到了什么问题，涉及哪项政策或哪个环节", Long: true, Required: true, MaxLen: 2000},
	}}
	if r != nil {
		f.Fields[0].Value, f.Fields[1].Value, f.Fields[2].Value = r.Enterprise, r.Contact, r.Problem
	}
	return f
}

func (t *turn) reportStart() []Reply {
	t.st.Mode = "report"
	// A question huiqi could not answer is the likely problem to report.
	t.st.Report = &reportState{Step: fieldEnterprise, Problem: t.st.LastQuestion}
	t.st.LastQuestion, t.st.Recorded = "", false
	// How the three are asked is the channel's (a modal on Discord, a form
	// on the web, field by field in the terminal and on WeChat), so the
	// text names no form.
	text := "好的，我来帮您反映问题，生成工单交给责任单位办理。需要三项信息：企业名称、联系方式、问题描述。" +
		"随时可以输入“取消”。"
	if t.st.Report.Problem != "" {
		text += "\n问题描述先按您刚才的问题填好了，可以修改。"
	}
	return []Reply{{Text: text, Form: reportForm(t.st.Report), Private: true}}
}

// reportPrompt asks for the current step again.
func (t *turn) reportPrompt() []Reply {
	r := t.st.Report
	switch r.Step {
	case fieldContact:
		return []Reply{{Text: "请留下联系方式（手机、电话或邮箱），方便责任单位联系您：", Private: true}}
	case fieldProblem:
		return []Reply{{Text: "请描述遇到的问题（越具体越好，例如涉及哪项政策、卡在哪个环节）：", Private: true}}
	case "confirm":
		return t.reportConfirm()
	}
	return []Reply{{Text: "请告诉我企业名称：", Form: reportForm(r), Private: true}}
}

func validEnterprise(s string) string {
	if n := utf8.RuneCountInString(s); n < 2 || n > 100 {
		return "企业名称请填写2到100个字"
	}
	return ""
}

func validContact(s string) string {
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if utf8.RuneCountInString(s) > 100 || (digits < 5 && !strings.Contains(s, "@")) {
		return "联系方式请填写手机、电话或邮箱"
	}
	return ""
}

func validProblem(s string) string {
	if utf8.RuneCountInString(s) < 5 {
		return "问题描述太短了，请多写几句，说明遇到了什么问题"
	}
	return ""
}

// reportText takes typed text for the current step.
func (t *turn) reportText(text string) []Reply {
	r := t.st.Report
	if r == nil {
		t.st.Mode = ""
		return t.ask(text)
	}
	switch r.Step {
	case fieldEnterprise:
		if msg := validEnterprise(text); msg != "" {
			return []Reply{{Text: msg + "。请告诉我企业名称：", Private: true}}
		}
		r.Enterprise, r.Step = text, fieldContact
	case fieldContact:
		if msg := validContact(text); msg != "" {
			return []Reply{{Text: msg + "，例如 13800000000。", Private: true}}
		}
		r.Contact, r.Step, r.Nonce = text, fieldProblem, ""
		if r.Problem != "" { // prefilled: confirm it, 修改 changes it
			r.Step = "confirm"
		}
	case fieldProblem:
		if msg := validProblem(text); msg != "" {
			return []Reply{{Text: msg + "：", Private: true}}
		}
		r.Problem, r.Step, r.Nonce = text, "confirm", ""
	case "confirm":
		switch strings.TrimRightFunc(text, isPunct) {
		case "确认", "确认提交", "提交", "是", "对", "好", "好的", "可以", "确定":
			return t.reportSubmit(r)
		case "修改", "改", "重填":
			return t.reportAction(actEdit)
		}
		return append([]Reply{{Text: "请选择“确认提交”“修改”或“取消”。", Private: true}}, t.reportConfirm()...)
	}
	return t.reportPrompt()
}

// reportForm takes a submitted form.
func (t *turn) reportForm(form map[string]string) []Reply {
	if t.st.Report == nil {
		t.st.Report = &reportState{}
	}
	t.st.Mode = "report"
	r := t.st.Report
	get := func(k string) string { return strings.TrimSpace(strings.ToValidUTF8(form[k], "")) }
	ent, con, prob := get(fieldEnterprise), get(fieldContact), get(fieldProblem)
	var msgs []string
	for _, m := range []string{validEnterprise(ent), validContact(con), validProblem(prob)} {
		if m != "" {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) > 0 {
		r.Step = fieldEnterprise
		r.Enterprise, r.Contact, r.Problem = clip(ent, 100), clip(con, 100), prob
		return []Reply{{Text: "表单还需要补充：" + strings.Join(msgs, "；") + "。请重新填写：", Form: reportForm(r), Private: true}}
	}
	r.Enterprise, r.Contact, r.Problem, r.Step, r.Nonce = ent, con, prob, "confirm", ""
	return t.reportConfirm()
}

func (t *turn) reportConfirm() []Reply {
	r := t.st.Report
	if err := t.nameReport(r); err != nil {
		return t.fail("name the report", err)
	}
	return []Reply{{
		Text: "请确认要提交的内容：",
		Card: &Card{Title: "反映问题", Fields: []Field{
			{Name: "企业名称", Value: clip(r.Enterprise, 100)},
			{Name: "联系方式", Value: clip(r.Contact, 100)},
			{Name: "问题描述", Value: clip(r.Problem, 300)},
		}},
		Choices: []Choice{
			{ID: actConfirm + ":" + r.Nonce, Label: "确认提交", Style: "primary"},
			{ID: actEdit, Label: "修改"},
			{ID: actCancel, Label: "取消", Style: "danger"},
		},
		Private: true,
	}}
}

func (t *turn) reportAction(a string) []Reply {
	r := t.st.Report
	nonce, confirm := strings.CutPrefix(a, actConfirm+":")
	if !confirm {
		nonce, confirm = "", a == actConfirm // a button from before the names
	}
	if confirm && nonce != "" && t.st.Filed != nil && t.st.Filed.Nonce == nonce {
		// This confirmation was filed already: answer with its ticket again.
		return t.reportSubmit(t.st.Filed)
	}
	if confirm && nonce != "" && r != nil && r.Nonce != "" && r.Nonce != nonce {
		r = nil // the button of an earlier confirmation
	}
	if r == nil || t.st.Mode != "report" || (confirm && r.Step != "confirm") {
		return []Reply{{Text: "这次反映已经提交或取消了。需要再反映问题吗？", Choices: []Choice{{ID: actReport, Label: "反映问题"}, {ID: actHelp, Label: "菜单"}}}}
	}
	if a == actEdit {
		r.Step = fieldEnterprise
		prev := *r
		t.st.Report = &reportState{Step: fieldEnterprise}
		return []Reply{{Text: "好的，请重新填写（或直接回复企业名称，我逐项询问）：", Form: reportForm(&prev), Private: true}}
	}
	return t.reportSubmit(r)
}

// nameReport gives r the name its confirmation files it under, once.
func (t *turn) nameReport(r *reportState) error {
	if r.Nonce != "" {
		return nil
	}
	b := make([]byte, 12)
	if _, err := io.ReadFull(t.e.d.Rand, b); err != nil {
		return err
	}
	r.Nonce = base64.RawURLEncoding.EncodeToString(b)
	return nil
}

// reportSubmit files r under its confirmation's name: filing it again
// answers with the same ticket.
func (t *turn) reportSubmit(r *reportState) []Reply {
	if err := t.nameReport(r); err != nil {
		return t.fail("name the report", err)
	}
	// The conversation's channel (terminal, discord, web, …) is one of
	// intake's online channels; intake says which.
	tk, err := t.e.d.Tickets.File(t.ctx, intake.NewTicket{
		Text: r.Problem, Enterprise: r.Enterprise, Contact: r.Contact,
		Channel: t.key.Channel, ReporterKey: t.key.String(),
		Key: "chat:" + t.key.String() + ":" + r.Nonce,
	})
	if err != nil {
		return t.fail("file ticket", err)
	}
	if r == t.st.Report { // not an earlier confirmation answered again
		t.st.Mode = ""
		t.st.Report = nil
	}
	t.st.Filed = r
	c := ticketCard(tk)
	if tk.Secret != "" {
		c.Fields = append(c.Fields, Field{Name: "查询码", Value: tk.Secret})
	}
	text := "已提交，工单号 " + tk.ID + "。"
	if tk.Secret != "" {
		text += "请记下工单号和查询码（查询码只显示这一次），以后输入“查进度 " + tk.ID + "”即可查询办理进度。"
	} else {
		text += "以后输入“查进度 " + tk.ID + "”即可查询办理进度。"
	}
	return []Reply{{Text: text, Card: c, Private: true, Choices: []Choice{{ID: actAsk, Label: "继续提问"}, {ID: actHelp, Label: "菜单"}}}}
}

func ticketCard(tk intake.Ticket) *Card {
	c := &Card{Title: "工单 " + tk.ID}
	add := func(n, v string) {
		if v != "" {
			c.Fields = append(c.Fields, Field{Name: n, Value: v})
		}
	}
	add("状态", string(tk.Status))
	units := tk.LeadUnit
	if units != "" && len(tk.CoUnits) > 0 {
		units += "（牵头），" + strings.Join(tk.CoUnits, "、") + "（配合）"
	}
	add("责任单位", units)
	if !tk.Due.IsZero() {
		due := zhtext.Date(tk.Due.Time()) + "前"
		if tk.DueEstimated {
			due += intake.EstimatedMark
		}
		if tk.Overdue {
			due += "（已超期，已督办）"
		}
		add("办理时限", due)
	}
	add("答复", clip(tk.Reply, 500))
	return c
}

// ticket shows a ticket's status to its reporter, or lists theirs.
func (t *turn) ticket(arg string) []Reply {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		list, err := t.e.d.Tickets.ListByReporter(t.ctx, t.key.String())
		if err != nil {
			return t.fail("list tickets", err)
		}
		if len(list) == 0 {
			return []Reply{{Text: "您在这里还没有提交过工单。如果有工单号和查询码，请输入“查进度 工单号 查询码”。", Private: true}}
		}
		var b strings.Builder
		b.WriteString("您提交的工单：")
		for _, tk := range list {
			b.WriteString("\n· " + tk.ID + "　" + string(tk.Status))
			if tk.LeadUnit != "" {
				b.WriteString("　" + tk.LeadUnit)
			}
			if !tk.Due.IsZero() {
				b.WriteString("　时限 " + tk.Due.String())
			}
		}
		b.WriteString("\n输入“查进度 工单号”可以看详情。")
		return []Reply{{Text: b.String(), Private: true}}
	}
	id := strings.ToUpper(fields[0])
	if !looksLikeTicketID(id) {
		return []Reply{{Text: "工单号的格式是 CQ-20261127-0001，请核对后再查。", Private: true}}
	}
	secret := ""
	if len(fields) > 1 {
		secret = fields[1]
	}
	tk, err := t.e.d.Tickets.GetForReporter(t.ctx, id, t.key.String(), secret)
	if errors.Is(err, intake.ErrNotFound) {
		return []Reply{{Text: "没有找到这个工单，或者它不是从这里提交的。请核对工单号；在别处提交的，请附上查询码：查进度 工单号 查询码。", Private: true}}
	}
	if err != nil {
		return t.fail("lookup ticket", err)
	}
	tk.Secret = ""
	return []Reply{{Text: "工单办理情况：", Card: ticketCard(tk), Private: true}}
}
