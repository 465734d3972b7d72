package bot

import (
	"strconv"
	"strings"

	"huiqi/knowledge"
)

// ask answers a free-text question.
func (t *turn) ask(q string) []Reply {
	a := t.e.d.Knowledge.Ask(q, 3, t.now)
	t.st.Offers = nil
	switch {
	case a.Ambiguous && len(a.Results) >= 2:
		t.st.Offers = []offer{toOffer(a.Results[0]), toOffer(a.Results[1])}
		text := a.Text
		if text == "" {
			text = "您问的是 " + cite(a.Results[0]) + " 还是 " + cite(a.Results[1]) + "？"
		}
		return []Reply{{Text: text, Choices: []Choice{
			{ID: actPick + "0", Label: clip(cite(a.Results[0]), 40)},
			{ID: actPick + "1", Label: clip(cite(a.Results[1]), 40)},
		}}}
	case a.Answered && len(a.Results) > 0:
		t.st.LastQuestion = ""
		return []Reply{answerReply(toOffer(a.Results[0]))}
	case a.Answered:
		// A fact of the notice itself (文号, dates, validity): the text is
		// the answer, about no one measure.
		t.st.LastQuestion = ""
		return []Reply{{Text: a.Text, Choices: menuChoices()}}
	case strings.HasPrefix(a.Kind, "chitchat"):
		// Small talk the knowledge base recognised: its line and the menu,
		// nothing to record.
		text := a.Text
		if text == "" {
			text = "您好！"
		}
		return []Reply{{Text: text, Choices: menuChoices()}}
	case a.Kind == "uncertain" && len(a.Results) > 0:
		// Close but not sure: offer the likely measures to pick from.
		t.st.LastQuestion, t.st.Recorded = clip(q, 500), false
		var cs []Choice
		for i, r := range a.Results[:min(2, len(a.Results))] {
			t.st.Offers = append(t.st.Offers, toOffer(r))
			cs = append(cs, Choice{ID: actPick + strconv.Itoa(i), Label: clip(cite(r), 40)})
		}
		cs = append(cs, Choice{ID: actRecord, Label: "记录为问题"})
		return []Reply{{Text: a.Text, Choices: cs}}
	}
	t.st.LastQuestion, t.st.Recorded = clip(q, 500), false
	text := "这个问题不在惠企助手能回答的范围内。" + t.e.d.Knowledge.Scope().Sentence() + "也可以测算奖励、反映问题。"
	if a.Text != "" && !a.Answered {
		text = a.Text // says so, what huiqi covers and where to turn
	}
	return []Reply{{
		Text: text + "\n如果您希望工作人员补充这类问题的答案，可以把它记录下来。",
		Choices: []Choice{
			{ID: actRecord, Label: "记录为问题"},
			{ID: actReport, Label: "反映问题"},
			{ID: actHelp, Label: "看看能做什么"},
		},
	}}
}

// pick shows the candidate the user chose after "A 还是 B?".
func (t *turn) pick(idx string) []Reply {
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(t.st.Offers) {
		return t.menu("这个选项已经失效了，请重新输入问题：")
	}
	o := t.st.Offers[i]
	t.st.Offers = nil
	t.st.LastQuestion = ""
	return []Reply{answerReply(o)}
}

// record keeps the last unanswered question for staff.
func (t *turn) record() []Reply {
	q := t.st.LastQuestion
	if q == "" {
		return []Reply{{Text: "没有需要记录的问题。请直接输入您的问题。", Choices: menuChoices()}}
	}
	if t.st.Recorded {
		return []Reply{{Text: "这个问题已经记录过了。", Choices: []Choice{{ID: actReport, Label: "反映问题"}, {ID: actAsk, Label: "继续提问"}}}}
	}
	if err := t.e.d.Tickets.RecordUnanswered(t.ctx, q); err != nil {
		return t.fail("record unanswered", err)
	}
	// The question stays, so a report started now starts from it.
	t.st.Recorded = true
	return []Reply{{
		Text:    "已记录，工作人员会据此补充答案（只记录问题本身，不记录您的身份）。\n如果需要有关部门具体办理，可以反映问题，生成工单。",
		Choices: []Choice{{ID: actReport, Label: "反映问题"}, {ID: actAsk, Label: "继续提问"}},
	}}
}

func toOffer(r knowledge.Result) offer {
	return offer{ID: r.ID, Ref: r.Ref, Title: r.Title, Snippet: r.Snippet, Units: r.Units,
		Amounts: r.Amounts, Validity: r.Validity}
}

func cite(r knowledge.Result) string {
	return strings.TrimSpace(r.Ref + " " + r.Title)
}

// answerReply renders a measure as a card: the clause cited in the title,
// the key sentence, then the money, the units and the term.
func answerReply(o offer) Reply {
	title := strings.TrimSpace(o.Ref + " " + o.Title)
	if title == "" {
		title = o.ID
	}
	c := &Card{Title: title, Body: o.Snippet}
	if len(o.Amounts) > 0 {
		c.Fields = append(c.Fields, Field{Name: "金额", Value: strings.Join(o.Amounts, "、")})
	}
	if len(o.Units) > 0 {
		c.Fields = append(c.Fields, Field{Name: "责任单位", Value: strings.Join(o.Units, "、")})
	}
	if o.Validity != "" {
		c.Fields = append(c.Fields, Field{Name: "有效期", Value: strings.TrimPrefix(o.Validity, "时效提示：")})
	}
	c.Footer = "以上摘自政策原文，具体以责任单位解释为准。"
	return Reply{Card: c, Choices: []Choice{
		{ID: actReport, Label: "反映问题"},
		{ID: actAward, Label: "算奖励"},
	}}
}
