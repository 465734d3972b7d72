package bot

import (
	"strconv"
	"strings"

	"huiqi/knowledge"
)

// ask answers a question from the knowledge base; f is the question read
// as a follow-up (nil: read it here). An answer makes its measure the
// conversation's topic; what the question asked (找谁, 多少) is answered
// from the measure, and a list it asks for is offered for "第二个".
func (t *turn) ask(q string, f *followUp) []Reply {
	if f == nil {
		ms := t.e.d.Knowledge.Measures()
		f = t.e.lang.parseFollowUp(q, ms, t.packageNames(ms))
	}
	a := t.e.d.Knowledge.Ask(q, 3, t.now)
	t.st.Offers = nil
	t.st.List = nil
	switch {
	case a.Ambiguous && len(a.Results) >= 2:
		t.st.Offers = []offer{toOffer(a.Results[0]), toOffer(a.Results[1])}
		t.st.Asked = q
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
		t.st.Asked = q
		top := a.Results[0]
		tp := topic{Kind: topicMeasure, ID: top.ID, Q: q, Aspects: aspectsOf(f), Levels: levelsOf(f)}
		for _, r := range a.Results[1:] {
			tp.Cands = append(tp.Cands, r.ID)
		}
		var r Reply
		if m := top.Measure; m != nil && len(tp.Aspects) > 0 && !contentOnly(tp.Aspects) {
			r = t.measureReply(m, f, tp.Aspects, tp.Levels, q)
		} else {
			r = answerReply(toOffer(top))
		}
		if m := top.Measure; m != nil && (f.has(aspList) || f.listHead || countIn(norm(q)) > 0) {
			if l := t.offerList(m, f, tp.Levels); l != "" && r.Card != nil {
				r.Card.Body = strings.TrimSpace(r.Card.Body + "\n" + l)
			}
		}
		t.setTopic(tp)
		return []Reply{r}
	case a.Answered:
		// A fact of the notice itself (文号, dates, validity): the text is
		// the answer, about no one measure; the notice is the topic.
		t.st.LastQuestion = ""
		if a.Kind == knowledge.KindNoticeFact {
			t.st.Topic = &topic{Kind: topicNotice, Q: q}
		}
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
		t.st.Asked = q
		var cs []Choice
		for i, r := range a.Results[:min(2, len(a.Results))] {
			t.st.Offers = append(t.st.Offers, toOffer(r))
			cs = append(cs, Choice{ID: actPick + strconv.Itoa(i), Label: clip(cite(r), 40)})
		}
		cs = append(cs, Choice{ID: actRecord, Label: "记录为问题"})
		return []Reply{{Text: a.Text, Choices: cs}}
	}
	// Not answered: a new topic huiqi does not cover replaces the context.
	t.st.Topic = nil
	t.st.LastQuestion, t.st.Recorded = clip(q, 500), false
	t.st.Asked = q
	text := "这个问题不在惠企助手能回答的范围内。" + t.e.d.Knowledge.Scope().Sentence() + "也可以测算奖励、反映问题。"
	if a.Text != "" && !a.Answered {
		text = a.Text // says so, what huiqi covers and where to turn
	}
	if f.compare && f.subject() != "" && !strings.Contains(text, f.subject()) {
		// 平定县也一样吗: say that it is that place or thing huiqi does not cover.
		text = "您问的“" + f.subject() + "”，" + strings.TrimPrefix(text, "抱歉，")
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

// contentOnly: the question asks what a measure is or lists (是什么, 有哪些),
// which the knowledge base's own answer card says.
func contentOnly(as []string) bool {
	for _, a := range as {
		if a != aspList && a != aspContent {
			return false
		}
	}
	return true
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
	if m, ok := t.e.d.Knowledge.Measure(o.ID); ok && t.st.Asked != "" {
		// The question that offered the choice is now about this measure.
		ms := t.e.d.Knowledge.Measures()
		f := t.e.lang.parseFollowUp(t.st.Asked, ms, t.packageNames(ms))
		tp := topic{Kind: topicMeasure, ID: m.ID, Q: t.st.Asked, Aspects: aspectsOf(f), Levels: levelsOf(f)}
		t.setTopic(tp)
		if len(tp.Aspects) > 0 && !contentOnly(tp.Aspects) {
			return []Reply{t.measureReply(m, f, tp.Aspects, tp.Levels, t.st.Asked)}
		}
	} else if o.ID != "" {
		t.setTopic(topic{Kind: topicMeasure, ID: o.ID})
	}
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
