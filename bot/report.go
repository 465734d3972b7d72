package bot

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"huiqi/intake"
	"huiqi/internal/lazyre"
	"huiqi/internal/zhtext"
)

// Report form fields: the names are the keys of Input.Form.
const (
	fieldEnterprise = "enterprise"
	fieldContact    = "contact"
	fieldProblem    = "description"
)

// reportSteps is the order the form asks in: what happened first (the
// person came to say it), then who they are and how to reach them.
var reportSteps = []string{fieldProblem, fieldEnterprise, fieldContact}

// reportForm is the report form, prefilled from r.
func reportForm(r *reportState) *Form {
	f := &Form{ID: actForm, Title: "反映问题", Fields: []FormField{
		{Name: fieldProblem, Label: "问题描述", Placeholder: "遇到了什么问题，涉及哪项政策或哪个环节", Long: true, Required: true, MaxLen: 2000},
		{Name: fieldEnterprise, Label: "企业名称", Placeholder: "例如：阳泉某某机械有限公司", Required: true, MaxLen: 100},
		{Name: fieldContact, Label: "联系方式", Placeholder: "手机号，或带区号的座机，例如 0353-1234567", Required: true, MaxLen: 100},
	}}
	if r != nil {
		f.Fields[0].Value, f.Fields[1].Value, f.Fields[2].Value = r.Problem, r.Enterprise, r.Contact
	}
	return f
}

func (t *turn) reportStart() []Reply {
	return t.reportStartWith(t.typed)
}

// reportStartWith starts the report form with problem as its description:
// what the person typed before asking to report.
func (t *turn) reportStartWith(problem string) []Reply {
	t.st.Mode = "report"
	if problem == "" {
		problem = t.st.LastQuestion
	}
	t.st.Report = &reportState{Step: fieldProblem, Problem: clip(problem, 2000)}
	t.st.LastQuestion, t.st.Recorded = "", false
	// How the three are asked is the channel's (a modal on Discord, a form
	// on the web, one by one in the terminal and on WeChat), so the text
	// names no form.
	lead := "好的，我来帮您反映问题，生成工单交给责任单位办理。需要三项信息：问题描述、企业名称、联系方式。" +
		"随时可以输入“上一步”或“取消”。"
	return t.reportPrompt(lead)
}

// reportPrompt asks for the current step, after lead; a value already given
// (carried from the question, or typed before an edit) is shown to keep.
func (t *turn) reportPrompt(lead string) []Reply {
	r := t.st.Report
	var q, have string
	switch r.Step {
	case fieldProblem:
		q, have = "请描述遇到的问题（越具体越好，例如涉及哪项政策、卡在哪个环节）：", r.Problem
	case fieldEnterprise:
		q, have = "请告诉我企业名称：", r.Enterprise
	case fieldContact:
		q, have = "请留下联系方式（手机号，或带区号的座机，例如 0353-1234567），方便责任单位联系您：", r.Contact
	default:
		return t.reportConfirm(lead)
	}
	if have != "" {
		q = strings.TrimSuffix(q, "：") + "。已填：“" + clip(strings.ReplaceAll(have, "\n", " "), 100) + "”——回复“好”或直接回车沿用，或输入新的内容："
	}
	if lead != "" {
		q = lead + "\n" + q
	}
	return []Reply{{Text: q, Form: reportForm(r), Private: true}}
}

func validEnterprise(s string) string {
	n := utf8.RuneCountInString(s)
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if n < 2 || n > 100 || letters < 2 {
		return "企业名称请填写2到100个字，例如“阳泉某某机械有限公司”"
	}
	return ""
}

