package knowledge

import (
	"reflect"
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
