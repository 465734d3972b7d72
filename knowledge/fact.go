package knowledge

// The notice's own facts as questions: its 文号, who issued it to whom, when
// it was issued and published, how long each package is in force, how many
// measures there are and what each package is based on. They are answered
// from the parsed notices, so an ingested notice answers them too.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"huiqi/internal/zhtext"
)

// FactCues are the words that ask for a fact of the notice itself, by kind.
type FactCues struct {
	DocNo      []string `json:"doc_no"`
	Issued     []string `json:"issued"`
	Published  []string `json:"published"`
	When       []string `json:"when"` // 什么时候, 哪天: with Issued or Published
	Issuer     []string `json:"issuer"`
	Addressees []string `json:"addressees"`
	Validity   []string `json:"validity"`
	Count      []string `json:"count"`
	Basis      []string `json:"basis"`
	Title      []string `json:"title"`  // 全称, 标题
	Public     []string `json:"public"` // 是否公开发布
	// Now are the words that ask whether something still holds today
	// (现在还能申请吗, 今年还有吗): an answer from a measure whose dates
	// have passed then says so first.
	Now []string `json:"now"`
	// Subjects name the notice or its packages in general (通知, 文件, 这个
	//政策): with them a fact cue asks about the notice even when a
	// measure's words are in the question too.
	Subjects []string `json:"subjects"`
}

// reClauseRef is a clause cited by number (第14条): a fact cue then asks
// about the clause, which the measure's answer covers.
var reClauseRef = lazyRE(`第\s*[0-9一二三四五六七八九十]+\s*条`)

// noticeFact answers a question about the notice itself, or reports false.
func (b *Base) noticeFact(qq *query, ix *index, now time.Time) (string, bool) {
	fc := &ix.common.Facts
	nq := qq.norm
	if len(b.notices) == 0 || reClauseRef.MatchString(nq) {
		return "", false
	}
	has := func(list []string) bool { return cueIn(nq, list) != "" }
	pkgs := b.packagesNamed(nq)
	// A question about the policy of a place whose notice is loaded (武乡的
	// 政策现在还有效吗) asks that notice's facts.
	n := b.notices[0]
	placed := false
	if len(pkgs) > 0 {
		if pn := b.noticeOfPackage(pkgs[0]); pn != nil {
			n = pn
		}
	} else if pn := b.noticeOfPlace(qq, ix); pn != nil {
		n, placed = pn, true
		for i := range pn.Packages {
			pkgs = append(pkgs, &pn.Packages[i])
		}
	}
	// Only a question about the notice or a package asks for its facts:
	// 执照过期了 is about a licence, and 贷款到期 about a loan.
	subject := len(pkgs) > 0 && !placed || has(fc.Subjects) || b.docNoNamed(nq) ||
		placed && (has(ix.common.Documents.DocNouns) || has(ix.common.Documents.Generic))
	// 文号 and 印发/落款 dates are the notice's whatever the question names.
	var docIssuer []string // 落款单位, 发文机关: of a document whatever else is named
	for _, w := range fc.Issuer {
		if strings.Contains(w, "落款") || strings.Contains(w, "发文") || strings.Contains(w, "印发") {
			docIssuer = append(docIssuer, w)
		}
	}
	own := has(fc.DocNo) || (has(docIssuer) || has(fc.Issued) && has(fc.When)) && len(qq.found) == 0
	if !subject && !own {
		return "", false
	}
	var parts []string
	switch {
	case has(fc.DocNo):
		parts = append(parts, b.docNoFact(n))
	case has(fc.Title) && subject:
		parts = append(parts, b.titleFact(n, pkgs))
	case has(fc.Public):
		parts = append(parts, b.datesFact(n))
	case has(fc.Issuer) || has(fc.Addressees) || has(fc.When) && (has(fc.Issued) || has(fc.Published)):
		if has(fc.Issuer) || has(fc.When) {
			parts = append(parts, b.datesFact(n))
		}
		if has(fc.Addressees) {
			parts = append(parts, b.addresseesFact(n))
		}
	case has(fc.Validity):
		parts = append(parts, b.validityFact(pkgs, now)...)
	case has(fc.Count):
		parts = append(parts, b.countFact(pkgs))
	case has(fc.Basis):
		parts = append(parts, b.basisFact(pkgs)...)
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "\n"), true
}