var (
	reMobile   = lazyre.New(`^(?:\+?86-?)?1[3-9]\d{9}$`)
	reLandline = lazyre.New(`^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$`)
	reEmail    = lazyre.New(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$`)
)

// normContact writes a phone number as digits and hyphens: full-width
// forms folded, spaces out, brackets around an area code as a hyphen.
func normContact(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r == '－' || r == '—' || r == '（' || r == '）' || r == '(' || r == ')':
			r = '-'
		case r == '＋':
			r = '+'
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), "-")
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	return out
}

// validContact accepts a mobile number (1[3-9] and nine digits), a
// landline with its area code (0353-1234567, with an extension), or an
// e-mail address.
func validContact(s string) string {
	c := normContact(s)
	switch {
	case reMobile.MatchString(c), reLandline.MatchString(c), reEmail.MatchString(c):
		return ""
	case strings.ContainsAny(c, "oOlI") && len(c) >= 10:
		return "联系方式里好像有字母（例如把数字0打成了字母O），请检查后重新输入手机号或座机号"
	}
	return "联系方式请填写11位手机号（例如 13800000000），或带区号的座机（例如 0353-1234567）"
}

func validProblem(s string) string {
	if utf8.RuneCountInString(s) < 5 {
		return "问题描述太短了，请多写几句，说明遇到了什么问题"
	}
	return ""
}

func validate(field, v string) string {
	switch field {
	case fieldEnterprise:
		return validEnterprise(v)
	case fieldContact:
		return validContact(v)
	}
	return validProblem(v)
}

// keepWords keep a value already filled in.
var keepWords = map[string]bool{"": true, "好": true, "好的": true, "对": true, "是": true, "沿用": true, "不变": true,
	"不用改": true, "可以": true, "行": true, "嗯": true}

// reportText takes typed text for the current step: each field is checked
// as it is given, and a refused one is asked again with what was wrong,
// keeping everything typed so far.
func (t *turn) reportText(text string) []Reply {
	r := t.st.Report
	if r == nil {
		t.st.Mode = ""
		return t.converse(text)
	}
	if it, ok := t.e.lang.matchIntent(text, true); ok && it.action != "report" {
		switch it.action {
		case "back", "restart":
			return t.reportBack(it.action == "restart")
		case "award":
			return t.awardStart()
		default:
			return t.command(it.action, it.arg)
		}
	}
	if r.Step == "confirm" {
		switch strings.TrimRightFunc(text, isPunct) {
		case "确认", "确认提交", "提交", "是", "对", "好", "好的", "可以", "确定":
			return t.reportSubmit(r)
		case "修改", "改", "重填", "改一下":
			return t.reportAction(actEdit)
		}
		return t.reportConfirm("请选择“确认提交”“修改”或“取消”。")
	}
	v := strings.TrimSpace(text)
	have := map[string]string{fieldProblem: r.Problem, fieldEnterprise: r.Enterprise, fieldContact: r.Contact}[r.Step]
	if have != "" && keepWords[strings.TrimRightFunc(v, isPunct)] {
		v = have
	}
	if msg := validate(r.Step, v); msg != "" {
		return t.reportPrompt(msg + "。")
	}
	switch r.Step {
	case fieldProblem:
		r.Problem = clip(v, 2000)
	case fieldEnterprise:
		r.Enterprise = v
	case fieldContact:
		r.Contact = normContact(v)
	}
	r.Step, r.Nonce = nextStep(r.Step), "" // what is confirmed next is a new filing

	return t.reportPrompt("")
}

func nextStep(step string) string {
	for i, s := range reportSteps {
		if s == step && i+1 < len(reportSteps) {
			return reportSteps[i+1]
		}
	}
	return "confirm"
}

// reportBack goes back one field (or to the first), keeping the values.
func (t *turn) reportBack(toStart bool) []Reply {
	r := t.st.Report
	i := len(reportSteps) // confirm
	for j, s := range reportSteps {
		if s == r.Step {
			i = j
		}
	}
	switch {
	case toStart:
		r.Step = reportSteps[0]
	case i == 0:
		return t.reportPrompt("已经是第一项了。")
	default:
		r.Step = reportSteps[i-1]
	}
	return t.reportPrompt("好的，回到上一项：")
}

// reportForm takes a submitted form: every field is checked, and the form
// comes back with what was typed and what is missing; the step-by-step
// questions continue at the first field to fix.
func (t *turn) reportForm(form map[string]string) []Reply {
	if t.st.Report == nil {
		t.st.Report = &reportState{}
	}
	t.st.Mode = "report"
	r := t.st.Report
	get := func(k string) string { return strings.TrimSpace(strings.ToValidUTF8(form[k], "")) }
	r.Problem, r.Enterprise, r.Contact = clip(get(fieldProblem), 2000), clip(get(fieldEnterprise), 100), clip(get(fieldContact), 100)
	var msgs []string
	r.Step = "confirm"
	for _, f := range reportSteps {
		v := map[string]string{fieldProblem: r.Problem, fieldEnterprise: r.Enterprise, fieldContact: r.Contact}[f]
		if m := validate(f, v); m != "" {
			msgs = append(msgs, m)
			if r.Step == "confirm" {
				r.Step = f
			}
		}
	}
	if len(msgs) > 0 {
		return []Reply{{Text: "表单还需要补充：" + strings.Join(msgs, "；") + "。请修改后再提交（填好的内容都保留着）：", Form: reportForm(r), Private: true}}
	}
	r.Contact, r.Nonce = normContact(r.Contact), ""
	return t.reportConfirm("")
}

func (t *turn) reportConfirm(lead string) []Reply {
	r := t.st.Report
	if err := t.nameReport(r); err != nil {
		return t.fail("name the report", err)
	}
	text := "请确认要提交的内容："
	if lead != "" {
		text = lead + "\n" + text
	}
	return []Reply{{
		Text: text,
		Card: &Card{Title: "反映问题", Fields: []Field{
			{Name: "问题描述", Value: clip(r.Problem, 300)},
			{Name: "企业名称", Value: clip(r.Enterprise, 100)},
			{Name: "联系方式", Value: clip(r.Contact, 100)},
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
		// Everything typed stays: each field is offered to keep or change.
		r.Step = reportSteps[0]
		return t.reportPrompt("好的，我们逐项核对，不需要改的回复“好”即可。")
	}
	return t.reportSubmit(r)
}

// msgTooManyTickets refuses a ticket past the budget; the report is kept.
const msgTooManyTickets = "提交得太频繁了：同一来源在短时间内提交的问题已经达到上限。请稍后再选“确认提交”，填写的内容都保留着。"

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
// answers with the same ticket. A new filing spends the source's ticket
// budget; answering a filed one again does not.
func (t *turn) reportSubmit(r *reportState) []Reply {
	if err := t.nameReport(r); err != nil {
		return t.fail("name the report", err)
	}
	if r != t.st.Filed && !t.e.filed.Allow(t.ticketBudget()) {
		r.Step = "confirm"
		return t.reportConfirm(msgTooManyTickets)
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
	id, err := intake.ParseID(fields[0])
	if err != nil {
		// intake says what an id looks like: "输入无效: 工单号格式应为…".
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, ": "); ok {
			msg = after
		}
		return []Reply{{Text: strings.TrimSuffix(msg, "。") + "，请核对后再查。", Private: true}}
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
