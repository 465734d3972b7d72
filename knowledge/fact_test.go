package knowledge

import (
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

// TestAskNoticeFacts: the notice's own facts, one row per kind (文号, dates
// of issue and publication, issuer, addressees, each package's validity,
// clause dates and starts, how many measures, the 三个平台, the basis).
func TestAskNoticeFacts(t *testing.T) {
	b := mustBuiltin(t)
	early := time.Date(2023, 6, 1, 9, 0, 0, 0, zhtext.China())
	tests := []struct {
		name    string
		q       string
		now     time.Time
		kind    string // KindNoticeFact, or "" for a measure's answer
		wantIn  []string
		wantOut []string
	}{
		{"文号", "这个通知的文号是多少？", fixedNow, KindNoticeFact, []string{"城政办发〔2023〕5号"}, nil},
		{"印发", "这份通知是哪天印发的，落款日期是哪天？", fixedNow, KindNoticeFact, []string{"2023年2月13日"}, nil},
		{"发布", "城政办发〔2023〕5号是什么时候发布的？", fixedNow, KindNoticeFact, []string{"2023年4月24日"}, nil},
		{"印发和发布", "印发日期和发布日期分别是哪天", fixedNow, KindNoticeFact, []string{"2023年2月13日", "2023年4月24日"}, nil},
		{"发文机关", "这个文件是谁发的", fixedNow, KindNoticeFact, []string{"阳泉市城区人民政府办公室"}, nil},
		{"发文机关，口语", "这政策是哪个部门写的", fixedNow, KindNoticeFact, []string{"阳泉市城区人民政府办公室"}, nil},
		{"主送", "通知是发给哪些单位的？", fixedNow, KindNoticeFact, []string{"义井镇人民政府、各街道办事处、区直各单位"}, nil},
		{"十八条已到期", "十八条措施现在还有效吗？", fixedNow, KindNoticeFact, []string{"有效期1年", "2024年2月12日", "已经到期"}, []string{"仍在有效期"}},
		{"十八条当时有效", "十八条措施现在还有效吗？", early, KindNoticeFact, []string{"2024年2月12日", "仍在有效期内"}, []string{"到期"}},
		{"二十条没有写明", "二十条的有效期是多久？", fixedNow, KindNoticeFact,
			[]string{"没有写明整体有效期", "属于《十八条》", "第11条", "第14条“从2023年起”"}, []string{"二十条有效期1年", "《二十条》：原文"}},
		{"两项都问", "这个政策什么时候到期", fixedNow, KindNoticeFact, []string{"《二十条》没有写明", "《十八条》：原文"}, nil},
		{"条款期限", "小微企业贷款延期最长到什么时候？", fixedNow, "", []string{"2023年6月30日", "已过"}, nil},
		{"从2023年起", "技改研发奖励是从哪年开始的，有截止时间吗？", fixedNow, "", []string{"从2023年起", "没有截止日期"}, []string{"已过", "已失效"}},
		{"一个包多少条", "二十条一共多少条措施", fixedNow, KindNoticeFact, []string{"共20条措施", "5个部分"}, []string{"38"}},
		{"一共多少条", "这个通知一共包含多少条措施", fixedNow, KindNoticeFact, []string{"共20条", "共18条", "一共38条"}, nil},
		{"三个平台", "三个平台是哪三个", fixedNow, "", []string{"一站式企业服务平台", "政银企融资平台", "对外交流平台"}, nil},
		{"受理渠道和模式", "企业问题按哪几种模式协调办理", fixedNow, "", []string{"分级、分类、综合"}, nil},
		{"全称", "二十条的全称是什么", fixedNow, KindNoticeFact, []string{"《阳泉市城区加快工业企业复产达产二十条措施》"}, nil},
		{"公开", "这个文件是公开发布的吗", fixedNow, KindNoticeFact, []string{"此件公开发布"}, nil},
		{"落款单位", "落款单位是哪个", fixedNow, KindNoticeFact, []string{"阳泉市城区人民政府办公室"}, nil},
		{"依据", "十八条是根据哪个文件制定的", fixedNow, KindNoticeFact, []string{"《阳泉市狠抓项目建设扩大有效投资十八条措施》"}, nil},
		// not facts of the notice: a licence's and a loan's dates are the measure's
		{"执照过期", "营业执照过期了来不及换怎么办", fixedNow, "", []string{"二十条第8条"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := b.Ask(tt.q, 3, tt.now)
			if !a.Answered || a.Kind != tt.kind {
				t.Fatalf("Ask(%q) = answered %v kind %q, want answered, kind %q\n%s", tt.q, a.Answered, a.Kind, tt.kind, a.Text)
			}
			if tt.kind == KindNoticeFact && len(a.Results) != 0 {
				t.Errorf("Ask(%q) lists measures %v for a fact of the notice", tt.q, a.Results)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(a.Text, w) {
					t.Errorf("Ask(%q) text lacks %q:\n%s", tt.q, w, a.Text)
				}
			}
			for _, w := range tt.wantOut {
				if strings.Contains(a.Text, w) {
					t.Errorf("Ask(%q) text has %q:\n%s", tt.q, w, a.Text)
				}
			}
		})
	}
}

// TestAskAmountsWithConditions: "X 给多少" is answered with X's amounts,
// each with its level and condition, and not with every amount of the
// measure (ind-02, ind-03, ind-04, ind-14, ind-15, ind-16).
func TestAskAmountsWithConditions(t *testing.T) {
	b := mustBuiltin(t)
	tests := []struct {
		q       string
		id      string
		wantIn  []string
		wantOut []string
	}{
		// ind-02: 小升规 is 2万 (当年度) and 3万 (连续三年在规); 5万 is the growth award's
		{"小升规给多少钱？", "ind-02", []string{"2万元（“小升规”重点培育企业当年度实现“小升规”）", "3万元（“小升规”重点培育企业连续三年在规）"}, []string{"5万元"}},
		{"产值同比增长100%以上奖多少", "ind-02", []string{"5万元（规上工业企业", "100%以上"}, []string{"小升规”重点培育企业当年度"}},
		// ind-03: the 小巨人 amounts of both levels, not 专精特新's 30万/2万
		{"国家级小巨人区级配套多少", "ind-03", []string{"区级 ", "5万元", "省级 ", "100万元"}, []string{"30万元（", "2万元（"}},
		{"单项冠军企业区级奖励多少", "ind-03", []string{"3万元（2020年以来首次认定的“单项冠军”企业"}, []string{"5万元（"}},
		// ind-04: the 链主's city award, not the 白名单 enterprises' 5万
		{"链主企业本地配套奖励最高多少", "ind-04", []string{"市级 最高50万元", "1%"}, []string{"最高5万元"}},
		{"白名单企业在区内多采购原料有奖励吗", "ind-04", []string{"区级 最高5万元"}, []string{"最高50万元"}},
		// ind-14: 技改 has no district figure (see ind-15); 研发机构 is 2万, not 研发经费's 1万
		{"技改项目区里奖多少钱", "ind-14", []string{"没有写明“技术改造”的金额", "另见【二十条第15条】", "争取市级奖励"}, []string{"研发机构", "2万元", "1万元"}},
		{"有研发机构的企业区里奖多少", "ind-14", []string{"2万元（", "从2023年起"}, []string{"1万元（"}},
		// ind-15: the revenue awards with their thresholds
		{"营业收入首次突破5000万元奖励多少", "ind-15", []string{"2万元（营业收入首次突破5000万元）"}, nil},
		// ind-16: 首台套 has no figure; 80%/500万 are 首批次's, quoted with the misprint noted
		{"首台套补贴比例是多少", "ind-16", []string{"没有写明“首台套”的金额"}, []string{"80%", "500万"}},
		{"新材料首批次保险补偿省级补贴比例和上限是多少", "ind-16", []string{"省级 80%", "最高500万元", "原文印作“首控次”，应为“首批次”"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			a := b.Ask(tt.q, 3, fixedNow)
			if !a.Answered || len(a.Results) == 0 || a.Results[0].ID != tt.id {
				t.Fatalf("Ask(%q) = answered %v %v, want %s\n%s", tt.q, a.Answered, a.Results, tt.id, a.Text)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(a.Text, w) {
					t.Errorf("Ask(%q) text lacks %q:\n%s", tt.q, w, a.Text)
				}
			}
			for _, w := range tt.wantOut {
				if strings.Contains(a.Text, w) {
					t.Errorf("Ask(%q) text has %q:\n%s", tt.q, w, a.Text)
				}
			}
		})
	}
}

// TestQuotesMarkOmissions: a quote that leaves words of a sentence out, or
// sentences between two it quotes, says so with …
func TestQuotesMarkOmissions(t *testing.T) {
	b := mustBuiltin(t)
	for _, q := range []string{"专精特新奖励", "小巨人奖多少", "三个平台是哪三个", "首批次保费补贴", "担保费率降到多少", "链主企业配套奖励最高多少"} {
		a := b.Ask(q, 3, fixedNow)
		var quote string
		for _, line := range strings.Split(a.Text, "\n") {
			if s, ok := strings.CutPrefix(line, "政策原文："); ok {
				quote = s
			}
		}
		if quote == "" {
			continue
		}
		m := a.Results[0].Measure
		if i := strings.Index(quote, "（原文"); i >= 0 {
			quote = quote[:i] // the note on a repaired misprint
		}
		for _, piece := range strings.Split(quote, "…") {
			if piece != "" && !strings.Contains(m.Text, piece) {
				t.Errorf("Ask(%q) quotes %q, which is not the notice's text of %s (an omission without …?)", q, piece, m.ID)
			}
		}
	}
}
