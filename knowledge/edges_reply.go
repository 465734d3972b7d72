package knowledge

// The replies to questions outside the loaded notices: each says what the
// question is about, that huiqi does not have it, what huiqi does cover, and
// where to turn by the kind of office (never a phone number, address or
// link, which no notice gives).

import (
	"fmt"
	"slices"
	"strings"

	"huiqi/internal/zhtext"
)

// asksAward reports a question about an award or subsidy (奖励, 补贴, 有钱拿).
func (ix *index) asksAward(nq string) bool { return cueIn(nq, ix.common.AwardCues) != "" }

// measuresOf lists the measures of the loaded notices that apply in place p
// (a notice's Place, resolved through the gazetteer).
func (b *Base) measuresOf(p *Place) map[int32]bool {
	ix := b.ix.Load()
	if ix.gaz == nil {
		return nil
	}
	var out map[int32]bool
	for _, n := range b.notices {
		np, ok := ix.gaz.Lookup(n.Place)
		if !ok || np != p {
			continue
		}
		for _, pk := range n.Packages {
			for _, m := range pk.Measures {
				if d, ok := ix.byID[m.ID]; ok && b.noticeOf[m.ID] == n {
					if out == nil {
						out = map[int32]bool{}
					}
					out[d] = true
				}
			}
		}
	}
	return out
}

// placeName is how a reply names a place: its full name, and for an
// abolished one what it became.
func placeName(p *Place) string {
	if p.Level == "former" && len(p.Successor) > 0 {
		return fmt.Sprintf("%s（已撤销，现为%s）", p.Name, strings.Join(p.Successor, "、"))
	}
	return p.Name
}

// sameKind names the district's measure a declined question resembles, when
// the match is good enough to be worth saying.
func sameKind(rs []Result, sure bool) string {
	if len(rs) == 0 || !sure {
		return ""
	}
	return fmt.Sprintf("【%s】%s", rs[0].Ref, rs[0].Title)
}

func (b *Base) otherPlaceText(p *Place, rs []Result, sure bool) string {
	sc := b.Scope()
	var sb strings.Builder
	fmt.Fprintf(&sb, "您问的是%s的政策。惠企助手只收录了%s的惠企政策（%s），没有%s的政策文件，不能代%s回答；%s的政策请向当地政府的有关部门咨询。",
		placeName(p), sc.Place, sc.Docs(), p.Name, p.Name, p.Name)
	if k := sameKind(rs, sure); k != "" {
		fmt.Fprintf(&sb, "如果企业在%s，%s的同类规定是%s，可以直接问我。", sc.Local, sc.Local, k)
	} else {
		sb.WriteString(b.Coverage())
	}
	return sb.String()
}

func (b *Base) otherDocumentText(od *otherDocument, rs []Result, sure bool) string {
	sc := b.Scope()
	var sb strings.Builder
	issued := ""
	if len(b.notices) > 0 && !b.notices[0].Issued.IsZero() {
		issued = "（" + zhtext.Date(b.notices[0].Issued) + "印发）"
	}
	switch {
	case od.picture:
		sb.WriteString("通知页面末尾链接的解读是一张图片，惠企助手没有它的文字内容，只能按通知原文回答。")
		sb.WriteString(b.Coverage())
		return sb.String()
	case od.cited != "":
		fmt.Fprintf(&sb, "%s是上级的文件，%s的%s是根据它制定的；惠企助手没有收录它的原文，只能回答%s的政策（%s%s）。上级文件的内容请向市级有关部门咨询。",
			od.cited, sc.Local, b.packagesBasedOn(od.cited), sc.Local, sc.Docs(), issued)
	default:
		what := "“" + od.name + "”的"
		if od.newer {
			what = od.name + "新出台的" // 今年新出台的; the cue itself (有变化, 出新的) reads badly quoted
		}
		fmt.Fprintf(&sb, "您问的是%s政策或文件。惠企助手只收录了%s%s中的%s，没有其他文件或之后年份出台的政策；是否有新的政策，请向",
			what, sc.Docs(), issued, sc.Cited())
		if len(rs) > 0 && sure && len(rs[0].Units) > 0 {
			fmt.Fprintf(&sb, "%s等有关部门咨询。", rs[0].Units[0])
		} else {
			sb.WriteString("区里的有关部门咨询。")
		}
	}
	if k := sameKind(rs, sure); k != "" {
		fmt.Fprintf(&sb, "%s现有的相关规定是%s。", sc.Cited(), k)
	} else {
		sb.WriteString(b.Coverage())
	}
	return sb.String()
}

// packagesBasedOn names our packages whose preamble cites doc: 《二十条》.
func (b *Base) packagesBasedOn(doc string) string {
	var names []string
	for _, n := range b.notices {
		for _, p := range n.Packages {
			for _, m := range reBasis.FindAllStringSubmatch(p.Preamble, -1) {
				if "《"+basicNormalize(m[1])+"》" == doc && !slices.Contains(names, "《"+p.Name+"》") {
					names = append(names, "《"+p.Name+"》")
				}
			}
		}
	}
	if len(names) == 0 {
		return "政策"
	}
	return strings.Join(names, "")
}

