package knowledge

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// officialUnits is the expected canonical unit list of every measure, read
// off the notice by hand. ind-17 … ind-20 have no unit line: their units
// are the ones the text names as actors. ind-17 sets the office in 区工信局
// (lead) and has 义井镇人民政府 and 各街道办事处 set up their own 专班, so they
// are responsible too and follow the lead.
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
	"ind-17": {"区工信局", "义井镇人民政府", "各街道办事处"},
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
	t, err := time.ParseInLocation("2006-01-02", s, chinaLocation())
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
		{"jump", "某某区支持企业办法\n\n1.第一条措施。(责任单位:区财政局)\n\n2.第二条措施。(责任单位:区财政局)\n\n4.第四条措施。(责任单位:区财政局)\n", 7},
		{"section jump", "一、总则\n1.甲。(责任单位:区财政局)\n三、分则\n2.乙。(责任单位:区财政局)\n", 3},
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
