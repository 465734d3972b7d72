package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"huiqi/bot"

	"github.com/bwmarrin/discordgo"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run with -update to accept):\n%s", name, got)
	}
}

func TestSplitText(t *testing.T) {
	para := strings.Repeat("甲", 1500)
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"empty", "  ", 2000, nil},
		{"short", "你好", 2000, []string{"你好"}},
		{"paragraphs", "一一\n\n二二\n\n三三", 5, []string{"一一", "二二", "三三"}},
		{"paragraphs packed", "一\n\n二\n\n三", 5, []string{"一\n\n二", "三"}},
		{"lines", "一一一\n二二二\n三", 7, []string{"一一一\n二二二", "三"}},
		{"sentences", "甲甲。乙乙。丙丙。", 6, []string{"甲甲。乙乙。", "丙丙。"}},
		{"hard cut", "甲甲甲甲甲", 2, []string{"甲甲", "甲甲", "甲"}},
		{"two long paragraphs", para + "\n\n" + para, 2000, []string{para, para}},
		{"emoji count double", "😀😀😀", 4, []string{"😀😀", "😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.in, tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("splitText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("甲乙丙。丁戊己!\n\n庚辛\n壬癸", 5)
	f.Add("😀a\xffb", 1)
	f.Add(strings.Repeat("a", 5000), 2000)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 2 || max > 5000 {
			return
		}
		var total int
		for _, p := range splitText(s, max) {
			if ulen(p) > max || p == "" || !utf8.ValidString(p) {
				t.Fatalf("splitText(%q, %d) gave piece %q", s, max, p)
			}
			total += utf8.RuneCountInString(strings.Join(strings.Fields(p), ""))
		}
		// Nothing but whitespace is lost.
		if want := utf8.RuneCountInString(strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), "")); total != want {
			t.Fatalf("splitText(%q, %d) kept %d non-space runes, want %d", s, max, total, want)
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"短", 10, "短"},
		{"甲乙丙丁戊", 3, "甲乙…"},
		{"第一句。第二句很长很长", 6, "第一句。…"},
		{"第一句。第二句很长很长", 8, "第一句。第二句…"},
		{"😀😀😀", 3, "😀…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want || ulen(got) > tt.max {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestBuildEmbedLimits(t *testing.T) {
	var fields []bot.Field
	for i := 0; i < 40; i++ {
		fields = append(fields, bot.Field{Name: strings.Repeat("名", 300), Value: strings.Repeat("值", 2000)})
	}
	e := buildEmbed(&bot.Card{
		Title: strings.Repeat("题", 300), Body: strings.Repeat("文", 5000), Fields: fields, Footer: strings.Repeat("脚", 3000),
	})
	if ulen(e.Title) > maxEmbedTitle || ulen(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields ||
		ulen(e.Footer.Text) > maxFooter || embedLen(e) > maxEmbedTotal {
		t.Fatalf("embed over limits: title %d desc %d fields %d footer %d total %d",
			ulen(e.Title), ulen(e.Description), len(e.Fields), ulen(e.Footer.Text), embedLen(e))
	}
	for _, f := range e.Fields {
		if ulen(f.Name) > maxFieldName || ulen(f.Value) > maxFieldValue || f.Name == "" || f.Value == "" {
			t.Fatalf("field over limits: %d/%d", ulen(f.Name), ulen(f.Value))
		}
	}
	if !strings.HasSuffix(e.Title, "…") || !strings.HasSuffix(e.Description, "…") {
		t.Errorf("truncation not marked with …")
	}
	e = buildEmbed(&bot.Card{Title: "t", Fields: []bot.Field{{Name: "", Value: ""}}})
	if e.Fields[0].Name == "" || e.Fields[0].Value == "" {
		t.Errorf("empty field not filled: %+v", e.Fields[0])
	}
}

func choices(n int, labels ...string) []bot.Choice {
	var out []bot.Choice
	for i := 0; i < n; i++ {
		out = append(out, bot.Choice{ID: "c" + strconv.Itoa(i), Label: "选项" + strconv.Itoa(i)})
	}
	for _, l := range labels {
		out = append(out, bot.Choice{ID: "nav:" + l, Label: l})
	}
	return out
}

func TestBuildComponents(t *testing.T) {
	tests := []struct {
		name      string
		in        []bot.Choice
		wantRows  int
		wantKinds string // b = button row, s = select row
	}{
		{"none", nil, 0, ""},
		{"two buttons", choices(2), 1, "b"},
		{"five buttons", choices(5), 1, "b"},
		{"select and nav", choices(6, "上一步", "取消"), 2, "sb"},
		{"many answers", choices(60), 3, "sss"},
		{"too many answers", choices(200, "取消"), 5, "ssssb"},
		{"duplicates dropped", []bot.Choice{{ID: "a", Label: "一"}, {ID: "a", Label: "二"}, {ID: "", Label: "空"}}, 1, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := buildComponents(tt.in, newIDMap())
			kinds := ""
			for _, r := range rows {
				row := r.(discordgo.ActionsRow)
				if len(row.Components) > maxButtonsInRow {
					t.Errorf("row with %d components", len(row.Components))
				}
				switch c := row.Components[0].(type) {
				case discordgo.Button:
					kinds += "b"
				case discordgo.SelectMenu:
					kinds += "s"
					if len(c.Options) > maxSelectOpts {
						t.Errorf("select with %d options", len(c.Options))
					}
				}
			}
			if len(rows) != tt.wantRows || kinds != tt.wantKinds {
				t.Errorf("buildComponents(%d choices) = %d rows %q, want %d %q", len(tt.in), len(rows), kinds, tt.wantRows, tt.wantKinds)
			}
		})
	}
}