// levelWords are the marks of a level in a clause's text (省 of 省工信厅).
var levelWords = map[string][]string{
	"city":     {"市级", "市工信局", "市对", "市金融办", "市"},
	"province": {"省级", "省工信厅", "省市", "山西省", "省"},
	"national": {"国家级", "国家"},
}

func (b *Base) otherLevelText(level string, lm levelMention, r *Result, qq *query, ix *index) string {
	name := zhtext.LevelName(level)
	m := r.Measure
	var sb strings.Builder
	fmt.Fprintf(&sb, "您问的是%s的政策。", name)
	if quote := sentenceWith(m.Text, levelWords[level]); quote != "" {
		fmt.Fprintf(&sb, "【%s】%s只写了“%s”，没有写明%s的标准或条件", r.Ref, m.Title, quote, name)
	} else {
		fmt.Fprintf(&sb, "%s中没有%s这方面的规定", b.Scope().Cited(), name)
	}
	fmt.Fprintf(&sb, "；%s的政策请向%s主管部门咨询。", name, strings.TrimSuffix(name, "级")+"里的")
	if d, ok := ix.byID[m.ID]; ok {
		// what the district itself pays for the concept asked
		var own []string
		for _, am := range ix.amountAskOf(qq, d).amounts {
			if am.Level == "district" {
				own = append(own, am.Text+"（"+am.Condition+"）")
			}
		}
		if len(own) > 0 && len(own) <= 4 {
			fmt.Fprintf(&sb, "本条写明的是区级奖励：%s。", strings.Join(own, "；"))
		}
	}
	return sb.String()
}

// sentenceWith returns the shortest part of text (between commas and stops)
// that holds one of words, or "".
func sentenceWith(text string, words []string) string {
	best := ""
	for _, part := range cutAfter(text, "。;,\uff1b\uff0c") {
		part = strings.TrimRight(part, "。;,\uff1b\uff0c")
		for _, w := range words {
			if strings.Contains(part, w) && (best == "" || runeLen(part) < runeLen(best)) {
				best = part
				break
			}
		}
	}
	return best
}

// absentTopic is the first out-of-scope topic of the question that is a
// programme the notices lack, with the phrase that named it.
func (ix *index) absentTopic(qq *query) (*OutOfScopeTopic, string) {
	for _, t := range qq.oosTopics {
		if t >= len(ix.common.OutOfScope) || !ix.common.OutOfScope[t].Absent {
			continue
		}
		tp := &ix.common.OutOfScope[t]
		phrase := ""
		for _, s := range tp.Say {
			if s = basicNormalize(s); strings.Contains(qq.norm, s) && runeLen(s) > runeLen(phrase) {
				phrase = s
			}
		}
		return tp, phrase
	}
	return nil, ""
}

// absentText says plainly that the notices do not contain a programme, and
// offers the measure that points at higher levels' policies as where to ask.
func (b *Base) absentText(t *OutOfScopeTopic, phrase string, qq *query, ix *index) string {
	sc := b.Scope()
	var sb strings.Builder
	if phrase == "" {
		phrase = t.Topic
	}
	fmt.Fprintf(&sb, "%s（%s）中没有“%s”的规定，惠企助手不能回答它的标准和办法。", sc.Cited(), sc.Docs(), phrase)
	if m, ok := b.Measure(t.Pointer); ok {
		quote := ""
		if d, ok := ix.byID[m.ID]; ok {
			quote = strings.TrimRight(ix.snippet(d, qq, 1), "。")
		}
		if quote != "" && quote != m.Title {
			fmt.Fprintf(&sb, "【%s】%s只写了“%s”，", m.Ref(), m.Title, quote)
		} else {
			fmt.Fprintf(&sb, "【%s】%s只是要求落实已出台的各项政策，", m.Ref(), m.Title)
		}
		fmt.Fprintf(&sb, "具体可以向%s咨询。", strings.Join(m.Units, "、"))
	}
	if t.Refer != "" {
		sb.WriteString(t.Refer)
	}
	return sb.String()
}

// recognitionText says that a title is recognised by another level and that
// the notice only rewards it once recognised.
func (b *Base) recognitionText(title string, r *Result) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "“%s”的认定条件和申报流程由国家或省级主管部门规定，%s中没有写明，请向工信主管部门咨询认定事宜。", title, b.Scope().Cited())
	fmt.Fprintf(&sb, "【%s】%s写的是认定之后的奖励", r.Ref, r.Title)
	if len(r.Units) > 0 {
		fmt.Fprintf(&sb, "（责任单位：%s）", strings.Join(r.Units, "、"))
	}
	sb.WriteString("，可以问我“" + title + "奖励多少”。")
	return sb.String()
}

// senseText says that a word of the question is the notice's in another
// sense, and what the notice means by it.
func (b *Base) senseText(sh senseHit, ix *index) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "您问的“%s”（和“%s”一起说）与惠企政策里的“%s”不是一回事，惠企助手不能回答。", sh.phrase, sh.word, sh.phrase)
	if len(sh.docs) > 0 {
		m := ix.docs[sh.docs[0]].m
		fmt.Fprintf(&sb, "惠企政策中的“%s”见【%s】%s。", sh.phrase, m.Ref(), m.Title)
	}
	sb.WriteString(b.Coverage())
	return sb.String()
}
