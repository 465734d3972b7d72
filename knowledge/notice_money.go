package knowledge

// The money of an item as data: every sum and rate its text states, what
// kind of figure each is (an award, a range, a rate, a threshold to reach,
// a fund the government sets aside), its cap (最高不超过), the level that
// pays it (区级, 市级, 省级; the notice's own level unless a clause names
// another), whether it is paid once (一次性) or yearly, and the condition it
// belongs to. 分别给予A、B、C万元 pairs each sum with its condition in the
// list before it. A person checks and corrects these in the review file.

import (
	"math/big"
	"strings"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

const moneyNum = `(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)`

var (
	reMoneyFigure = lazyRE(moneyNum + `(亿元|万元|千元|元|%)`)
	reMoneyRange  = lazyRE(`(\d+(?:\.\d+)?)(亿元|万元|万|元|%)?(?:-|—|–|~|至|到)(\d+(?:\.\d+)?)(亿元|万元|元|%)`)
	reClauseSep   = lazyRE(`[,;:]`)
	reCapWord     = lazyRE(`(?:最高|最多|不超过|不高于|上限为?|封顶|最高不超过|累计不超过|每年最高|单个企业最高|每家最高|每户最高|单户最高)$`)
	reThreshPre   = lazyRE(`(?:突破|达到|超过|高于|低于|满|累计|完成|实现|增长|增速|增幅|提高|下降|达|首次突破|首次达到)$`)
	reFundPre     = lazyRE(`(?:不低于|不少于|总额|规模|达到)$`)
	reAwardWord   = lazyRE(`给予|奖励|奖补|补助|补贴|资助|扶持|贴息|一次性|减免|返还|支持`)
	reFundWord    = lazyRE(`资金|基金|规模|额度|预算|专项债|安排|设立|授信|投放|信贷|融资|发行|筹集|统筹`)
	reLevelPayer  = lazyRE(`(省市|国家级|中央|省级|市级|区级|县级|省财政|市财政|区财政|县财政)(?:财政)?(?:层面)?(?:再|另行|分别|一次性|按|给予)*(?:给予|奖励|补助|补贴|配套|奖补|资金|支持|资助)`)
	reEach        = lazyRE(`分别`)
	reCondVerb    = lazyRE(`被评为|评为|认定为|认定|列入|获评|获得|评定为|入选|首次突破|突破|首次达到|达到|增长|通过|获批|成为|新增`)
	reListSep     = lazyRE(`、|和|及|或`)
)

// yuanOf is a figure in whole yuan: 100万元 → 1000000 (rounded down).
func yuanOf(num, unit string) (int64, bool) {
	v, _, ok := zhtext.ParseNumber(num)
	if !ok {
		return 0, false
	}
	mult := map[string]int64{"元": 1, "千元": 1000, "万元": 10000, "万": 10000, "亿元": 100000000}[unit]
	if mult == 0 {
		return 0, false
	}
	v = new(big.Rat).Mul(v, big.NewRat(mult, 1))
	q := new(big.Int).Quo(v.Num(), v.Denom())
	if !q.IsInt64() || q.Sign() < 0 {
		return 0, false
	}
	return q.Int64(), true
}

func percentOf(num string) (float64, bool) {
	v, _, ok := zhtext.ParseNumber(num)
	if !ok {
		return 0, false
	}
	f, _ := v.Float64()
	return f, f >= 0 && f <= 1000
}

// figure is one sum or rate found in a sentence.
type figure struct {
	st, en int // in the sentence
	text   string
	unit   string
	yuan   int64
	min    int64
	pct    float64
	rng    bool
}

// sentenceFigures finds the figures of a sentence (spaces removed), ranges
// first.
func sentenceFigures(s string) []figure {
	var out []figure
	covered := func(a, b int) bool {
		for _, f := range out {
			if a < f.en && f.st < b {
				return true
			}
		}
		return false
	}
	for _, m := range reMoneyRange.FindAllStringSubmatchIndex(s, -1) {
		lo, hi := s[m[2]:m[3]], s[m[6]:m[7]]
		u1, u2 := "", s[m[8]:m[9]]
		if m[4] >= 0 {
			u1 = s[m[4]:m[5]]
		}
		if u1 == "" || u1 == "万" {
			if u1 == "万" {
				u1 = "万元"
			} else {
				u1 = u2
			}
		}
		f := figure{st: m[0], en: m[1], text: s[m[0]:m[1]], unit: u2, rng: true}
		if u2 == "%" {
			if u1 != "%" {
				continue
			}
			a, ok1 := percentOf(lo)
			b, ok2 := percentOf(hi)
			if !ok1 || !ok2 {
				continue
			}
			f.pct, f.min = b, int64(a)
			_ = a
		} else {
			a, ok1 := yuanOf(lo, u1)
			b, ok2 := yuanOf(hi, u2)
			if !ok1 || !ok2 || a > b {
				continue
			}
			f.min, f.yuan = a, b
		}
		out = append(out, f)
	}
	for _, m := range reMoneyFigure.FindAllStringSubmatchIndex(s, -1) {
		if covered(m[0], m[1]) {
			continue
		}
		num, unit := s[m[2]:m[3]], s[m[4]:m[5]]
		// 2023年 and 1-2月 are not money; a number glued to letters is a code.
		if r, _ := utf8.DecodeLastRuneInString(s[:m[0]]); r >= 'A' && r <= 'z' {
			continue
		}
		f := figure{st: m[0], en: m[1], text: s[m[0]:m[1]], unit: unit}
		if unit == "%" {
			p, ok := percentOf(num)
			if !ok {
				continue
			}
			f.pct = p
		} else {
			y, ok := yuanOf(num, unit)
			if !ok || y == 0 {
				continue
			}
			f.yuan = y
		}
		out = append(out, f)
	}
	// In order of the text.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].st < out[j-1].st; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// extractAmounts reads the money of an item's text; level is the notice's.
func extractAmounts(text, level string) []Amount {
	var out []Amount
	for _, raw := range reSentenceEnd.Split(text, -1) {
		s := strings.Join(strings.Fields(raw), "")
		if s == "" {
			continue
		}
		figs := sentenceFigures(s)
		if len(figs) == 0 {
			continue
		}
		out = append(out, sentenceAmounts(s, figs, level)...)
	}
	return out
}

// clauseAround is the clause of s holding [st, en): between separators.
func clauseAround(s string, st, en int) (int, int) {
	a := 0
	for _, loc := range reClauseSep.FindAllStringIndex(s[:st], -1) {
		a = loc[1]
	}
	b := len(s)
	if loc := reClauseSep.FindStringIndex(s[en:]); loc != nil {
		b = en + loc[0]
	}
	return a, b
}

func sentenceAmounts(s string, figs []figure, level string) []Amount {
	per := ""
	switch {
	case strings.Contains(s, "一次性"):
		per = "once"
	case strings.Contains(s, "每年") || strings.Contains(s, "按年") || strings.Contains(s, "逐年") || strings.Contains(s, "每一年"):
		per = "year"
	}
	// The level that pays: named in the figure's clause, else in the
	// sentence, else the notice's own.
	payer := func(text string) string {
		m := reLevelPayer.FindStringSubmatch(text)
		if m == nil {
			return ""
		}
		switch l := m[1]; {
		case strings.HasPrefix(l, "省"):
			return "province"
		case strings.HasPrefix(l, "市"):
			return "city"
		case strings.HasPrefix(l, "区"):
			return "district"
		case strings.HasPrefix(l, "县"):
			return "county"
		case l == "国家级" || l == "中央":
			return "national"
		}
		return ""
	}
	lvl := level
	if l := payer(s); l != "" {
		lvl = l
	}
	kinds := make([]AmountKind, len(figs))
	caps := make([]bool, len(figs))
	for i, f := range figs {
		ca, cb := clauseAround(s, f.st, f.en)
		clause := s[ca:cb]
		pre := s[ca:f.st]
		post := s[f.en:cb]
		near := pre[max(0, len(pre)-18):]
		near = strings.ToValidUTF8(near, "")
		switch {
		case strings.HasPrefix(post, "以上") || strings.HasPrefix(post, "及以上") || strings.HasPrefix(post, "(含)以上") || strings.HasPrefix(post, "以下") || strings.HasPrefix(post, "(含)"):
			kinds[i] = KindThreshold
		case reCapWord.MatchString(near) || strings.HasPrefix(post, "以内") || strings.HasPrefix(post, "封顶"):
			caps[i] = true
			kinds[i] = KindAward
			if f.unit == "%" {
				kinds[i] = KindRate
			}
		case reFundPre.MatchString(near) && reFundWord.MatchString(clause):
			kinds[i] = KindFund
		case reThreshPre.MatchString(near) && !reAwardWord.MatchString(near):
			kinds[i] = KindThreshold
		case f.unit == "%":
			if reAwardWord.MatchString(clause) || strings.Contains(clause, "按") {
				kinds[i] = KindRate
			} else {
				kinds[i] = KindThreshold
			}
		case reAwardWord.MatchString(clause) || strings.HasSuffix(pre, "的") && reAwardWord.MatchString(post):
			kinds[i] = KindAward
		case reFundWord.MatchString(clause):
			kinds[i] = KindFund
		case reAwardWord.MatchString(s):
			kinds[i] = KindAward
		default:
			kinds[i] = KindFund
		}
		if f.rng && kinds[i] == KindAward {
			kinds[i] = KindRange
		}
		if f.rng && f.unit == "%" && kinds[i] != KindThreshold {
			kinds[i] = KindRate
		}
	}
	// A figure listed after another (1000万元、2000万元) is of its kind.
	for i := 1; i < len(figs); i++ {
		if between := s[figs[i-1].en:figs[i].st]; between == "、" || between == "和" || between == "及" || between == "或" || between == "," && figs[i].unit == figs[i-1].unit && kinds[i-1] == KindThreshold {
			kinds[i], caps[i] = kinds[i-1], caps[i-1]
		}
	}
	// The condition of each paid figure: the list before 分别 paired one to
	// one, else the text before the clause that pays.
	conds := make([]string, len(figs))
	var paid []int
	for i, k := range kinds {
		if (k == KindAward || k == KindRange || k == KindRate) && !caps[i] {
			paid = append(paid, i)
		}
	}
	if loc := reEach.FindStringIndex(s); loc != nil {
		var after []int
		for _, i := range paid {
			if figs[i].st > loc[0] {
				after = append(after, i)
			}
		}
		if list := conditionList(s[:loc[0]], figs); len(after) > 1 && len(list) == len(after) {
			for j, i := range after {
				conds[i] = list[j]
			}
		}
	}
	for i := range figs {
		if conds[i] != "" {
			continue
		}
		conds[i] = conditionBefore(s, figs[i], kinds[i])
	}
	var out []Amount
	for i, f := range figs {
		fl := lvl
		if ca, cb := clauseAround(s, f.st, f.en); payer(s[ca:cb]) != "" {
			fl = payer(s[ca:cb])
		}
		a := Amount{Kind: kinds[i], Unit: f.unit, Condition: conds[i], Level: fl, Per: per, Basis: s, Cap: caps[i]}
		switch {
		case f.unit == "%":
			a.Percent = f.pct
		case f.rng:
			a.Yuan, a.MinYuan = f.yuan, f.min
		default:
			a.Yuan = f.yuan
		}
		a.Text = f.text
		if caps[i] {
			a.Text = capWord(s[:f.st]) + f.text
		}
		if a.Kind == KindThreshold || a.Kind == KindFund {
			a.Level = ""
			a.Per = ""
		}
		out = append(out, a)
	}
	// A rate's cap: the capped sum that follows it in the sentence.
	for i := range out {
		if out[i].Kind != KindRate || out[i].Cap {
			continue
		}
		for j := i + 1; j < len(out); j++ {
			if out[j].Cap && out[j].Unit != "%" {
				out[i].CapYuan = out[j].Yuan
				if out[j].Condition == "" || out[j].Condition == out[i].Condition {
					out[j].Condition = out[i].Condition
				}
				break
			}
			if out[j].Kind == KindRate {
				break
			}
		}
	}
	return out
}

// capWord is the word that makes a sum a cap, as written before it.
func capWord(pre string) string {
	for _, w := range []string{"最高不超过", "累计不超过", "不超过", "不高于", "最高", "最多", "上限为", "上限"} {
		if i := strings.LastIndex(pre, w); i >= 0 && len(pre)-i-len(w) <= 18 {
			return w
		}
	}
	return ""
}

// conditionList is the list of conditions before 分别: 对当年评为A、B、C的 →
// 当年评为A, 当年评为B, 当年评为C; 年销售收入首次突破1000万元、2000万元的 →
// 年销售收入首次突破1000万元, …; a suffix after the last (30%、50%和100%以上)
// applies to all. nil when the text holds no list.
func conditionList(before string, figs []figure) []string {
	seg := strings.TrimRight(before, ",;:")
	seg = strings.TrimSuffix(seg, "的")
	seg = strings.TrimSuffix(seg, "的企业")
	// The list is the last clause (after the last comma), from after 对.
	if i := strings.LastIndexAny(seg, ",;:"); i >= 0 {
		seg = seg[i+1:]
	}
	for _, lead := range []string{"对于", "对"} {
		if i := strings.LastIndex(seg, lead); i >= 0 && i < len(seg)/2+len(lead) {
			seg = seg[i+len(lead):]
			break
		}
	}
	seg = strings.TrimSuffix(strings.TrimSuffix(seg, "的"), "的企业")
	parts := splitTopLevelRe(seg)
	if len(parts) < 2 {
		return nil
	}
	// The common prefix: the first part up to its verb (评为, 突破 …).
	first := parts[0]
	prefix := ""
	if locs := reCondVerb.FindAllStringIndex(first, -1); locs != nil {
		l := locs[len(locs)-1]
		prefix, parts[0] = first[:l[1]], first[l[1]:]
	} else if loc := reMoneyFigure.FindStringIndex(first); loc != nil && loc[0] > 0 {
		prefix, parts[0] = first[:loc[0]], first[loc[0]:]
	}
	if rest, ok := strings.CutPrefix(parts[0], "的"); ok && rest != "" {
		prefix, parts[0] = prefix+"的", rest // 新认定的 | 国家级
	}
	// A suffix after the last figure-like part (以上) applies to all, as
	// does the noun the last of short parts carries (国家级、省级、市级研发机构).
	suffix := ""
	last := parts[len(parts)-1]
	if loc := reMoneyFigure.FindStringIndex(last); loc != nil && loc[0] == 0 && loc[1] < len(last) {
		suffix, parts[len(parts)-1] = last[loc[1]:], last[:loc[1]]
	} else if short := parts[len(parts)-2]; utf8.RuneCountInString(short) <= 4 && utf8.RuneCountInString(last) > utf8.RuneCountInString(short)+1 {
		end, _ := utf8.DecodeLastRuneInString(short)
		if i := strings.IndexRune(last, end); i >= 0 && i+utf8.RuneLen(end) < len(last) {
			shortAll := true
			for _, p := range parts[:len(parts)-1] {
				if utf8.RuneCountInString(p) > 4 {
					shortAll = false
				}
			}
			if shortAll {
				cut := i + utf8.RuneLen(end)
				suffix, parts[len(parts)-1] = last[cut:], last[:cut]
			}
		}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil
		}
		out[i] = prefix + p + suffix
	}
	return out
}

// splitTopLevelRe splits a list at 、 and at the 和/及/或 before its last
// part, outside brackets and quotes.
func splitTopLevelRe(s string) []string {
	parts := splitTopLevel(s, "、")
	if len(parts) == 0 {
		return nil
	}
	last := parts[len(parts)-1]
	if loc := reListSep.FindAllStringIndex(last, -1); loc != nil && len(parts) >= 1 {
		l := loc[len(loc)-1]
		a, b := last[:l[0]], last[l[1]:]
		// Only when both sides are parts of the same kind (figures, or
		// names of similar length), not 研发和生产 inside one part.
		fa, fb := reMoneyFigure.MatchString(a), reMoneyFigure.MatchString(b)
		if fa && fb || !fa && !fb && a != "" && b != "" && len(parts) > 1 {
			parts = append(parts[:len(parts)-1], a, b)
		}
	}
	return parts
}

// conditionBefore is the condition of a figure without a list: the text of
// the sentence before the clause that pays it (对…的), or the clause itself
// for a threshold.
func conditionBefore(s string, f figure, k AmountKind) string {
	ca, cb := clauseAround(s, f.st, f.en)
	var c string
	switch k {
	case KindThreshold, KindFund:
		c = s[ca:cb]
	default:
		c = strings.TrimRight(s[:ca], ",;:")
		if c == "" {
			c = s[ca:f.st]
		}
		// The condition proper starts at its last 对 (…支持力度,对规模以上…的).
		if i := strings.LastIndex(c, "对"); i >= 0 && i+len("对") < len(c) {
			c = c[i+len("对"):]
		}
	}
	c = strings.TrimPrefix(c, "对于")
	c = strings.TrimPrefix(c, "对")
	c = strings.TrimSuffix(c, "给予")
	c = strings.TrimSuffix(c, "的")
	return trimRunes(strings.TrimSpace(c), 80)
}