func TestLongChoiceIDsRoundTrip(t *testing.T) {
	ids := newIDMap()
	long := strings.Repeat("x", 150)
	for _, id := range []string{"award:answer:yes", long, "huiqi:form:evil"} {
		cid := ids.customID(id)
		if len(cid) > maxCustomID {
			t.Errorf("customID(%q) = %q, longer than 100", id, cid)
		}
		if got, ok := ids.action(cid); !ok || got != id {
			t.Errorf("action(customID(%q)) = %q, %v", id, got, ok)
		}
	}
	if _, ok := newIDMap().action(ids.customID(long)); ok {
		t.Errorf("a fresh map knows a hashed id")
	}
}

func TestBuildModal(t *testing.T) {
	f := &bot.Form{ID: "report:form", Title: strings.Repeat("标", 60)}
	for i := 0; i < 7; i++ {
		f.Fields = append(f.Fields, bot.FormField{Name: "f" + strconv.Itoa(i), Label: strings.Repeat("签", 50), Long: i == 2, MaxLen: 9000})
	}
	d := buildModal(f, newIDMap())
	if len(d.Components) != maxModalInputs || ulen(d.Title) > maxModalTitle || d.CustomID != "report:form" {
		t.Fatalf("modal: %d inputs, title %d, id %q", len(d.Components), ulen(d.Title), d.CustomID)
	}
	in := d.Components[2].(discordgo.ActionsRow).Components[0].(discordgo.TextInput)
	if in.Style != discordgo.TextInputParagraph || in.MaxLength != maxInputLength || ulen(in.Label) > maxInputLabel {
		t.Errorf("input = %+v", in)
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		in        string
		id, count int
		wantErr   bool
	}{
		{"0/1", 0, 1, false},
		{"3/4", 3, 4, false},
		{" 1 / 2 ", 1, 2, false},
		{"4/4", 0, 0, true},
		{"-1/2", 0, 0, true},
		{"1", 0, 0, true},
		{"a/b", 0, 0, true},
		{"0/0", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, count, err := ParseShard(tt.in)
			if (err != nil) != tt.wantErr || id != tt.id || count != tt.count {
				t.Errorf("ParseShard(%q) = %d, %d, %v, want %d, %d, err %v", tt.in, id, count, err, tt.id, tt.count, tt.wantErr)
			}
		})
	}
}

func FuzzParseShard(f *testing.F) {
	f.Add("0/2")
	f.Add("9999999999999999999/1")
	f.Fuzz(func(t *testing.T, s string) {
		id, count, err := ParseShard(s)
		if err == nil && (id < 0 || id >= count) {
			t.Fatalf("ParseShard(%q) = %d/%d", s, id, count)
		}
	})
}

