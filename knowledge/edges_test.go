package knowledge

import (
	"strings"
	"testing"
)

// TestAskEdges: questions outside the loaded notices are declined by kind,
// say why, and never land on a measure; amounts of other levels that the
// notice states, and the district's own questions, stay answered.
func TestAskEdges(t *testing.T) {
	b := mustBuiltin(t)
	tests := []struct {
		q        string
		answered bool
		kind     string
		wantIn   []string
		wantOut  []string
	}{
		// another place, by name, typo or a short form after its city
		{"盂县对白名单企业的奖励标准是多少", false, KindOtherPlace, []string{"盂县", "阳泉市城区", "当地政府的有关部门"}, nil},
		{"于县专精特新配套奖励多少", false, KindOtherPlace, []string{"盂县"}, nil},
		{"晋城城区的白名单奖励", false, KindOtherPlace, []string{"晋城市城区"}, nil},
		{"太原小店的技改补贴", false, KindOtherPlace, []string{"小店区"}, nil},
		{"大同市城区小升规奖励", false, KindOtherPlace, []string{"已撤销"}, nil},
		// 城区 alone, 区里 and the city above are ours
		{"城区白名单奖励1-2月份咋算", true, "", []string{"二十条第2条"}, nil},
		{"来电人咨询阳泉市对链主企业本地配套采购奖励最高50万元的政策如何落实", true, "", []string{"50万元"}, nil},
		// a level's own programme the notice does not state
		{"省里对小升规企业奖多少钱", false, KindOtherLevel, []string{"省级", "区级"}, []string{"您问的是区级"}},
		{"省工信厅白名单企业有哪些优惠", false, KindOtherLevel, []string{"省级"}, nil},
		{"市工信局白名单奖励标准", false, KindOtherLevel, []string{"市级", "落实省工信厅和市工信局有关“白名单”企业奖励政策"}, nil},
		{"国家小巨人认定需要什么条件", false, KindOtherLevel, []string{"认定"}, nil},
		// …but amounts of other levels the notice states are in scope
		{"国家级专精特新小巨人省市给多少、区里配套多少", true, "", []string{"100万元", "5万元"}, nil},
		{"重点新材料首批次产品保险补偿的省级补贴标准是什么", true, "", []string{"80%", "500万元"}, nil},
		{"评上省级专精特新了区里配套多少", true, "", []string{"2万元"}, nil},
		// programmes no clause has, said in plain words
		{"企业上市有奖励吗", false, KindNotInNotice, []string{"没有"}, []string{"【二十条第2条】"}},
		{"电费能补贴吗", false, KindNotInNotice, []string{"没有", "二十条第5条"}, []string{"首台套"}},
		// 财税 in general is ind-13's (落实国家、省、市…各项惠企政策, with the tax office)
		{"税费减免能享受哪些", true, "", []string{"二十条第13条"}, nil},
		{"限行的时候私家车能走吗", false, KindNotInNotice, nil, nil},
		{"绿色通道是什么意思，考试用的", false, KindNotInNotice, nil, nil},
		// a word that runs on from a measure's phrase is another sense (周转房 after 应急周转)
		{"应急周转房申请", false, KindNotInNotice, []string{"周转房"}, nil},
		{"应急周转资金能用来交房租吗", true, "", []string{"二十条第11条"}, nil},
		// an owner's own words for a measure's matter
		{"贷款马上到期了手里没钱还", true, "", []string{"二十条第11条"}, nil},
		{"我们给大厂配套供货", true, "", []string{"二十条第4条"}, nil},
		{"办个手续跑了好几个部门", true, "", []string{"十八条第13条"}, nil},
		{"停工的项目想重新开工", true, "", []string{"十八条第1条"}, nil},
		// 保费 inside 担保费 is not ind-16's insurance premium
		{"担保费补贴怎么申请", true, "", []string{"二十条第12条"}, []string{"二十条第16条"}},
		{"省里担保费补贴怎么申请", false, KindOtherLevel, []string{"省级"}, nil},
		// another document or year
		{"晋政发〔2022〕25号文件说的啥", false, KindOtherNotice, []string{"晋政发〔2022〕25号", "城政办发〔2023〕5号"}, nil},
		{"《阳泉市加快工业企业复工复产二十条措施》中关于白名单的规定", false, KindOtherNotice, []string{"根据它制定的", "《二十条》"}, nil},
		{"2025年城区工业企业开门红奖励政策是什么", false, KindOtherNotice, []string{"2025年"}, nil},
		// a newer policy asked for: said as such, not with the cue quoted
		{"今年区里出新的二十条了吗", false, KindOtherNotice, []string{"您问的是今年新出台的政策或文件", "城政办发〔2023〕5号"}, []string{"“出新的”"}},
		{"二十条有新版吗", false, KindOtherNotice, []string{"您问的是新出台的政策或文件"}, []string{"“新版”"}},
		{"这些政策是哪一年出的", true, KindNoticeFact, []string{"2023年2月13日"}, nil},
		// a recognition's criteria, though 标准 is also a word of money
		{"国家级专精特新小巨人的认定标准是什么", false, KindOtherLevel, nil, []string{"金额："}},
		// another level's timetable; the district's is the clause's
		{"工信部的小巨人名单啥时候公布", false, KindOtherLevel, []string{"国家级"}, nil},
		{"小升规奖励什么时候发", true, "", []string{"二十条第2条"}, nil},
		// a level's policies the measure does not state
		{"省里给链主企业的政策有哪些", false, KindOtherLevel, []string{"省级"}, nil},
		{"解读那张图片上写的啥", false, KindOtherNotice, []string{"图片"}, nil},
		// programmes no clause contains: said plainly, ind-13 offered as where to ask
		{"稳岗返还今年咋申请", false, KindNotInNotice, []string{"没有“稳岗返还”的规定", "二十条第13条"}, nil},
		{"研发费用加计扣除比例是多少", false, KindNotInNotice, []string{"研发费用加计扣除"}, []string{"2万元"}},
		// another sense of a measure's word
		{"路由器白名单怎么设置", false, KindNotInNotice, []string{"不是一回事", "二十条第2条"}, nil},
		{"图书馆的书能随借随还吗", false, KindNotInNotice, []string{"随借随还"}, nil},
		{"随借随还的贷款模式", true, "", []string{"二十条第11条"}, nil},
		// a person's own affairs: the kind of office, no contact details
		{"我在厂里干活受伤了工伤怎么认定", false, KindOutOfScope, []string{"人社部门"}, nil},
		{"高校毕业生申请人才公寓需要什么条件", false, KindOutOfScope, []string{"人才"}, nil},
		// small talk never lands on a measure
		{"你是真人还是机器人啊🤔", false, "chitchat:who", nil, []string{"【"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			a := b.Ask(tt.q, 3, fixedNow)
			if a.Answered != tt.answered || a.Kind != tt.kind {
				t.Fatalf("Ask(%q) = answered %v kind %q, want %v %q\n%s", tt.q, a.Answered, a.Kind, tt.answered, tt.kind, a.Text)
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
			if containsContact(a.Text) {
				t.Errorf("Ask(%q) gives a phone number or URL: %q", tt.q, a.Text)
			}
		})
	}
}

// TestAskOtherPlaceWithItsNotice: once a notice of another place is loaded,
// a question about that place is answered from it alone.
func TestAskOtherPlaceWithItsNotice(t *testing.T) {
	parts, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	yu := &Notice{Office: "盂县人民政府办公室", Place: "盂县", DocNo: "盂政办发〔2023〕9号", Packages: []Package{{
		Key: "yu", Name: "十条", Title: "盂县支持工业企业发展十条措施", Measures: []Measure{
			{ID: "yu-01", Package: "十条", Number: 1, Title: "支持白名单企业", Text: "支持白名单企业。对县级重点工业企业白名单企业给予奖励。", Units: []string{"盂县工信局"}},
			{ID: "yu-02", Package: "十条", Number: 2, Title: "保障用工", Text: "保障用工。组织招聘活动。", Units: []string{"盂县人社局"}},
		}}}}
	b := newBase([]*Notice{parts.notice, yu}, parts.lex, nil)
	b.norm = parts.norm
	b.ix.Store(buildIndex(b.measures, parts.lex, nil, b.norm))
	a := b.Ask("盂县对白名单企业的奖励咋算的", 3, fixedNow)
	if len(a.Results) == 0 || a.Results[0].ID != "yu-01" {
		t.Fatalf("Ask about 盂县 with its notice loaded = %+v, want yu-01 first", a.Results)
	}
	for _, r := range a.Results {
		if !strings.HasPrefix(r.ID, "yu-") {
			t.Errorf("Ask about 盂县 lists %s, a measure of another place", r.ID)
		}
	}
	// the district's own question still comes from the district's notice
	if a := b.Ask("城区白名单企业奖励标准", 3, fixedNow); len(a.Results) == 0 || a.Results[0].ID != "ind-02" {
		t.Errorf("Ask about 城区 = %v, want ind-02 first", a.Results)
	}
	// a plain-word question confined to that place's notice is answered on
	// a likely hit: its measures have no lexicon to be sure by
	if a := b.Ask("盂县用工方面有什么支持", 3, fixedNow); !a.Answered || len(a.Results) == 0 || a.Results[0].ID != "yu-02" {
		t.Errorf("Ask(盂县用工方面有什么支持) = answered %v, %v (confidence %.2f), want yu-02 answered", a.Answered, a.Results, a.Confidence)
	}
	// the facts of the notice a question's place names: its own, not the district's
	for _, tc := range []struct{ q, want, not string }{
		{"盂县的文件文号是多少", "盂政办发〔2023〕9号", "城政办发"},
		{"盂县的政策一共几条", "共2条", "二十条"},
		{"盂县的文件是哪天发的", "盂政办发〔2023〕9号", "城政办发"},
		{"城区的政策还有效吗", "《十八条》", "盂县"},
	} {
		a := b.Ask(tc.q, 3, fixedNow)
		if a.Kind != KindNoticeFact || !strings.Contains(a.Text, tc.want) || strings.Contains(a.Text, tc.not) {
			t.Errorf("Ask(%q) = %s %q, want the fact with %q and without %q", tc.q, a.Kind, a.Text, tc.want, tc.not)
		}
	}
}

// TestAskNowLeadsWithDates: a question about today (现在还能…吗, 明年还有吗)
// answered from a measure whose dates have passed says so first; the same
// measure asked about without "now" keeps its dates at the end.
func TestAskNowLeadsWithDates(t *testing.T) {
	b := mustBuiltin(t)
	for _, tc := range []struct {
		q     string
		first bool
	}{
		{"现在还能申请一季度产值增长奖励吗", true},
		{"今年还有一季度产值增长奖励吗", true},
		{"一季度产值增长奖励多少", false},
		{"明年还有专精特新配套奖励吗", false}, // the 二十条 states no term: nothing has passed
	} {
		a := b.Ask(tc.q, 3, fixedNow)
		if !a.Answered {
			t.Errorf("Ask(%q) not answered: %s", tc.q, a.Text)
			continue
		}
		if got := strings.HasPrefix(a.Text, "时效提示"); got != tc.first {
			t.Errorf("Ask(%q) opens with the dates = %v, want %v: %.80s", tc.q, got, tc.first, a.Text)
		}
	}
}

// TestAskTopic: a reply an out-of-scope topic decided names it; others do
// not.
func TestAskTopic(t *testing.T) {
	b := mustBuiltin(t)
	for _, tt := range []struct{ q, topic, kind string }{
		{"工伤了找谁", "工伤", KindOutOfScope},
		{"稳岗返还怎么申请", "稳岗返还与就业补贴", KindNotInNotice},
		{"刚评上小巨人区里给多少", "", ""},
		{"盂县小升规给多少", "", KindOtherPlace},
	} {
		if a := b.Ask(tt.q, 3, fixedNow); a.Topic != tt.topic || a.Kind != tt.kind {
			t.Errorf("Ask(%q): topic %q, kind %q; want %q, %q", tt.q, a.Topic, a.Kind, tt.topic, tt.kind)
		}
	}
}
