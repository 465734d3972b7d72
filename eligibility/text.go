package eligibility

import (
	"fmt"
	"strings"

	"huiqi/internal/zhtext"
)

// Text is the report for a person, in Chinese: each award with its
// arithmetic and the clause behind it, the awards left out and why, the
// district total apart from city and province money, the non-cash benefits
// that may apply, and the policy-year caveat.
func (r Report) Text() string {
	var b strings.Builder
	title := "奖励测算"
	switch {
	case r.Notice != "" && r.PolicyYear > 0:
		title = fmt.Sprintf("奖励测算（依据%s，%d政策年度）", r.Notice, r.PolicyYear)
	case r.Notice != "":
		title = fmt.Sprintf("奖励测算（依据%s）", r.Notice)
	}
	b.WriteString(title + "\n")
	if r.PolicyYearEnded {
		fmt.Fprintf(&b, "注意：这是按%d政策年度的标准所作的估算。该年度已经结束，申报时间已过，以下金额不代表现在还能申请。\n", r.PolicyYear)
	}
	var district, other []Item
	for _, it := range r.Items {
		if it.Level == r.local() {
			district = append(district, it)
		} else {
			other = append(other, it)
		}
	}
	year := ""
	if r.PolicyYear > 0 {
		year = fmt.Sprintf("%d政策年度", r.PolicyYear)
	}
	local := zhtext.LevelName(r.local())
	funding := ""
	if r.LocalFunding != "" {
		funding = "（" + r.LocalFunding + "）"
	}
	fmt.Fprintf(&b, "\n【%s奖励】%s合计 %s%s\n", local, year, zhtext.FormatYuan(r.DistrictTotalYuan), funding)
	if len(district) == 0 {
		fmt.Fprintf(&b, "按目前提供的情况，暂未测算出%s奖励。\n", local)
	}
	writeItems(&b, district)
	if len(other) > 0 {
		fmt.Fprintf(&b, "\n【%s奖励】%s合计 %s（由上级认定和拨付，不计入%s合计）\n", r.OtherLevels, year, zhtext.FormatYuan(r.OtherLevelsTotalYuan), local)
		writeItems(&b, other)
	}
	if len(r.Excluded) > 0 {
		b.WriteString("\n【未计入的奖励】\n")
		for _, e := range r.Excluded {
			fmt.Fprintf(&b, "- %s %s：%s\n", e.Ref, e.Title, strings.TrimSuffix(e.Reason, "。"))
		}
	}
	if len(r.Unanswered) > 0 {
		b.WriteString("\n【没有回答的问题】（回答后结果可能变化）\n")
		for _, u := range r.Unanswered {
			how := "跳过"
			if u.Unsure {
				how = "不清楚"
			}
			fmt.Fprintf(&b, "- %s（%s）：%s\n", u.Question, how, strings.TrimSuffix(u.Why, "。"))
		}
	}
	if len(r.Estimates) > 0 {
		b.WriteString("\n【按估计计算的回答】\n")
		for _, e := range r.Estimates {
			fmt.Fprintf(&b, "- 假设：%s\n", e)
		}
	}
	if len(r.Benefits) > 0 {
		b.WriteString("\n【可能适用的非资金支持】（是否适用取决于企业的具体情况）\n")
		for _, bf := range r.Benefits {
			fmt.Fprintf(&b, "- %s %s：%s适用条件：%s。\n", bf.Ref, bf.Title, bf.Text, bf.Condition)
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n【说明】\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

// local is the level of the notice's own awards (district by default).
func (r Report) local() string {
	if r.LocalLevel == "" {
		return LevelDistrict
	}
	return r.LocalLevel
}

func writeItems(b *strings.Builder, items []Item) {
	for i, it := range items {
		fmt.Fprintf(b, "%d. %s（%s，%s）：%s\n", i+1, it.Title, it.Ref, zhtext.LevelName(it.Level), zhtext.FormatYuan(it.AmountYuan))
		if it.Arithmetic != "" {
			fmt.Fprintf(b, "   计算：%s\n", it.Arithmetic)
		}
		fmt.Fprintf(b, "   依据：%s：“%s”\n", it.Ref, strings.TrimSuffix(it.Basis, "。"))
		for _, n := range it.Notes {
			fmt.Fprintf(b, "   注：%s\n", n)
		}
		if it.Units != "" {
			fmt.Fprintf(b, "   责任单位：%s\n", it.Units)
		}
	}
}
