package knowledge

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const synthParen = `某某区人民政府办公室
关于印发某某区支持中小企业发展若干措施的通知
某政办发[2024]3号
各乡镇人民政府,区直各单位:
《某某区支持中小企业发展若干措施》已经区政府同意,现印发给你们,请认真执行。
某某区人民政府办公室
2024年3月1日
某某区支持中小企业发展若干措施
为支持中小企业发展,制定如下措施。
一、加大财政支持
（一）设立专项资金。每年安排专项资金500万元，至2024年12月31日前完成拨付。（区发改局牵头，区财政局、区审批局配合）
（二）降低融资成本。对贷款贴息50%。责任单位：区财政局、区审批局
二、优化服务
（三）开展入企服务。组织干部入企，2024年底前走访全部规上企业。（责任单位：项目推进中心等）
三、本措施自2024年4月1日起施行，有效期2年。
`

const synthTiao = `关于印发某某市稳就业办法的通知
各县区人民政府:
现将《某某市稳就业办法》印发给你们,请遵照执行。
某某市人民政府
2024年5月6日
某某市稳就业办法
第一条 为稳定就业,制定本办法。
第二条 对吸纳就业的企业给予补贴,从2024年起按年申报。责任单位:区人社局、区财政局
第三条 本办法自印发之日起施行。
`

const synthParenSections = `某某区招商办法
(一)总体要求
1、坚持市场导向。(责任单位:区商务局)
2、坚持依法依规。(责任单位:区司法局)
(二)支持政策
3、落户奖励。对新落户企业奖励10万元。(责任单位:区商务局,区财政局)
`

const synthRestart = `某某区稳增长十条措施
一、工业
1．稳住工业。(责任单位:区工信局)
2．扩大技改。(责任单位:区工信局)
二、服务业
1．促进消费。(责任单位:区商务局)
`

type synthMeasure struct {
	id, section, title string
	units              []string
	co                 int
	windows            []string
}

func TestSyntheticNotices(t *testing.T) {
	tests := []struct {
		name, src              string
		docNo, office, issued  string
		addressees             []string
		key, pkgName, pkgTitle string
		validUntil             string
		measures               []synthMeasure
	}{
		{
			name: "(一) items, 牵头/配合, half-width unit line without bracket", src: synthParen,
			docNo: "某政办发〔2024〕3号", office: "某某区人民政府办公室", issued: "2024-03-01",
			addressees: []string{"各乡镇人民政府", "区直各单位"},
			key:        "n2024-3-p1", pkgName: "某某区支持中小企业发展若干措施", pkgTitle: "某某区支持中小企业发展若干措施",
			validUntil: "2026-03-31",
			measures: []synthMeasure{
				{"n2024-3-p1-01", "一、加大财政支持", "设立专项资金", []string{"区发改局", "区财政局", "区行政审批局"}, 1, []string{"2024-12-31"}},
				{"n2024-3-p1-02", "一、加大财政支持", "降低融资成本", []string{"区财政局", "区行政审批局"}, 0, nil},
				{"n2024-3-p1-03", "二、优化服务", "开展入企服务", []string{"区项目推进中心"}, 0, []string{"2024-12-31"}},
			},
		},
		{
			name: "第一条 items, no sections", src: synthTiao,
			office: "某某市人民政府", issued: "2024-05-06", addressees: []string{"各县区人民政府"},
			key: "n20240506-p1", pkgName: "某某市稳就业办法", pkgTitle: "某某市稳就业办法",
			measures: []synthMeasure{
				{"n20240506-p1-01", "", "为稳定就业,制定本办法", []string{}, 0, nil},
				{"n20240506-p1-02", "", "对吸纳就业的企业给予补贴,从2024年起按年申报", []string{"区人社局", "区财政局"}, 0, nil},
				{"n20240506-p1-03", "", "本办法自印发之日起施行", []string{}, 0, nil},
			},
		},
		{
			name: "(一) sections over 1、 items, no header", src: synthParenSections,
			pkgName: "某某区招商办法", pkgTitle: "某某区招商办法",
			measures: []synthMeasure{
				{"-01", "(一)总体要求", "坚持市场导向", []string{"区商务局"}, 0, nil},
				{"-02", "(一)总体要求", "坚持依法依规", []string{"区司法局"}, 0, nil},
				{"-03", "(二)支持政策", "落户奖励", []string{"区商务局", "区财政局"}, 0, nil},
			},
		},
		{
			name: "numbering restarts per section", src: synthRestart,
			pkgName: "十条", pkgTitle: "某某区稳增长十条措施",
			measures: []synthMeasure{
				{"-01", "一、工业", "稳住工业", []string{"区工信局"}, 0, nil},
				{"-02", "一、工业", "扩大技改", []string{"区工信局"}, 0, nil},
				{"-03", "二、服务业", "促进消费", []string{"区商务局"}, 0, nil},
			},
		},
	}
	for _, tt := range tests {
		for _, layout := range []string{"lines", "one line"} {
			t.Run(tt.name+"/"+layout, func(t *testing.T) {
				src := tt.src
				if layout == "one line" {
					src = strings.ReplaceAll(src, "\n", "")
				}
				n, err := ParseNotice([]byte(src))
				if err != nil {
					t.Fatalf("ParseNotice() error = %v", err)
				}
				issued := ""
				if !n.Issued.IsZero() {
					issued = n.Issued.Format(time.DateOnly)
				}
				if n.DocNo != tt.docNo || n.Office != tt.office || issued != tt.issued || !reflect.DeepEqual(n.Addressees, tt.addressees) {
					t.Errorf("header = %q %q %q %q, want %q %q %q %q", n.DocNo, n.Office, issued, n.Addressees, tt.docNo, tt.office, tt.issued, tt.addressees)
				}
				if len(n.Packages) != 1 {
					t.Fatalf("packages = %d, want 1", len(n.Packages))
				}
				p := n.Packages[0]
				vu := ""
				if !p.ValidUntil.IsZero() {
					vu = p.ValidUntil.Format(time.DateOnly)
				}
				if tt.key != "" && p.Key != tt.key || p.Name != tt.pkgName || p.Title != tt.pkgTitle || vu != tt.validUntil {
					t.Errorf("package = %q %q %q %q, want %q %q %q %q", p.Key, p.Name, p.Title, vu, tt.key, tt.pkgName, tt.pkgTitle, tt.validUntil)
				}
				if len(p.Measures) != len(tt.measures) {
					t.Fatalf("measures = %d, want %d: %+v", len(p.Measures), len(tt.measures), p.Measures)
				}
				for i, w := range tt.measures {
					m := p.Measures[i]
					var wins []string
					for _, x := range m.Windows {
						wins = append(wins, x.Until.Format(time.DateOnly))
					}
					if !strings.HasSuffix(m.ID, w.id) || m.Number != i+1 || m.Section != w.section || m.Title != w.title ||
						!reflect.DeepEqual(m.Units, w.units) || m.CoUnitsFrom != w.co || !reflect.DeepEqual(wins, w.windows) {
						t.Errorf("measure %d = %q %d %q %q %q co=%d %q, want %q %q %q %q co=%d %q", i,
							m.ID, m.Number, m.Section, m.Title, m.Units, m.CoUnitsFrom, wins,
							w.id, w.section, w.title, w.units, w.co, w.windows)
					}
					if strings.Contains(m.Text, "责任单位") || strings.Contains(m.Text, "牵头") {
						t.Errorf("measure %d Text keeps its unit line: %q", i, m.Text)
					}
				}
			})
		}
	}
}

