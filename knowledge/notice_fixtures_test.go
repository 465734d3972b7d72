package knowledge

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureFile reads a notice of testdata/notices; a .docx.xml fixture is
// the document.xml of a Word file, zipped here (no binary is committed).
func fixtureFile(t testing.TB, name string) (string, []byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "notices", name))
	if err != nil {
		t.Fatal(err)
	}
	if base, ok := strings.CutSuffix(name, ".docx.xml"); ok {
		return base + ".docx", docxOf(t, src)
	}
	return name, src
}

func docxOf(t testing.TB, documentXML []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`),
		"word/document.xml":   documentXML,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parseFixture(t testing.TB, name string) *Notice {
	t.Helper()
	file, src := fixtureFile(t, name)
	n, err := ParseNoticeFile(file, src, ParseOptions{})
	if err != nil {
		t.Fatalf("ParseNoticeFile(%s) error = %v", name, err)
	}
	return n
}

type fixtureItem struct {
	title string
	units []string
	co    int
}

// Real notices of the genre (short excerpts, see testdata/notices/README.md)
// in the formats and numbering styles the parser must read.
func TestNoticeFixtures(t *testing.T) {
	tests := []struct {
		file                        string
		format                      Format
		title, docNo, office, place string
		level, issued               string
		pkgTitle, pkgName           string
		items                       []fixtureItem
		from, until                 string
		warnings                    []int // lines
		supersedes                  []string
		noText                      []string // chrome that must be gone
		notCitedDocNo               string
	}{
		{
			file: "guandu-2016.txt", format: FormatText,
			office: "昆明市官渡区人民政府", place: "昆明市官渡区", level: "district",
			pkgTitle: "", pkgName: "",
			items: []fixtureItem{
				{"精简项目审批手续", []string{"区政务服务局", "区发改局", "区审改办", "区住建局", "区级相关部门"}, 1},
				{"提高土地审批效率", []string{"区国土分局", "区规划分局", "区级相关部门"}, 1},
				{"提高环评审批效率", []string{"区环保局", "区水务局", "区级相关部门"}, 1},
				{"加强项目谋划储备", []string{"区发改局", "区财政局", "区交运局", "区经贸投促局", "区住建局", "区水务局", "区国投公司", "各街道办事处"}, 1},
			},
			noText: []string{"www.kmgd"}, notCitedDocNo: "昆政发〔2016〕13号",
		},
		{
			file: "yangpu-2022.html", format: FormatHTML,
			title: "关于印发《杨浦区全力加快经济恢复和重振行动方案》的通知", docNo: "杨府发〔2022〕5号",
			office: "上海市杨浦区人民政府", place: "上海市杨浦区", level: "district", issued: "2022-06-01",
			pkgTitle: "杨浦区全力加快经济恢复和重振行动方案", pkgName: "杨浦区全力加快经济恢复和重振行动方案",
			items: []fixtureItem{
				{"支持企业复工复产复市", []string{}, 0},
				{"减免中小微企业房屋租金", []string{}, 0},
			},
			noText: []string{"分享到", "打印本页", "版权所有", "var _hmt", "互动交流", "浏览次数"},
		},
		{
			file: "huaihua-2023.docx.xml", format: FormatDocx,
			title: "关于印发《怀化市贯彻落实〈关于打好经济增长主动仗实现经济运行整体好转的若干政策措施〉实施方案》的通知",
			docNo: "怀政办发〔2023〕9号", office: "怀化市人民政府办公室", place: "怀化市", level: "city", issued: "2023-03-15",
			pkgTitle: "怀化市贯彻落实《关于打好经济增长主动仗实现经济运行整体好转的若干政策措施》实施方案",
			pkgName:  "怀化市贯彻落实《关于打好经济增长主动仗实现经济运行整体好转的若干政策措施》实施方案",
			items: []fixtureItem{
				{"加大促消费活动和消费补贴力度", []string{}, 0},
			},
			notCitedDocNo: "湘政办发〔2023〕4号",
		},
		{
			file: "xianyang-2022.txt", format: FormatText,
			title: "咸阳市2022年深化“放管服”改革最佳化营商环境工作要点", place: "咸阳市", level: "city",
			pkgTitle: "咸阳市2022年深化“放管服”改革最佳化营商环境工作要点", pkgName: "咸阳市2022年深化“放管服”改革最佳化营商环境工作要点",
			items: []fixtureItem{
				{"全面实施行政许可事项清单管理", []string{"市政府办公室", "市行政审批制度改革工作领导小组办公室", "市级各有关部门", "各县市区政府"}, 2},
				{"持续深化相对集中行政许可权改革", []string{"市政府办公室", "市行政审批局", "市级各有关部门"}, 2},
			},
			noText: []string{"全文"},
		},
		{
			file: "beijing-2016.txt", format: FormatText,
			title: "关于印发〈北京市2016年政务公开工作要点〉的通知", docNo: "京政办发〔2016〕26号",
			office: "北京市人民政府办公厅", place: "北京市", level: "city", issued: "2016-05-28",
			pkgTitle: "北京市2016年政务公开工作要点", pkgName: "北京市2016年政务公开工作要点",
			items: []fixtureItem{
				{"进一步推进权力清单和责任清单公开", []string{}, 0},
				{"推进行政审批信息公开", []string{}, 0},
			},
			notCitedDocNo: "中办发〔2016〕8号",
		},
		{
			file: "shandong-tiao.txt", format: FormatText,
			pkgTitle: "山东省科技型中小企业创新发展专项扶持资金管理暂行办法", pkgName: "山东省科技型中小企业创新发展专项扶持资金管理暂行办法",
			place: "山东省", level: "province",
			items: []fixtureItem{
				{"为进一步贯彻落实《中共山东省委、山东省人民政府关于加速高新技术产业化若干意见》(鲁发[1999]26号文)精神,根据《山东省人民政府印发关于鼓励科技型中小企业创新发展的若干规定的通知》(鲁政发[2000]61号文)和《山东省鼓励科技型中小企业创新发展的若干规定实施细则》(鲁政办发[2001]69号文)规定,制定本办法", []string{}, 0},
				{"山东省科技型中小企业创新发展专项扶持资金(以下简称\"创新资金”)的来源为省级财政预算安排的专项资金", []string{}, 0},
				{"创新资金主要用于支持科技型中小企业的技术创新活动,促进科技成果产业化,推动创新机制与环境建设,鼓励支持科技型中小企业的创新发展,培育新的经济增长点", []string{}, 0},
				{"省科技和财政部门是创新资金的主管部门,负责制定创新资金的年度工作重点、项目立项审批、监督管理和验收等工作", []string{}, 0},
				{"创新资金面向在本省注册的各类科技型中小企业,同时也支持省内外科技人员、海外留学人员和在校研究生携带科技成果在我省创办的科技型中小企业", []string{}, 0},
			},
			// 常五条 (a misprint): the jump from 第四条 to 第六条 is a warning.
			warnings: []int{6},
		},
		{
			file: "synthetic-riders.txt", format: FormatText,
			title: "某某市人民政府关于印发某某市支持科技型企业发展若干措施的通知", docNo: "某府〔2024〕3号",
			office: "某某市人民政府", place: "某某市", level: "city", issued: "2024-02-20",
			pkgTitle: "某某市支持科技型企业发展若干措施", pkgName: "某某市支持科技型企业发展若干措施",
			items: []fixtureItem{
				// The section heading's (市科技局牵头).
				{"鼓励加大研发投入", []string{"市科技局"}, 0},
				// A last line of units without a label.
				{"支持建设研发机构", []string{"市科技局", "市财政局"}, 0},
				// 排在首位的为牵头单位, 下同: riders, not units.
				{"开展科技贷款贴息", []string{"市地方金融监管局", "市财政局", "各县〔市、区〕人民政府"}, 1},
				{"设立科技成果转化基金", []string{"市地方金融监管局", "市财政局", "各县〔市、区〕人民政府"}, 1},
				{"支持新能源汽车消费", []string{"市商务局"}, 0},
			},
			from: "2024-03-01", until: "2026-02-28", supersedes: []string{"某府〔2021〕8号"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := parseFixture(t, tt.file)
			if n.Format != tt.format || n.Title != tt.title || n.DocNo != tt.docNo || n.Office != tt.office || n.Place != tt.place || n.Level != tt.level {
				t.Errorf("header = %s %q %q %q %q %q, want %s %q %q %q %q %q", n.Format, n.Title, n.DocNo, n.Office, n.Place, n.Level,
					tt.format, tt.title, tt.docNo, tt.office, tt.place, tt.level)
			}
			if got := dateOrEmpty(n.Issued); got != tt.issued {
				t.Errorf("issued = %q, want %q", got, tt.issued)
			}
			if got, want := [2]string{dateOrEmpty(n.Dates.From), dateOrEmpty(n.Dates.Until)}, [2]string{tt.from, tt.until}; got != want {
				t.Errorf("dates = %q, want %q", got, want)
			}
			if !reflect.DeepEqual(n.Supersedes, tt.supersedes) {
				t.Errorf("supersedes = %q, want %q", n.Supersedes, tt.supersedes)
			}
			var lines []int
			for _, w := range n.Warnings {
				lines = append(lines, w.Line)
			}
			if !reflect.DeepEqual(lines, tt.warnings) {
				t.Errorf("warnings = %+v, want on lines %v", n.Warnings, tt.warnings)
			}
			if len(n.Packages) != 1 {
				t.Fatalf("%d packages, want 1", len(n.Packages))
			}
			p := n.Packages[0]
			if p.Title != tt.pkgTitle || p.Name != tt.pkgName {
				t.Errorf("package = %q %q, want %q %q", p.Title, p.Name, tt.pkgTitle, tt.pkgName)
			}
			if len(p.Measures) != len(tt.items) {
				t.Fatalf("%d items, want %d: %+v", len(p.Measures), len(tt.items), p.Measures)
			}
			for i, w := range tt.items {
				m := p.Measures[i]
				if m.Title != w.title || !reflect.DeepEqual(m.Units, w.units) || m.CoUnitsFrom != w.co {
					t.Errorf("item %d = %q %q co=%d, want %q %q co=%d", i+1, m.Title, m.Units, m.CoUnitsFrom, w.title, w.units, w.co)
				}
				for _, u := range m.Units {
					if strings.ContainsAny(u, "()[]") && !strings.Contains(u, "〔") || strings.Contains(u, "下同") || strings.Contains(u, "牵头") {
						t.Errorf("item %d unit %q is not a unit", i+1, u)
					}
				}
			}
			all := n.Title
			for _, m := range p.Measures {
				all += m.Title + m.Text + m.Section
			}
			all += p.Preamble
			for _, x := range tt.noText {
				if strings.Contains(all, x) {
					t.Errorf("the page's %q is in the notice's text", x)
				}
			}
			if tt.notCitedDocNo != "" && n.DocNo == tt.notCitedDocNo {
				t.Errorf("DocNo is the cited %q", n.DocNo)
			}
		})
	}
}

// The money of an item as data: the sum, its unit and kind, the cap, the
// level that pays, once or yearly, and the condition it belongs to, with
// 分别给予 paired one to one.
func TestNoticeAmounts(t *testing.T) {
	type want struct {
		kind      AmountKind
		text      string
		yuan, min int64
		pct       float64
		capYuan   int64
		level     string
		per       string
		cond      string
	}
	tests := []struct {
		name, text, level string
		want              []want
	}{
		{"分别给予 pairs sums with the list", "对当年评为省级未来工厂、省级智能工厂、绍兴市级智能工厂的,分别给予 100 万元、30 万元、20 万元奖励。", "city", []want{
			{KindAward, "100万元", 1000000, 0, 0, 0, "city", "", "当年评为省级未来工厂"},
			{KindAward, "30万元", 300000, 0, 0, 0, "city", "", "当年评为省级智能工厂"},
			{KindAward, "20万元", 200000, 0, 0, 0, "city", "", "当年评为绍兴市级智能工厂"},
		}},
		{"thresholds paired with awards", "年销售收入首次突破1000万元、1亿元的,分别给予一次性奖励10万元、100万元。", "city", []want{
			{KindThreshold, "1000万元", 10000000, 0, 0, 0, "", "", "年销售收入首次突破1000万元、1亿元"},
			{KindThreshold, "1亿元", 100000000, 0, 0, 0, "", "", "年销售收入首次突破1000万元、1亿元"},
			{KindAward, "10万元", 100000, 0, 0, 0, "city", "once", "年销售收入首次突破1000万元"},
			{KindAward, "100万元", 1000000, 0, 0, 0, "city", "once", "年销售收入首次突破1亿元"},
		}},
		{"one-off award", "对首次认定的企业,给予一次性15万元奖励。", "district", []want{
			{KindAward, "15万元", 150000, 0, 0, 0, "district", "once", "首次认定的企业"},
		}},
		{"range", "对年度完成500万元以上投资的,根据完成情况给予0.5万元-20万元的扶持奖励。", "district", []want{
			{KindThreshold, "500万元", 5000000, 0, 0, 0, "", "", "年度完成500万元以上投资"},
			{KindRange, "0.5万元-20万元", 200000, 5000, 0, 0, "district", "", "年度完成500万元以上投资"},
		}},
		{"rate with its cap, yearly", "按贷款利息的50%给予贴息,每家企业每年最高20万元。", "city", []want{
			{KindRate, "50%", 0, 0, 50, 200000, "city", "year", "按贷款利息"},
			{KindAward, "最高20万元", 200000, 0, 0, 0, "city", "year", ""},
		}},
		{"a level named in the clause", "对首次入选的,区级财政给予2万元奖励,争取省级补贴30万元。", "district", []want{
			{KindAward, "2万元", 20000, 0, 0, 0, "district", "", "首次入选"},
			{KindAward, "30万元", 300000, 0, 0, 0, "province", "", ""},
		}},
		{"a fund is not an award", "加快设立首期规模不低于2亿元的普惠性转贷基金。", "city", []want{
			{KindFund, "2亿元", 200000000, 0, 0, 0, "", "", "加快设立首期规模不低于2亿元的普惠性转贷基金"},
		}},
		{"chinese numerals", "给予五万元补助。", "district", []want{
			{KindAward, "五万元", 50000, 0, 0, 0, "district", "", ""},
		}},
		{"no money", "有效期顺延3个月,2023年1月至3月期间实现增长。", "district", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extractAmounts(tt.text, tt.level)
			var g []want
			for _, a := range got {
				g = append(g, want{a.Kind, a.Text, a.Yuan, a.MinYuan, a.Percent, a.CapYuan, a.Level, a.Per, a.Condition})
			}
			if len(g) != len(tt.want) {
				t.Fatalf("extractAmounts(%q) = %+v, want %+v", tt.text, g, tt.want)
			}
			for i := range g {
				w := tt.want[i]
				if w.cond == "" {
					w.cond = g[i].cond // not asserted
				}
				if g[i] != w {
					t.Errorf("extractAmounts(%q)[%d] = %+v, want %+v", tt.text, i, g[i], w)
				}
			}
		})
	}
}

// Every sum an item of the fixtures states is in its awards.
func TestNoticeAmountsCoverSums(t *testing.T) {
	files := []string{"guandu-2016.txt", "yangpu-2022.html", "huaihua-2023.docx.xml", "synthetic-riders.txt"}
	for _, f := range []string{"kunming-guandu-2017-24tiao.txt", "nanchang-25tiao-2020.txt", "zhejiang-shengzhou-2022.txt"} {
		files = append(files, filepath.Join("eval", f))
	}
	for _, f := range files {
		n := parseFixture(t, f)
		for _, p := range n.Packages {
			for _, m := range p.Measures {
				text := strings.Join(strings.Fields(m.Text), "")
				for _, loc := range reMoneyFigure.FindAllStringIndex(text, -1) {
					fig := text[loc[0]:loc[1]]
					if strings.HasSuffix(fig, "%") {
						continue
					}
					if !slices.ContainsFunc(m.Awards, func(a Amount) bool { return strings.Contains(a.Text, fig) }) {
						t.Errorf("%s %s states %s, not in its awards %+v", f, m.ID, fig, m.Awards)
					}
				}
			}
		}
	}
}

// Page chrome goes, line by line; what is a notice's stays.
func TestStripChrome(t *testing.T) {
	tests := []struct{ in, want string }{
		{">> 走进嵊州 >> 投资嵊州 >> 投资政策", ""},
		{"首页 > 政务公开 > 政策文件", ""},
		{"您当前的位置:首页>政务公开", ""},
		{"浏览次数:", ""},
		{"发布时间:2017-07-04 14:58:47 信息来源:官渡区人民政府 阅读次数:355", "发布时间:2017-07-04 14:58:47 信息来源:官渡区人民政府"},
		{"【打印本页】【关闭窗口】", ""},
		{"分享到:", ""},
		{"• 无障碍浏览 长者模式", ""},
		{"www.kmgd.gov.cn", ""},
		{"首页 政务公开 政务服务 互动交流", ""},
		{"- 2 -", ""},
		{"嵊(shèng)州市人民政府", "嵊州市人民政府"},
		{"腾笼换鸟、凤凰涅槃(niè pán)", "腾笼换鸟、凤凰涅槃(niè pán)"},
		{"强化PPP(ppp)项目", "强化PPP(ppp)项目"},
		{"二、投资政策", "二、投资政策"},
		{"嵊州市人民政府 嵊州市财政局 嵊州市经济和信息化局", "嵊州市人民政府 嵊州市财政局 嵊州市经济和信息化局"},
		{"一、 突出项目拉动,持续扩大投资", "一、 突出项目拉动,持续扩大投资"},
		{"(责任单位:市经信局)", "(责任单位:市经信局)"},
	}
	for _, tt := range tests {
		if got := strings.TrimSpace(stripChrome(tt.in)); got != tt.want {
			t.Errorf("stripChrome(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A footer at the end goes, with the lines after it.
	page := "一、甲\n1.乙。(责任单位:区财政局)\n版权所有:某某区人民政府\n地址:某某路1号\n"
	if got := stripChrome(page); strings.Contains(got, "版权所有") || strings.Contains(got, "地址") || strings.Count(got, "\n") != strings.Count(page, "\n") {
		t.Errorf("stripChrome(page) = %q, want the footer blanked and the lines kept", got)
	}
}

// The 文号 is the notice's own, in the forms governments write it.
func TestOwnDocNo(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"cited after the title", "昆明市官渡区人民政府关于进一步促进经济发展的意见\n为贯彻落实《云南省人民政府关于…的意见》(云政发〔2016〕111号)精神,现提出如下意见。\n一、甲\n(一)乙。(区财政局牵头)\n", ""},
		{"X府 form", "韶关市人民政府关于印发某某措施的通知\n韶府〔2023〕12号\n各县(市、区)人民政府:\n现将《某某措施》印发给你们。\n韶关市人民政府\n2023年3月1日\n某某措施\n1.甲。(责任单位:市财政局)\n", "韶府〔2023〕12号"},
		{"labelled, with a cited one first", "索引号:123 文号:厦府〔2022〕8号\n厦门市人民政府关于印发某某办法的通知\n各区人民政府:\n根据《江苏省人民政府关于…》(苏政发〔2022〕1号),现将《某某办法》印发给你们。\n厦门市人民政府\n2022年5月1日\n某某办法\n1.甲。(责任单位:市财政局)\n", "厦府〔2022〕8号"},
		{"Word's brackets", "黄果树旅游区管理委员会办公室文件\n黄管委办通„2017‟135号\n黄果树旅游区管理委员会办公室\n关于印发某某方案的通知\n各镇人民政府:\n《某某方案》已经同意,现印发给你们。\n黄果树旅游区管理委员会办公室 2017年11月30日\n某某方案\n1.甲。(责任单位:区财政局)\n", "黄管委办通〔2017〕135号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotice([]byte(tt.src))
			if err != nil {
				t.Fatalf("ParseNotice() error = %v", err)
			}
			if n.DocNo != tt.want {
				t.Errorf("DocNo = %q, want %q", n.DocNo, tt.want)
			}
		})
	}
}

// Titles: 关于印发《X》的通知, 印发…的通知 without 关于, a 意见, a title
// printed over lines; a cited document's title never; a title without 。
// never takes the next sentence.
func TestNoticeTitles(t *testing.T) {
	tests := []struct{ name, src, title, pkg string }{
		{"印发 without 关于, one line", "南昌市人民政府印发南昌市关于稳定经济增长25条政策措施的通知各县(区)人民政府:为稳定增长,现提出以下政策措施:一、优服务1.加快审批。(责任单位:市行政审批局)2.减免租金。(责任单位:市国资委)",
			"南昌市人民政府印发南昌市关于稳定经济增长25条政策措施的通知", "南昌市关于稳定经济增长25条政策措施"},
		{"a 意见 is its own package", "昆明市官渡区人民政府关于进一步促进全区经济平稳健康发展24条措施的意见\n为贯彻落实《昆明市人民政府关于印发昆明市稳增长促发展若干政策措施的通知》精神,现提出如下意见。\n一、甲\n(一)乙。(区财政局牵头)\n",
			"昆明市官渡区人民政府关于进一步促进全区经济平稳健康发展24条措施的意见", "昆明市官渡区人民政府关于进一步促进全区经济平稳健康发展24条措施的意见"},
		{"a policy's title line without 。", "嵊州市人民政府\n>> 走进嵊州 >> 投资政策\n加快推进工业经济高质量发展若干政策\n为贯彻落实新发展理念,特制订如下政策。\n一、甲\n(一)乙。(责任单位:市经信局)\n",
			"加快推进工业经济高质量发展若干政策", "加快推进工业经济高质量发展若干政策"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotice([]byte(tt.src))
			if err != nil {
				t.Fatalf("ParseNotice() error = %v", err)
			}
			if n.Title != tt.title || len(n.Packages) != 1 || n.Packages[0].Title != tt.pkg {
				t.Errorf("title %q, packages %+v; want %q and one package %q", n.Title, n.Packages, tt.title, tt.pkg)
			}
			for _, m := range n.Packages[0].Measures {
				if strings.Contains(m.Title, "为贯彻") {
					t.Errorf("item title %q took the preamble", m.Title)
				}
			}
		})
	}
}

// Items whose first line is a title without 。 keep the title alone; 1、
// sub-points inside (一) items do not become the items.
func TestItemStructure(t *testing.T) {
	src := `某某区稳增长若干措施
一、加大支持
(一)支持企业技术改造
1、对技改投资500万元以上的项目,给予补助。
2、对购置设备的,给予贴息。
(责任单位:区工信局)
(二)支持企业上市
1、对上市企业给予奖励。
2、对挂牌企业给予奖励。
3、对辅导备案企业给予奖励。
(责任单位:区金融办)
`
	n, err := ParseNotice([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range n.Packages[0].Measures {
		got = append(got, m.Title+"|"+strings.Join(m.Units, "、"))
	}
	want := []string{"支持企业技术改造|区工信局", "支持企业上市|区金融办"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	// Without units to tell: the 1、 that restart in every (一) are its
	// sub-points, though they run longer than the items.
	bare := regexp.MustCompile(`\n\(责任单位:[^)]*\)`).ReplaceAllString(src, "")
	bare = strings.Replace(bare, "3、对辅导备案企业给予奖励。", "3、对辅导备案企业给予奖励。\n4、对新三板企业给予奖励。", 1)
	n, err = ParseNotice([]byte(bare))
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, m := range n.Packages[0].Measures {
		got = append(got, m.Title)
	}
	if want := []string{"支持企业技术改造", "支持企业上市"}; !reflect.DeepEqual(got, want) {
		t.Errorf("items without units = %q, want %q", got, want)
	}
}

// A notice's place decides its units: 南昌's 市商务局 stays 南昌's, the
// home place's aliases apply only at home.
func TestUnitsWithinPlace(t *testing.T) {
	tests := []struct{ place, in, want string }{
		{"阳泉市城区", "税务局", "国家税务总局阳泉市城区税务局"},
		{"南昌市", "税务局", "税务局"},
		{"南昌市", "市税务局", "市税务局"},
		{"南昌市", "南昌市商务局", "市商务局"},
		{"昆明市官渡区", "官渡区住房和城乡建设局", "区住建局"},
		{"昆明市官渡区", "区发展和改革局", "区发改局"},
		{"阳泉市城区", "区发展和改革局", "区发改局"},
		{"阳泉市城区", "项目推进中心", "区项目推进中心"},
		{"某某市", "项目推进中心", "项目推进中心"},
	}
	for _, tt := range tests {
		if got := canonicalUnitIn(tt.place, tt.in); got != tt.want {
			t.Errorf("canonicalUnitIn(%q, %q) = %q, want %q", tt.place, tt.in, got, tt.want)
		}
	}
}

// The dates of a notice's clauses as data.
func TestTermOf(t *testing.T) {
	issued := day("2024-02-20")
	tests := []struct {
		in          string
		from, until string
		years       int
		trial       bool
	}{
		{"本措施自印发之日起执行,有效期3年。", "2024-02-20", "2027-02-19", 3, false},
		{"本措施自2024年3月1日起施行,暂行2年。", "2024-03-01", "2026-02-28", 2, true},
		{"本政策自发布之日起施行,有效期至2025年12月31日。", "2024-02-20", "2025-12-31", 0, false},
		{"本办法自2024年1月1日起施行,执行至2024年12月31日。", "2024-01-01", "2024-12-31", 0, false},
		{"本办法自印发之日起试行。", "2024-02-20", "", 0, true},
	}
	for _, tt := range tests {
		tm, ok := termOf(tt.in, issued)
		if !ok || dateOrEmpty(tm.From) != tt.from || dateOrEmpty(tm.Until) != tt.until || tm.Years != tt.years || tm.Trial != tt.trial {
			t.Errorf("termOf(%q) = %+v %v, want from %s until %s years %d trial %v", tt.in, tm, ok, tt.from, tt.until, tt.years, tt.trial)
		}
	}
	if got := starts("从2024年起,每年给予补助;自2025年1月1日起执行新标准"); len(got) != 2 || got[0].From.Format(time.DateOnly) != "2024-01-01" || got[1].From.Format(time.DateOnly) != "2025-01-01" {
		t.Errorf("starts = %+v, want 2024-01-01 and 2025-01-01", got)
	}
}
