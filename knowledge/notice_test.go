package knowledge

import (
	"errors"
	"huiqi/internal/zhtext"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"
)

// officialUnits is the expected canonical unit list of every measure, read
// off the notice by hand. ind-17 … ind-20 have no unit line: their units
// are the ones the text names as actors. ind-17 seats the task-force office
// in 区工信局, which is responsible; 义井镇人民政府 and 各街道办事处 only set
// up their own 专班 under it (source/README.md reads it the same way).
var officialUnits = map[string][]string{
	"ind-01": {"区发改局"},
	"ind-02": {"区工信局", "区发改局", "区财政局", "区应急局", "区住建局", "市生态环境局城区分局", "市交警二大队", "区消防救援大队", "区中小企业发展中心"},
	"ind-03": {"区中小企业发展中心", "区财政局", "区工信局"},
	"ind-04": {"区工信局", "区财政局", "区中小企业发展中心"},
	"ind-05": {"区发改局", "区工信局", "区城管执法大队"},
	"ind-06": {"区住建局", "市生态环境局城区分局", "市交警二大队"},
	"ind-07": {"区人社局", "义井镇人民政府", "各街道办事处"},
	"ind-08": {"区行政审批局"},
	"ind-09": {"区发改局", "区工信局", "区中小企业发展中心", "义井镇人民政府", "各街道办事处"},
	"ind-10": {"区商务局", "区中小企业发展中心", "义井镇人民政府", "各街道办事处"},
	"ind-11": {"区政府办公室", "区财政局", "区中小企业发展中心"},
	"ind-12": {"区政府办公室", "区财政局", "区中小企业发展中心", "阳泉市方舟融资担保公司城区分公司"},
	"ind-13": {"区发改局", "区工信局", "区人社局", "国家税务总局阳泉市城区税务局", "区中小企业发展中心"},
	"ind-14": {"区工信局", "区财政局", "区中小企业发展中心"},
	"ind-15": {"区工信局", "区财政局", "区中小企业发展中心"},
	"ind-16": {"区工信局", "区财政局"},
	"ind-17": {"区工信局"},
	"ind-18": {"区工信局", "区中小企业发展中心"},
	"ind-19": {"区工信局"},
	"ind-20": {"区中小企业发展中心"},
	"inv-01": {"区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-02": {"区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-03": {"区住建局", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-04": {"区发改局", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-05": {"区发改局", "区直有关部门", "义井镇人民政府"},
	"inv-06": {"区发改局", "区直有关部门", "义井镇人民政府"},
	"inv-07": {"区发改局", "区行政审批局", "区项目推进中心", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-08": {"区发改局", "区项目推进中心", "区直有关部门", "各街道办事处"},
	"inv-09": {"区住建局", "区工信局", "区市场监管局", "阳泉市公安局城区分局"},
	"inv-10": {"区发改局", "区行政审批局", "区住建局", "区自然资源局", "区直有关部门"},
	"inv-11": {"区发改局", "区财政局", "区直有关部门", "义井镇人民政府"},
	"inv-12": {"区发改局", "区财政局", "区直有关部门", "义井镇人民政府"},
	"inv-13": {"区行政审批局", "区发改局", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-14": {"区商务局", "区直有关部门"},
	"inv-15": {"区商务局", "区直有关部门"},
	"inv-16": {"区发改局", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-17": {"区发改局", "区直有关部门", "义井镇人民政府", "各街道办事处"},
	"inv-18": {"区委宣传部", "区融媒体中心", "区直有关部门", "义井镇人民政府", "各街道办事处"},
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, zhtext.China())
	if err != nil {
		panic(err)
	}
	return t
}

func allMeasures(n *Notice) map[string]Measure {
	out := make(map[string]Measure)
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			out[m.ID] = m
		}
	}
	return out
}

func mustOfficial(t *testing.T) *Notice {
	t.Helper()
	n, err := OfficialNotice()
	if err != nil {
		t.Fatalf("OfficialNotice() error = %v", err)
	}
	return n
}

func TestOfficialUnits(t *testing.T) {
	ms := allMeasures(mustOfficial(t))
	if len(ms) != 38 {
		t.Fatalf("OfficialNotice() has %d measures, want 38", len(ms))
	}
	for id, want := range officialUnits {
		t.Run(id, func(t *testing.T) {
			m, ok := ms[id]
			if !ok {
				t.Fatalf("measure %s missing", id)
			}
			if !reflect.DeepEqual(m.Units, want) {
				t.Errorf("%s Units = %q, want %q", id, m.Units, want)
			}
			if m.CoUnitsFrom != 0 {
				t.Errorf("%s CoUnitsFrom = %d, want 0", id, m.CoUnitsFrom)
			}
		})
	}
}

func TestOfficialMetadata(t *testing.T) {
	n := mustOfficial(t)
	tests := []struct {
		name      string
		got, want any
	}{
		{"Office", n.Office, "阳泉市城区人民政府办公室"},
		{"DocNo", n.DocNo, "城政办发〔2023〕5号"},
		{"Place", n.Place, "阳泉市城区"},
		{"Title", n.Title, "关于印发阳泉市城区加快工业企业复产达产二十条措施和阳泉市城区狠抓项目建设扩大有效投资十八条措施的通知"},
		{"Addressees", n.Addressees, []string{"义井镇人民政府", "各街道办事处", "区直各单位"}},
		{"Issued", n.Issued.Format(time.DateOnly), "2023-02-13"},
		{"Published", n.Published.Format(time.DateOnly), "2023-04-24"},
		{"Public", n.Public, true},
		{"packages", len(n.Packages), 2},
		{"ind.Key", n.Packages[0].Key, "ind"},
		{"ind.Name", n.Packages[0].Name, "二十条"},
		{"ind.Title", n.Packages[0].Title, "阳泉市城区加快工业企业复产达产二十条措施"},
		{"ind.Preamble", strings.HasPrefix(n.Packages[0].Preamble, "为全面落实落细省市加快复工复产政策措施") && strings.HasSuffix(n.Packages[0].Preamble, "制定如下措施。"), true},
		{"ind.ValidUntil", n.Packages[0].ValidUntil.IsZero(), true},
		{"ind.len", len(n.Packages[0].Measures), 20},
		{"inv.Key", n.Packages[1].Key, "inv"},
		{"inv.Name", n.Packages[1].Name, "十八条"},
		{"inv.Title", n.Packages[1].Title, "阳泉市城区狠抓项目建设扩大有效投资十八条措施"},
		{"inv.Preamble", strings.HasPrefix(n.Packages[1].Preamble, "为全面落实省委省政府") && strings.HasSuffix(n.Packages[1].Preamble, "制定如下措施。"), true},
		{"inv.ValidUntil", n.Packages[1].ValidUntil.Format(time.DateOnly), "2024-02-12"},
		{"inv.ValidityText", n.Packages[1].ValidityText, "本措施印发之日起执行,有效期1年。"},
		{"inv.len", len(n.Packages[1].Measures), 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("OfficialNotice().%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}

func TestOfficialMeasures(t *testing.T) {
	ms := allMeasures(mustOfficial(t))
	tests := []struct {
		id, pkg, section, title string
		number, line            int
		validUntil              string
	}{
		{"ind-01", "二十条", "一、全面恢复正常工业生产秩序", "组织煤炭企业稳产增产", 1, 48, ""},
		{"ind-03", "二十条", "一、全面恢复正常工业生产秩序", "支持中小微企业发展", 3, 52, ""},
		{"ind-05", "二十条", "二、全面保障生产要素需求", "做好电热燃气协调保障", 5, 58, ""},
		{"ind-11", "二十条", "三、全面加强金融支持力度", "缓解小微企业资金周转压力", 11, 72, ""},
		{"ind-16", "二十条", "四、全面落实各项惠企政策", "争取“首台套”“首批次”政策支持", 16, 84, ""},
		{"ind-20", "二十条", "五、全面提升服务保障能力", "发挥“三个平台”服务功能", 20, 94, ""},
		{"inv-01", "十八条", "一、全面推进项目复工", "强化对接机制", 1, 104, "2024-02-12"},
		{"inv-12", "十八条", "四、提升要素保障能力", "打好财政金融“组合拳”", 12, 132, "2024-02-12"},
		{"inv-14", "十八条", "五、加大招商引资力度", "强化项目招引", 14, 138, "2024-02-12"},
		{"inv-18", "十八条", "六、强化组织保障", "加大宣传力度", 18, 148, "2024-02-12"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, ok := ms[tt.id]
			if !ok {
				t.Fatalf("measure %s missing", tt.id)
			}
			vu := ""
			if !m.ValidUntil.IsZero() {
				vu = m.ValidUntil.Format(time.DateOnly)
			}
			got := []any{m.Package, m.Section, m.Title, m.Number, m.Source, vu}
			want := []any{tt.pkg, tt.section, tt.title, tt.number, tt.line, tt.validUntil}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (package, section, title, number, line, valid) = %q, want %q", tt.id, got, want)
			}
		})
	}
	// Every measure: id, number, title = first sentence of the text, no unit line left.
	for id, m := range ms {
		if !strings.HasPrefix(m.Text, m.Title+"。") {
			t.Errorf("%s Text = %q does not start with Title %q", id, m.Text, m.Title)
		}
		if strings.Contains(m.Text, "(责任单位") {
			t.Errorf("%s Text still has the unit line: %q", id, m.Text)
		}
	}
}

func TestOfficialRepairs(t *testing.T) {
	ms := allMeasures(mustOfficial(t))
	tests := []struct {
		id, want, wrong string
	}{
		{"ind-16", "争取国家、省重点新材料首批次产品保险补偿", "首控次"},
		{"inv-14", "强化项目招引。以“产业转型和数字转型”为方向", "。“产业转型"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m := ms[tt.id]
			if !strings.Contains(m.Text, tt.want) || strings.Contains(m.Text, tt.wrong) {
				t.Errorf("%s Text = %q, want it to contain %q and not %q", tt.id, m.Text, tt.want, tt.wrong)
			}
			if !strings.Contains(m.OriginalText, tt.wrong) {
				t.Errorf("%s OriginalText = %q, want the misprint %q kept", tt.id, m.OriginalText, tt.wrong)
			}
		})
	}
	if got := ms["ind-01"].OriginalText; got != "" {
		t.Errorf("ind-01 OriginalText = %q, want empty (nothing repaired)", got)
	}
}

func TestOfficialWindows(t *testing.T) {
	ms := allMeasures(mustOfficial(t))
	want := map[string][]struct{ until, text string }{
		"ind-02": {{"2023-03-31", "2023年1月至3月期间"}},
		"ind-05": {{"2023-03-31", "至2023年3月期间"}},
		"ind-11": {{"2023-06-30", "还本付息日期原则上最长可延至2023年6月30日"}},
	}
	for id, m := range ms {
		t.Run(id, func(t *testing.T) {
			w := want[id]
			if len(m.Windows) != len(w) {
				t.Fatalf("%s Windows = %v, want %d", id, m.Windows, len(w))
			}
			for i := range w {
				if got := m.Windows[i].Until.Format(time.DateOnly); got != w[i].until || !strings.Contains(m.Windows[i].Text, w[i].text) {
					t.Errorf("%s Windows[%d] = %s %q, want %s containing %q", id, i, got, m.Windows[i].Text, w[i].until, w[i].text)
				}
			}
		})
	}
}

func TestOfficialSourceIsCopy(t *testing.T) {
	a := OfficialSource()
	a[0] = 'x'
	if b := OfficialSource(); b[0] == 'x' {
		t.Errorf("OfficialSource() returned shared bytes")
	}
}

func TestParseNoticeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
	}{
		{"empty", "", 1},
		{"blank", "\n\n   \n", 1},
		{"no items", "关于印发某某办法的通知\n各单位:\n这是一段没有编号的文字。\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotice([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseNotice(%q) = %v, %v; want *ParseError", tt.in, n, err)
			}
			if pe.Line != tt.line || !pe.InvalidInput() || !strings.HasPrefix(pe.Error(), "line ") {
				t.Errorf("ParseNotice(%q) error = %v (line %d), want line %d", tt.in, pe, pe.Line, tt.line)
			}
		})
	}
}