// noticeOfPlace is the loaded notice of a place the question names (the
// first such place), or nil.
func (b *Base) noticeOfPlace(qq *query, ix *index) *Notice {
	if ix.gaz == nil {
		return nil
	}
	for _, m := range qq.places {
		for _, n := range b.notices {
			if np, ok := ix.gaz.Lookup(n.Place); ok && np == m.Place {
				return n
			}
		}
	}
	return nil
}

// packagesNamed are the packages a question names (二十条, 十八条, or a
// short title), in the notices' order.
func (b *Base) packagesNamed(nq string) []*Package {
	sc := b.Scope()
	var out []*Package
	for _, n := range b.notices {
		for i := range n.Packages {
			p := &n.Packages[i]
			names := []string{p.Name, p.Title}
			for _, s := range sc.Packages {
				if s.Title == p.Title {
					names = append(names, s.Short)
				}
			}
			for _, name := range names {
				if name = basicNormalize(name); name != "" && strings.Contains(nq, name) && !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// docNoNamed reports a question that cites a loaded notice's 文号.
func (b *Base) docNoNamed(nq string) bool {
	for _, m := range reDocNoQ.FindAllStringSubmatch(nq, -1) {
		if b.ownDocNo(m[1], m[2], m[3]) {
			return true
		}
	}
	return false
}

func (b *Base) docNoFact(n *Notice) string {
	s := fmt.Sprintf("这份通知是《%s》，文号%s", n.Title, n.DocNo)
	if n.Office != "" {
		s += "，" + n.Office
		if !n.Issued.IsZero() {
			s += "于" + zhtext.Date(n.Issued)
		}
		s += "印发"
	}
	return s + "。"
}

// titleFact names the notice and its packages in full.
func (b *Base) titleFact(n *Notice, pkgs []*Package) string {
	if len(pkgs) > 0 {
		var ts []string
		for _, p := range pkgs {
			ts = append(ts, fmt.Sprintf("《%s》的全称是《%s》", p.Name, p.Title))
		}
		return strings.Join(ts, "；") + "。"
	}
	var ts []string
	for _, p := range n.Packages {
		ts = append(ts, "《"+p.Title+"》（"+p.Name+"）")
	}
	return fmt.Sprintf("通知的标题是《%s》（%s），印发的是%s。", n.Title, n.DocNo, strings.Join(ts, "和"))
}

func (b *Base) datesFact(n *Notice) string {
	var sb strings.Builder
	sb.WriteString(n.DocNo)
	if n.Office != "" {
		sb.WriteString("由" + n.Office)
	}
	if !n.Issued.IsZero() {
		sb.WriteString("于" + zhtext.Date(n.Issued) + "印发（落款日期）")
	} else {
		sb.WriteString("印发（通知没有写明落款日期）")
	}
	if !n.Published.IsZero() {
		sb.WriteString("，" + zhtext.Date(n.Published) + "在网上发布")
	}
	if n.Public {
		sb.WriteString("，此件公开发布")
	}
	sb.WriteString("。")
	return sb.String()
}

func (b *Base) addresseesFact(n *Notice) string {
	if len(n.Addressees) == 0 {
		return n.DocNo + "没有写明主送单位。"
	}
	return fmt.Sprintf("%s主送%s。", n.DocNo, strings.Join(n.Addressees, "、"))
}

// reSince finds an open-ended start in a clause: 从2023年起.
var reSince = lazyRE(`[从自]\s*((?:19|20)\d{2})\s*年起`)

// validityFact says how long each package asked (all when none is named) is
// in force: the term a package states, or that it states none, with the
// clauses' own time limits and starts.
func (b *Base) validityFact(pkgs []*Package, now time.Time) []string {
	if len(pkgs) == 0 {
		for _, n := range b.notices {
			for i := range n.Packages {
				pkgs = append(pkgs, &n.Packages[i])
			}
		}
	}
	var out []string
	for _, p := range pkgs {
		n := b.noticeOfPackage(p)
		var sb strings.Builder
		fmt.Fprintf(&sb, "《%s》", p.Name)
		if !p.ValidUntil.IsZero() {
			from := ""
			if n != nil && !n.Issued.IsZero() {
				from = "自" + zhtext.Date(n.Issued) + "起"
			}
			fmt.Fprintf(&sb, "：原文“%s”，即%s至%s", strings.TrimSpace(p.ValidityText), from, zhtext.Date(p.ValidUntil))
			if zhtext.Day(now).After(civilDay(p.ValidUntil)) {
				fmt.Fprintf(&sb, "，到今天（%s）已经到期", zhtext.Date(now))
			} else {
				sb.WriteString("，目前仍在有效期内")
			}
			sb.WriteString("。是否有接续政策，请向各条的责任单位确认。")
			out = append(out, sb.String())
			continue
		}
		sb.WriteString("没有写明整体有效期")
		for _, q := range b.notices {
			for _, o := range q.Packages {
				if o.Title != p.Title && !o.ValidUntil.IsZero() && q == n {
					fmt.Fprintf(&sb, "（“%s”这一条属于《%s》）", strings.TrimSpace(strings.TrimRight(o.ValidityText, "。")), o.Name)
				}
			}
		}
		var limits, starts []string
		for _, m := range p.Measures {
			for _, w := range m.Windows {
				state := "已过"
				if !zhtext.Day(now).After(civilDay(w.Until)) {
					state = "未到"
				}
				limits = append(limits, fmt.Sprintf("第%d条“%s”（%s）", m.Number, windowQuote(w), state))
			}
			if mm := reSince.FindStringSubmatch(m.Text); mm != nil {
				starts = append(starts, fmt.Sprintf("第%d条“%s”", m.Number, strings.TrimSpace(mm[0])))
			}
		}
		if len(limits) > 0 {
			sb.WriteString("；个别条款写了自己的期限：" + strings.Join(limits, "、"))
		}
		if len(starts) > 0 {
			sb.WriteString("；" + strings.Join(starts, "、") + "执行，没有写截止日期")
		}
		sb.WriteString("。是否仍在执行，请向各条的责任单位确认。")
		out = append(out, sb.String())
	}
	return out
}

func (b *Base) noticeOfPackage(p *Package) *Notice {
	for _, n := range b.notices {
		for i := range n.Packages {
			if n.Packages[i].Title == p.Title {
				return n
			}
		}
	}
	return nil
}

// countFact says how many measures (and parts) each package has, and the
// total when the question asks about the whole notice.
func (b *Base) countFact(pkgs []*Package) string {
	all := len(pkgs) == 0
	if all {
		for _, n := range b.notices {
			for i := range n.Packages {
				pkgs = append(pkgs, &n.Packages[i])
			}
		}
	}
	var parts []string
	total := 0
	for _, p := range pkgs {
		var sections []string
		for _, m := range p.Measures {
			if m.Section != "" && !slices.Contains(sections, m.Section) {
				sections = append(sections, m.Section)
			}
		}
		s := fmt.Sprintf("《%s》共%d条措施", p.Name, len(p.Measures))
		if len(sections) > 0 {
			s += fmt.Sprintf("，分%d个部分", len(sections))
		}
		if p.ValidityText != "" {
			s += "，另有一段规定有效期"
		}
		parts = append(parts, s)
		total += len(p.Measures)
	}
	out := strings.Join(parts, "；")
	if all && len(pkgs) > 1 {
		out += fmt.Sprintf("；%s一共%d条措施", b.Scope().Docs(), total)
	}
	return out + "。"
}

// basisFact says what each package is based on (its preamble's 根据《…》).
func (b *Base) basisFact(pkgs []*Package) []string {
	if len(pkgs) == 0 {
		for _, n := range b.notices {
			for i := range n.Packages {
				pkgs = append(pkgs, &n.Packages[i])
			}
		}
	}
	var out []string
	for _, p := range pkgs {
		ms := reBasis.FindAllStringSubmatch(p.Preamble, -1)
		if len(ms) == 0 {
			out = append(out, fmt.Sprintf("《%s》的开头没有写明依据的文件。", p.Name))
			continue
		}
		var docs []string
		for _, m := range ms {
			docs = append(docs, "《"+m[1]+"》")
		}
		out = append(out, fmt.Sprintf("《%s》是根据%s制定的（见其开头一段）；惠企助手没有收录该文件的原文。", p.Name, strings.Join(docs, "、")))
	}
	return out
}
