package bot

import (
	"errors"
	"fmt"
	"strings"

	"huiqi/internal/zhtext"
)

const awardIntro = "好的，我们来测算企业可能拿到的奖励。我一次问一个问题，并说明为什么问；" +
	"不清楚的可以选“跳过”。随时可以输入“上一步”“重新开始”或“取消”。"

func (t *turn) awardStart() []Reply {
	if t.st.Award != nil {
		t.st.Mode = "award"
		r := t.awardResume("上次的奖励测算还没做完，我们继续（想从头来可以选“重新开始”）：")
		if len(r) > 0 {
			r[len(r)-1].Choices = append(r[len(r)-1].Choices, Choice{ID: actRestart, Label: "重新开始"})
		}
		return r
	}
	t.st.Mode = "award"
	t.st.Report = nil
	answers, err := t.e.d.Award.Start(t.now)
	if err != nil {
		return t.fail("award start", err)
	}
	t.st.Award = &awardState{Answers: answers}
	return t.askNext(awardIntro)
}

// awardResume repeats the pending question after lead.
func (t *turn) awardResume(lead string) []Reply {
	if t.st.Award == nil {
		t.st.Mode = ""
		return t.menu("测算已经结束了。")
	}
	t.st.Mode = "award"
	return t.askNext(lead)
}

// askNext asks the next question (or ends the dialog with the report),
// with lead as a first line.
func (t *turn) askNext(lead string) []Reply {
	a := t.st.Award
	q, more, err := t.e.d.Award.Next(a.Answers)
	if err != nil {
		return t.fail("award next", err)
	}
	if !more {
		return t.awardFinish(lead)
	}
	if q.Field != a.Field {
		a.Misses = 0
	}
	a.Field = q.Field
	var b strings.Builder
	if lead != "" {
		b.WriteString(lead + "\n")
	}
	fmt.Fprintf(&b, "第%d题：%s", len(a.Back)+1, q.Text)
	if why := t.why(q.Field); why != "" {
		b.WriteString("\n" + why)
	}
	r := Reply{Text: b.String(), Choices: questionChoices(q), Private: true,
		NumberAnswer: q.Kind != "bool" && q.Kind != "choice"}
	if a.Misses >= t.e.d.MaxMisses {
		r.Choices = append(r.Choices, Choice{ID: actSkip, Label: "跳过"})
	}
	return []Reply{r}
}

// why says what the question stands to add.
func (t *turn) why(field string) string {
	stakes, err := t.e.d.Award.Stakes(t.st.Award.Answers)
	if err != nil {
		t.e.d.Log.Warn("bot: award stakes", "err", err)
		return ""
	}
	for _, s := range stakes {
		switch {
		case s.Field != field:
		case s.Why != "":
			return "为什么问：" + s.Why
		case s.UpTo > 0:
			return "为什么问：这一项最多可能增加" + zhtext.FormatYuan(s.UpTo) + "奖励。"
		}
	}
	return ""
}

func questionChoices(q Question) []Choice {
	opts := q.Choices
	if len(opts) == 0 && q.Kind == "bool" {
		opts = []Option{{Value: "是", Label: "是"}, {Value: "否", Label: "否"}}
	}
	var cs []Choice
	for _, o := range opts {
		cs = append(cs, Choice{ID: actAnswer + q.Field + ":" + o.Value, Label: o.Label})
	}
	return cs
}

func (t *turn) awardFinish(lead string) []Reply {
	report, err := t.e.d.Award.Report(t.st.Award.Answers, t.now)
	if err != nil {
		return t.fail("award report", err)
	}
	t.st.Mode = ""
	t.st.Award = nil
	text := "测算完成，结果如下：\n\n" + report
	if lead != "" {
		text = lead + "\n" + text
	}
	// Who decides the actual award is the report's to say (the rules'
	// deciders), not this package's.
	return []Reply{
		{Text: text, Private: true},
		{Text: "以上是估算，以报告中的说明为准。还需要什么帮助？", Choices: []Choice{
			{ID: actReport, Label: "反映问题"},
			{ID: actAsk, Label: "继续提问"},
			{ID: actAward, Label: "再算一次"},
		}},
	}
}

// awardText handles typed text while the award dialog runs.
func (t *turn) awardText(text string) []Reply {
	if t.st.Award == nil {
		t.st.Mode = ""
		return t.converse(text)
	}
	if it, ok := t.e.lang.matchIntent(text, true); ok {
		switch it.action {
		case "back":
			return t.awardBack()
		case "restart":
			return t.awardRestart()
		case "skip":
			return t.awardSkip()
		case "award":
			return t.awardResume("我们继续：")
		case "report":
			return t.reportStart()
		default:
			return t.command(it.action, it.arg)
		}
	}
	return t.awardApply(text, true)
}