func TestMentionText(t *testing.T) {
	const me = "42"
	tests := []struct {
		name     string
		m        discordgo.Message
		want     string
		wantSent bool
	}{
		{"dm", discordgo.Message{Content: " 你好 "}, "你好", true},
		{"guild without mention", discordgo.Message{GuildID: "g", Content: "你好"}, "你好", false},
		{"guild mention", discordgo.Message{GuildID: "g", Content: "<@42> 担保费率"}, "担保费率", true},
		{"nick mention", discordgo.Message{GuildID: "g", Content: "担保<@!42>费率"}, "担保 费率", true},
		{"other user", discordgo.Message{GuildID: "g", Content: "<@43> hi"}, "<@43> hi", false},
		{"mentions list", discordgo.Message{GuildID: "g", Content: "hi", Mentions: []*discordgo.User{{ID: "42"}}}, "hi", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mentionText(&tt.m, me)
			if got != tt.want || ok != tt.wantSent {
				t.Errorf("mentionText(%q) = %q, %v, want %q, %v", tt.m.Content, got, ok, tt.want, tt.wantSent)
			}
		})
	}
}

func FuzzMentionText(f *testing.F) {
	f.Add("<@42> 你好", "g")
	f.Add("<@!42><@42>", "")
	f.Fuzz(func(t *testing.T, content, guild string) {
		got, _ := mentionText(&discordgo.Message{Content: content, GuildID: guild}, "42")
		if guild != "" && strings.Contains(got, "<@42>") {
			t.Fatalf("mention left in %q", got)
		}
	})
}

func TestRewriteTransport(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Host+" "+r.URL.Path)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		api, url, want string
	}{
		{srv.URL, "https://discord.com/api/v9/gateway", host + " /api/v9/gateway"},
		{srv.URL + "/", "https://discord.com/api/v9/users/@me", host + " /api/v9/users/@me"},
		{srv.URL + "/spacebar/api", "https://discord.com/api/v9/gateway", host + " /spacebar/api/v9/gateway"},
		{srv.URL, srv.URL + "/other", host + " /other"},
	}
	for _, tt := range tests {
		got = nil
		rt, err := newRewriteTransport(tt.api, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{Transport: rt}).Get(tt.url)
		if err != nil {
			t.Fatalf("GET %s via %s: %v", tt.url, tt.api, err)
		}
		resp.Body.Close()
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("GET %s via %s reached %v, want %q", tt.url, tt.api, got, tt.want)
		}
	}
	for _, bad := range []string{"", "discord.example", "ftp://x", "http://"} {
		if _, err := newRewriteTransport(bad, nil); err == nil {
			t.Errorf("newRewriteTransport(%q) = nil error", bad)
		}
	}
}