func TestUnitLineForms(t *testing.T) {
	tests := []struct {
		name, item string
		units      []string
		co         int
		text       string
	}{
		{"full-width brackets", "甲。（责任单位：区发改局、区财政局）", []string{"区发改局", "区财政局"}, 0, "甲。"},
		{"half-width, no bracket", "甲。责任单位:区发改局、区审批局", []string{"区发改局", "区行政审批局"}, 0, "甲。"},
		{"open bracket only", "甲。(责任单位:区发改局,义井镇人民政府", []string{"区发改局", "义井镇人民政府"}, 0, "甲。"},
		{"lead and co", "甲。（区发改局牵头，区财政局配合）", []string{"区发改局", "区财政局"}, 1, "甲。"},
		{"lead, several co", "甲。(区发改局、区工信局牵头,区财政局、区审批局配合)", []string{"区发改局", "区工信局", "区财政局", "区行政审批局"}, 2, "甲。"},
		{"lead only", "甲。(区商务局牵头)", []string{"区商务局"}, 0, "甲。"},
		{"labelled lead and co", "甲。(牵头单位:区发改局;配合单位:区财政局、区工信局)", []string{"区发改局", "区财政局", "区工信局"}, 1, "甲。"},
		{"(牵头) mark", "甲。(责任单位:区财政局、区发改局(牵头)、区工信局)", []string{"区发改局", "区财政局", "区工信局"}, 1, "甲。"},
		{"roles inside 责任单位", "甲。(责任单位:区发改局牵头,区财政局配合)", []string{"区发改局", "区财政局"}, 1, "甲。"},
		{"trailing 等 and period", "甲。(责任单位:区人社局、区财政局等。)", []string{"区人社局", "区财政局"}, 0, "甲。"},
		{"named in the body", "甲。专班办公室设在区工信局,各街道办事处相应成立专班。", []string{"区工信局", "各街道办事处"}, 0, "甲。专班办公室设在区工信局,各街道办事处相应成立专班。"},
		{"body lead", "甲。区商务局牵头搭建平台。", []string{"区商务局"}, 0, "甲。区商务局牵头搭建平台。"},
		{"no units", "甲。加强宣传。", []string{}, 0, "甲。加强宣传。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "某某区惠企办法\n1." + tt.item + "\n2.乙。(责任单位:区财政局)\n"
			n, err := ParseNotice([]byte(src))
			if err != nil {
				t.Fatalf("ParseNotice(%q) error = %v", src, err)
			}
			m := n.Packages[0].Measures[0]
			if !reflect.DeepEqual(m.Units, tt.units) || m.CoUnitsFrom != tt.co || m.Text != tt.text {
				t.Errorf("item %q: Units = %q co=%d Text=%q, want %q co=%d %q", tt.item, m.Units, m.CoUnitsFrom, m.Text, tt.units, tt.co, tt.text)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"还本付息日期原则上最长可延至2023年6月30日", []string{"2023-06-30"}},
		{"至2023年3月期间,不得停供", []string{"2023-03-31"}},
		{"2023年1月至3月期间,每月产值均实现正增长", []string{"2023-03-31"}},
		{"截至2024年6月底完成", []string{"2024-06-30"}},
		{"2024年底前走访全部企业", []string{"2024-12-31"}},
		{"从2023年起,区级给予2万元奖励", nil},
		{"对2020年以来首次认定的企业", nil},
		{"自2024年4月1日起施行", nil},
		{"全面梳理 2022 年中央预算内投资", nil},
		{"力争5月展开巷探", nil},
		{"2023年2月30日前完成", nil}, // no such day
		{"2023年3月31日前完成。2023年12月31日前验收", []string{"2023-03-31", "2023-12-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []string
			for _, w := range windows(tt.in) {
				got = append(got, w.Until.Format(time.DateOnly))
				if !strings.Contains(tt.in, w.Text) || w.Text == "" {
					t.Errorf("windows(%q) Text = %q, not a sentence of the input", tt.in, w.Text)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("windows(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidity(t *testing.T) {
	issued := day("2023-02-13")
	tests := []struct {
		in, want string
	}{
		{"本措施印发之日起执行,有效期1年。", "2024-02-12"},
		{"本措施自印发之日起施行,有效期一年。", "2024-02-12"},
		{"有效期6个月", "2023-08-12"},
		{"本办法自2024年4月1日起施行,有效期2年。", "2026-03-31"},
		{"本措施有效期至2025年12月31日。", "2025-12-31"},
		{"本措施自印发之日起施行。", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, ok := validity(tt.in, issued)
			got := ""
			if ok {
				got = v.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("validity(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDocNoForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"城政办发2023〕5", "城政办发〔2023〕5号"},
		{"城政办发〔2023〕5号", "城政办发〔2023〕5号"},
		{"城政办发[2023]5号", "城政办发〔2023〕5号"},
		{"城政办发(2023)05号", "城政办发〔2023〕5号"},
		{"城政办发（2023）5号", "城政办发〔2023〕5号"},
		{"城政办发【2023】5", "城政办发〔2023〕5号"},
		{"城政办发〔2023〕5 号", "城政办发〔2023〕5号"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			src := "关于印发某某办法的通知\n" + tt.in + "\n各单位:\n《某某办法》印发给你们。\n某某办公室\n2023年2月13日\n某某办法\n1.甲。(责任单位:区财政局)\n"
			n, err := ParseNotice([]byte(src))
			if err != nil {
				t.Fatalf("ParseNotice() error = %v", err)
			}
			if n.DocNo != tt.want {
				t.Errorf("DocNo of %q = %q, want %q", tt.in, n.DocNo, tt.want)
			}
		})
	}
}

// A notice whose body names no 《》: the packages are the standalone title
// lines, one of them split over two lines.
func TestTitleLines(t *testing.T) {
	src := `阳泉市城区加快工业企业复产达产二十条措施
为全面落实,制定如下措施。
一、甲
1.子。(责任单位:区工信局)
阳泉市城区狠抓项目建设扩大有效投资

十八条措施

为全面落实,制定如下措施。
一、乙
1.丑。(责任单位:区发改局)
2.寅。(责任单位:区发改局)
二、本措施印发之日起执行,有效期1年。
`
	n, err := ParseNotice([]byte(src))
	if err != nil {
		t.Fatalf("ParseNotice() error = %v", err)
	}
	var got []string
	for _, p := range n.Packages {
		got = append(got, p.Name, p.Title, strconv.Itoa(len(p.Measures)))
	}
	want := []string{"二十条", "阳泉市城区加快工业企业复产达产二十条措施", "1", "十八条", "阳泉市城区狠抓项目建设扩大有效投资十八条措施", "2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packages = %q, want %q", got, want)
	}
	if k := n.Packages[0].Key; !strings.HasPrefix(k, "x") || !strings.HasSuffix(k, "-p1") || n.Packages[1].Key != strings.TrimSuffix(k, "1")+"2" {
		t.Errorf("keys = %q %q, want x<hash>-p1 and -p2", k, n.Packages[1].Key)
	}
	if n.Packages[1].ValidityText == "" {
		t.Errorf("second package lost its closing clause")
	}
}

func TestOfficialNeedsNoConversion(t *testing.T) {
	// Loading opencc costs ~10 ms: the official text must not trigger it.
	if hasTraditional(string(OfficialSource())) {
		t.Errorf("hasTraditional(official) = true, want false")
	}
	if !hasTraditional("區審批局") {
		t.Errorf("hasTraditional(區審批局) = false, want true")
	}
}