// A notice ingests when its items parse: numbering that jumps is a warning
// on its line, and the items after the jump are kept.
func TestParseNoticeWarnings(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		titles   []string
	}{
		{"jump", "某某区支持企业办法\n\n1.第一条措施。(责任单位:区财政局)\n\n2.第二条措施。(责任单位:区财政局)\n\n4.第四条措施。(责任单位:区财政局)\n", 7,
			[]string{"第一条措施", "第二条措施", "第四条措施"}},
		{"section jump", "一、总则\n1.甲。(责任单位:区财政局)\n三、分则\n2.乙。(责任单位:区财政局)\n", 3, []string{"甲", "乙"}},
		{"repeated number", "某某区办法\n1.甲。(责任单位:区财政局)\n2.乙。\n2.丙。(责任单位:区财政局)\n", 4, []string{"甲", "乙"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotice([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseNotice(%q) error = %v, want warnings", tt.in, err)
			}
			var titles []string
			for _, m := range n.Packages[0].Measures {
				titles = append(titles, m.Title)
			}
			if !reflect.DeepEqual(titles, tt.titles) {
				t.Errorf("titles = %q, want %q", titles, tt.titles)
			}
			if len(n.Warnings) == 0 || n.Warnings[0].Line != tt.line || !strings.Contains(n.Warnings[0].Msg, "编号不连续") {
				t.Errorf("warnings = %+v, want 编号不连续 on line %d", n.Warnings, tt.line)
			}
		})
	}
}