func TestCommandsGolden(t *testing.T) {
	b, err := json.MarshalIndent(commands("城政办发〔2023〕5号"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands("城政办发〔2023〕5号") {
		if len(c.Description) == 0 || ulen(c.Description) > 100 || (*c.NameLocalizations)[discordgo.ChineseCN] == "" {
			t.Errorf("command %s: description %q", c.Name, c.Description)
		}
		for _, o := range c.Options {
			if ulen(o.DescriptionLocalizations[discordgo.ChineseCN]) > 100 {
				t.Errorf("option %s/%s description too long", c.Name, o.Name)
			}
		}
	}
	golden(t, "commands.golden.json", append(b, '\n'))
}

func sampleReplies() []bot.Reply {
	return []bot.Reply{
		{Text: "关于担保费率：\n\n" + strings.Repeat("政策原文很长。", 400), Card: &bot.Card{
			Title: "二十条第3条 支持中小微企业发展", Body: "担保费率不超过1%。",
			Fields: []bot.Field{{Name: "金额", Value: "1%"}, {Name: "责任单位", Value: "区财政局、区中小企业发展中心"}}, Footer: "有效期至2024年2月12日（已过期）",
		}, Choices: []bot.Choice{{ID: "report:start", Label: "反映问题"}}},
		{Text: "第2题：企业属于哪个行业？", Private: true, Choices: choices(7, "上一步", "取消")},
		{Text: "请填写表单。", Form: reportForm, Private: true},
	}
}

func TestRenderGolden(t *testing.T) {
	b := &Bot{ids: newIDMap(), forms: newFormCache()}
	msgs := renderReplies(sampleReplies(), b.ids, b.opener("u1"))
	for _, m := range msgs {
		if ulen(m.Content) > maxContent {
			t.Errorf("message of %d units", ulen(m.Content))
		}
	}
	if _, ok := b.forms.get("u1", "report:form"); !ok {
		t.Errorf("form offered by button not cached")
	}
	out, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "render.golden.json", append(out, '\n'))
}

func BenchmarkRenderReplies(b *testing.B) {
	bt := &Bot{ids: newIDMap(), forms: newFormCache()}
	rs := sampleReplies()
	b.ReportAllocs()
	for b.Loop() {
		renderReplies(rs, bt.ids, bt.opener("u1"))
	}
}

func FuzzBuildEmbed(f *testing.F) {
	f.Add("标题", "正文。\n\n第二段", "金额", "5万元", "脚注", 3)
	f.Add(strings.Repeat("题", 300), strings.Repeat("文\xff", 3000), "", "", strings.Repeat("😀", 1100), 30)
	f.Fuzz(func(t *testing.T, title, body, name, value, footer string, n int) {
		if n < 0 || n > 40 {
			return
		}
		c := &bot.Card{Title: title, Body: body, Footer: footer}
		for i := 0; i < n; i++ {
			c.Fields = append(c.Fields, bot.Field{Name: name, Value: value})
		}
		e := buildEmbed(c)
		if ulen(e.Title) > maxEmbedTitle || ulen(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields || embedLen(e) > maxEmbedTotal {
			t.Fatalf("embed over limits: %d %d %d %d", ulen(e.Title), ulen(e.Description), len(e.Fields), embedLen(e))
		}
		for _, fl := range e.Fields {
			if fl.Name == "" || fl.Value == "" || ulen(fl.Name) > maxFieldName || ulen(fl.Value) > maxFieldValue || !utf8.ValidString(fl.Value) {
				t.Fatalf("bad field %q/%q", fl.Name, fl.Value)
			}
		}
		if e.Footer != nil && ulen(e.Footer.Text) > maxFooter {
			t.Fatalf("footer of %d", ulen(e.Footer.Text))
		}
	})
}

func FuzzRenderReplies(f *testing.F) {
	f.Add("你好\n\n世界", "c1", "是", 3, true)
	f.Add(strings.Repeat("长", 4500), strings.Repeat("x", 120), strings.Repeat("签", 90), 30, false)
	f.Fuzz(func(t *testing.T, text, id, label string, n int, private bool) {
		if n < 0 || n > 200 {
			return
		}
		var cs []bot.Choice
		for i := 0; i < n; i++ {
			cs = append(cs, bot.Choice{ID: id + strconv.Itoa(i), Label: label})
		}
		b := &Bot{ids: newIDMap(), forms: newFormCache()}
		msgs := renderReplies([]bot.Reply{{Text: text, Choices: cs, Private: private, NumberAnswer: true}}, b.ids, b.opener("u"))
		for _, m := range msgs {
			if ulen(m.Content) > maxContent || m.Private != private {
				t.Fatalf("message of %d units, private %v", ulen(m.Content), m.Private)
			}
			if len(m.Components) > maxRows {
				t.Fatalf("%d rows", len(m.Components))
			}
			for _, r := range m.Components {
				row := r.(discordgo.ActionsRow)
				if len(row.Components) > maxButtonsInRow {
					t.Fatalf("row of %d", len(row.Components))
				}
				for _, c := range row.Components {
					switch c := c.(type) {
					case discordgo.Button:
						if len(c.CustomID) > maxCustomID || ulen(c.Label) > maxButtonLabel || c.Label == "" {
							t.Fatalf("button %q %q", c.CustomID, c.Label)
						}
						if got, ok := b.ids.action(c.CustomID); c.CustomID != answerID && (!ok || !strings.HasPrefix(got, id)) {
							t.Fatalf("button %q maps back to %q", c.CustomID, got)
						}
					case discordgo.SelectMenu:
						if len(c.Options) > maxSelectOpts || len(c.Options) == 0 {
							t.Fatalf("select with %d options", len(c.Options))
						}
						for _, o := range c.Options {
							if len(o.Value) > maxCustomID || ulen(o.Label) > maxOptionLabel {
								t.Fatalf("option %q %q", o.Value, o.Label)
							}
						}
					}
				}
			}
		}
	})
}