func (t *turn) awardAction(a string) []Reply {
	if t.st.Award == nil {
		return []Reply{{Text: "这次测算已经结束或取消了。需要重新测算吗？", Choices: []Choice{{ID: actAward, Label: "算奖励"}, {ID: actHelp, Label: "菜单"}}}}
	}
	t.st.Mode = "award"
	switch a {
	case actSkip:
		return t.awardSkip()
	case actBack:
		return t.awardBack()
	case actRestart:
		return t.awardRestart()
	}
	fieldValue := strings.TrimPrefix(a, actAnswer)
	field, value, _ := strings.Cut(fieldValue, ":")
	if field != t.st.Award.Field {
		return t.askNext("这个选项属于前面的问题，已经过期了。我们继续：")
	}
	return t.awardApply(value, false)
}

// awardApply tries text as the answer to the pending question; when it is
// not an answer but a question the knowledge base answers with confidence,
// it answers that and asks the pending question again.
func (t *turn) awardApply(text string, typed bool) []Reply {
	a := t.st.Award
	next, applied, err := t.e.d.Award.Apply(a.Answers, a.Field, text, t.now)
	var bad *BadAnswer
	switch {
	case err == nil:
		a.Back = append(a.Back, a.Answers)
		a.Answers = next
		a.Misses = 0
		// Never silently: a "不知道" is recorded as such, an estimate says
		// what it was taken as.
		lead := ""
		switch {
		case applied.Unknown:
			lead = "好的，这一题记为“不清楚”，测算结束时会列出它可能影响的奖励。"
		case applied.Note != "":
			lead = "记下了：" + applied.Note + "。"
		}
		return t.askNext(lead)
	case !errors.As(err, &bad):
		return t.fail("award apply", err)
	}
	if typed && (bad.Question || questionLike(text)) {
		// A question inside an answer (不知道啥是专精特新) is answered, and the
		// question asked again.
		if r := t.sideQuestionHelp(text, bad.Question, bad.Question); r != nil {
			return r
		}
	}
	a.Misses++
	q, more, err := t.e.d.Award.Next(a.Answers)
	if err != nil || !more {
		return t.askNext("")
	}
	var b strings.Builder
	b.WriteString("这个回答我没能理解：" + strings.TrimRight(bad.Hint, "。") + "。")
	if q.Help != "" {
		b.WriteString("\n" + q.Help)
	}
	if a.Misses >= t.e.d.MaxMisses {
		b.WriteString("\n如果不确定，可以选择“跳过”这一题。")
	}
	return t.askNext(b.String() + "\n请再试一次：")
}

// sideQuestion answers a question asked in the middle of the award dialog
// and brings the user back. Unless force, it answers only when the
// knowledge base is confident, and returns nil otherwise.
func (t *turn) sideQuestion(q string, force bool) []Reply { return t.sideQuestionHelp(q, force, false) }

// sideQuestionHelp is sideQuestion; withHelp adds the pending question's
// explanation before asking it again (the side question was about it).
func (t *turn) sideQuestionHelp(q string, force, withHelp bool) []Reply {
	ans := t.e.d.Knowledge.Ask(q, 3, t.now)
	if !force && (!ans.Answered || ans.Ambiguous || len(ans.Results) == 0 || ans.Results[0].Score < t.e.d.SideScore) {
		return nil
	}
	var out []Reply
	lead := "我们继续："
	if ans.Answered && len(ans.Results) > 0 {
		r := answerReply(toOffer(ans.Results[0]))
		r.Choices = nil // the dialog's own choices follow
		out = append(out, r)
	} else {
		out = append(out, Reply{Text: "这个问题我暂时答不上来。测算结束后可以再问，或者反映问题。"})
	}
	if t.st.Award != nil && withHelp {
		if q, more, err := t.e.d.Award.Next(t.st.Award.Answers); err == nil && more && q.Help != "" {
			lead = "说明：" + q.Help + "\n我们继续："
		}
	}
	return append(out, t.askNext(lead)...)
}

func (t *turn) awardBack() []Reply {
	a := t.st.Award
	if len(a.Back) == 0 {
		return t.askNext("已经是第一题了。")
	}
	a.Answers = a.Back[len(a.Back)-1]
	if string(a.Answers) == "null" { // nothing answered yet, after a JSON round trip
		a.Answers = nil
	}
	a.Back = a.Back[:len(a.Back)-1]
	a.Misses = 0
	a.Field = ""
	return t.askNext("好的，回到上一题：")
}

func (t *turn) awardRestart() []Reply {
	answers, err := t.e.d.Award.Start(t.now)
	if err != nil {
		return t.fail("award start", err)
	}
	t.st.Award = &awardState{Answers: answers}
	t.st.Mode = "award"
	return t.askNext("好的，从头开始。")
}

func (t *turn) awardSkip() []Reply {
	a := t.st.Award
	next, err := t.e.d.Award.Skip(a.Answers, a.Field)
	if err != nil {
		return t.fail("award skip", err)
	}
	a.Back = append(a.Back, a.Answers)
	a.Answers = next
	a.Misses = 0
	return t.askNext("好的，这一题先跳过。")
}