func BenchmarkParseNotice(b *testing.B) {
	src := OfficialSource()
	for b.Loop() {
		if _, err := ParseNotice(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseNoticeOneLine(b *testing.B) {
	src := []byte(strings.ReplaceAll(string(OfficialSource()), "\n", ""))
	for b.Loop() {
		if _, err := ParseNotice(src); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOfficialNoticeIsACopy(t *testing.T) {
	a := mustOfficial(t)
	a.Packages[0].Measures[0].Units[0] = "changed"
	a.Packages[0].Title = "changed"
	b := mustOfficial(t)
	if b.Packages[0].Measures[0].Units[0] != "区发改局" || b.Packages[0].Title == "changed" {
		t.Errorf("OfficialNotice() shares its value between callers")
	}
}

// Layouts: one line, traditional and full-width characters.

// comparable strips what legitimately differs between layouts (source lines).
func comparableMeasures(n *Notice) []Measure {
	var out []Measure
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			m.Source = 0
			out = append(out, m)
		}
	}
	return out
}

func header(n *Notice) []any {
	var pk []any
	for _, p := range n.Packages {
		pk = append(pk, p.Key, p.Name, p.Title, p.Preamble, p.ValidUntil.Format(time.DateOnly), p.ValidityText)
	}
	return []any{n.Office, n.DocNo, n.Title, n.Addressees, n.Issued.Format(time.DateOnly), n.Published.Format(time.DateOnly), n.Public, pk}
}

func assertSameNotice(t *testing.T, name string, got, want *Notice) {
	t.Helper()
	if g, w := header(got), header(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s header = %q, want %q", name, g, w)
	}
	g, w := comparableMeasures(got), comparableMeasures(want)
	if len(g) != len(w) {
		t.Fatalf("%s has %d measures, want %d", name, len(g), len(w))
	}
	for i := range w {
		if !reflect.DeepEqual(g[i], w[i]) {
			t.Errorf("%s measure %d =\n%+v\nwant\n%+v", name, i, g[i], w[i])
		}
	}
}

func TestOneLineNotice(t *testing.T) {
	want := mustOfficial(t)
	lines := strings.Split(string(OfficialSource()), "\n")
	for _, sep := range []string{"", " ", "  "} {
		t.Run("sep="+strconvQuote(sep), func(t *testing.T) {
			got, err := ParseNotice([]byte(strings.Join(lines, sep)))
			if err != nil {
				t.Fatalf("ParseNotice(one line) error = %v", err)
			}
			assertSameNotice(t, "one line", got, want)
		})
	}
}

func strconvQuote(s string) string { return "\"" + s + "\"" }

func TestTraditionalNotice(t *testing.T) {
	cc, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	trad, err := cc.Convert(string(OfficialSource()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trad, "區審批局") {
		t.Fatalf("s2t did not convert: %.200s", trad)
	}
	got, err := ParseNotice([]byte(trad))
	if err != nil {
		t.Fatalf("ParseNotice(traditional) error = %v", err)
	}
	// OpenCC's s2t writes 抬 as 擡, which its t2s keeps (a variant, not a
	// traditional-only character): the one known round-trip loss.
	for i := range got.Packages {
		for j := range got.Packages[i].Measures {
			m := &got.Packages[i].Measures[j]
			m.Text = strings.ReplaceAll(m.Text, "擡", "抬")
		}
	}
	assertSameNotice(t, "traditional", got, mustOfficial(t))
}

// fullWidth turns ASCII punctuation and digits into their full-width forms.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7F {
			return r + 0xFEE0
		}
		return r
	}, s)
}

func TestFullWidthNotice(t *testing.T) {
	got, err := ParseNotice([]byte(fullWidth(string(OfficialSource()))))
	if err != nil {
		t.Fatalf("ParseNotice(full width) error = %v", err)
	}
	assertSameNotice(t, "full width", got, mustOfficial(t))
}

// Synthetic notices of the genre.

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

// synthWeb is a notice as a web page gives it: navigation, 发布日期 before
// the 文号, an 附件 line, labelled lead/co units, a unit line on its own
// line, units named only in the text, a dated validity and a download link.
const synthWeb = `首页 > 政务公开 > 政策文件
阳泉市城区人民政府办公室关于印发城区2024年促进民营经济高质量发展若干措施的通知
发布日期：2024年3月20日
城政办发〔2024〕12号
各乡镇人民政府、街道办事处，区直各有关单位：
    经区人民政府同意，现将《城区2024年促进民营经济高质量发展若干措施》印发给你们，请结合实际，认真贯彻落实。
附件：城区2024年促进民营经济高质量发展若干措施
阳泉市城区人民政府办公室
2024年3月15日
（此件公开发布）
城区2024年促进民营经济高质量发展若干措施
    为深入贯彻落实党中央、国务院关于促进民营经济发展壮大的决策部署，制定以下措施。
一、优化发展环境
（一）持续破除市场准入壁垒。全面落实市场准入负面清单制度。（牵头单位：区发改局；配合单位：区市场监管局、区行政审批局）
（二）全面落实公平竞争政策制度。2024年6月底前完成存量政策清理。（区市场监管局牵头，区司法局配合）
二、加大政策支持
（三）完善融资支持政策。对首贷户给予贴息，贴息比例不超过贷款利息的50%，单户最高不超过10万元。
责任单位：区财政局、区中小企业发展中心
（四）强化人才支撑。区人社局、区工信局联合开展“百企千岗”招聘活动。
三、本措施自印发之日起施行，有效期至2025年12月31日。
附件下载：措施.pdf
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
				// 某某区 is not the home place: its 项目推进中心 is not 阳泉's 区项目推进中心.
				{"n2024-3-p1-03", "二、优化服务", "开展入企服务", []string{"项目推进中心"}, 0, []string{"2024-12-31"}},
			},
		},
		{
			name: "web page with 附件, roles and a dated term", src: synthWeb,
			docNo: "城政办发〔2024〕12号", office: "阳泉市城区人民政府办公室", issued: "2024-03-15",
			addressees: []string{"各乡镇人民政府", "街道办事处", "区直各有关单位"},
			key:        "n2024-12-p1", pkgName: "城区2024年促进民营经济高质量发展若干措施", pkgTitle: "城区2024年促进民营经济高质量发展若干措施",
			validUntil: "2025-12-31",
			measures: []synthMeasure{
				{"n2024-12-p1-01", "一、优化发展环境", "持续破除市场准入壁垒", []string{"区发改局", "区市场监管局", "区行政审批局"}, 1, nil},
				{"n2024-12-p1-02", "一、优化发展环境", "全面落实公平竞争政策制度", []string{"区市场监管局", "区司法局"}, 1, []string{"2024-06-30"}},
				{"n2024-12-p1-03", "二、加大政策支持", "完善融资支持政策", []string{"区财政局", "区中小企业发展中心"}, 0, nil},
				{"n2024-12-p1-04", "二、加大政策支持", "强化人才支撑", []string{"区人社局", "区工信局"}, 0, nil},
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
				// Without an office, the place is the one the title opens with.
				if want := placeOf(tt.office); tt.office != "" && n.Place != want {
					t.Errorf("Place = %q, want %q (the place of the office)", n.Place, want)
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
		{"named in the body", "甲。专班办公室设在区工信局,各街道办事处相应成立专班。", []string{"区工信局"}, 0, "甲。专班办公室设在区工信局,各街道办事处相应成立专班。"},
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

func TestPackageTerm(t *testing.T) {
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
		{"本措施印发之日起执行,有效期0年。", ""},
		{"本措施印发之日起执行,有效期零年。", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, ok := packageTerm(tt.in, issued)
			got := ""
			if ok {
				got = v.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("packageTerm(%q) = %q, want %q", tt.in, got, tt.want)
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
	if zhtext.HasTraditional(string(OfficialSource())) {
		t.Errorf("zhtext.HasTraditional(official) = true, want false")
	}
	if !zhtext.HasTraditional("區審批局") {
		t.Errorf("zhtext.HasTraditional(區審批局) = false, want true")
	}
}
