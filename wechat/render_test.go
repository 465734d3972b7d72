package wechat

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"huiqi/bot"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name        string
		in          []bot.Reply
		want        string
		wantChoices int
		wantForm    bool
	}{
		{
			name: "choices numbered",
			in:   []bot.Reply{{Text: "您好！", Choices: []bot.Choice{{ID: "a", Label: "政策问答"}, {ID: "b", Label: "算奖励"}}}},
			want: "您好！\n回复数字选择：\n1. 政策问答\n2. 算奖励", wantChoices: 2,
		},
		{
			name: "a number answer lists choices by name",
			in:   []bot.Reply{{Text: "第2题：增长了多少？", NumberAnswer: true, Choices: []bot.Choice{{ID: "s", Label: "跳过"}}}},
			want: "第2题：增长了多少？\n也可以回复“跳过”。",
		},
		{
			name: "card as plain text",
			in: []bot.Reply{{Card: &bot.Card{Title: "二十条第12条 政府性融资担保", Body: "担保费率统一下降至0.8%。",
				Fields: []bot.Field{{Name: "责任单位", Value: "区财政局"}}, Footer: "以上摘自政策原文。"}}},
			want: "【二十条第12条 政府性融资担保】\n担保费率统一下降至0.8%。\n责任单位：区财政局\n以上摘自政策原文。",
		},
		{
			name: "only the last reply's choices are numbered",
			in: []bot.Reply{
				{Text: "答案", Choices: []bot.Choice{{ID: "r", Label: "反映问题"}}},
				{Text: "第3题？", Choices: []bot.Choice{{ID: "y", Label: "是"}, {ID: "n", Label: "否"}}},
			},
			want: "答案\n也可以回复“反映问题”。\n\n第3题？\n回复数字选择：\n1. 是\n2. 否", wantChoices: 2,
		},
		{
			name: "a form: no numbers",
			in: []bot.Reply{{Text: "请填写：", Form: &bot.Form{ID: "f", Fields: []bot.FormField{{Name: "x", Label: "企业名称"}}},
				Choices: []bot.Choice{{ID: "c", Label: "取消"}}}},
			want: "请填写：\n也可以回复“取消”。", wantForm: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(tt.in)
			if got.text != tt.want {
				t.Errorf("render text =\n%s\nwant\n%s", got.text, tt.want)
			}
			if len(got.choices) != tt.wantChoices || (got.form != nil) != tt.wantForm {
				t.Errorf("render choices %d form %v, want %d %v", len(got.choices), got.form != nil, tt.wantChoices, tt.wantForm)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<a href="http://evil.example">点这里</a>`, `＜a href="http://evil.example">点这里＜/a>`},
		{"行一\r\n行二\x00\x07\u0085", "行一\n行二"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"8000万元 < 1亿元 ≤ 1.2亿元, a<b", "8000万元 < 1亿元 ≤ 1.2亿元, a＜b"},
		{"<!-- x --><?xml", "＜!-- x -->＜?xml"},
		{"制表\t保留", "制表\t保留"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	para := strings.Repeat("惠企政策。", 100) // 1,500 bytes
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"short", "你好", 2048, []string{"你好"}},
		{"empty", "  \n ", 2048, nil},
		{"at paragraphs", para + "\n\n" + para + "\n\n" + "尾", 2048, []string{para, para + "\n\n尾"}},
		{"at lines", "一二三四五六七八\n九十", 30, []string{"一二三四五六七八", "九十"}},
		{"at sentences", "一二三。四五六。七八九。", 24, []string{"一二三。四五六。", "七八九。"}},
		{"anywhere, on characters", "一二三四五六七八九十", 10, []string{"一二三", "四五六", "七八九", "十"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.in, tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("split = %q, want %q", got, tt.want)
			}
			for _, p := range got {
				if len(p) > tt.max || !utf8.ValidString(p) {
					t.Errorf("part of %d bytes (max %d), valid %v", len(p), tt.max, utf8.ValidString(p))
				}
			}
		})
	}
}

func TestLimitParts(t *testing.T) {
	parts := []string{strings.Repeat("甲", 680), strings.Repeat("乙", 680), strings.Repeat("丙", 680)}
	got := limitParts(parts, 2, 2048)
	if len(got) != 2 || got[0] != parts[0] || !strings.HasSuffix(got[1], "可以换个更具体的问法。）") || len(got[1]) > 2048 {
		t.Fatalf("limitParts = %d parts, last %d bytes: %q", len(got), len(got[1]), got[len(got)-1])
	}
	if got := limitParts(parts[:2], 2, 2048); len(got) != 2 || got[1] != parts[1] {
		t.Errorf("limitParts within the limit changed the parts: %q", got)
	}
}

func TestChoiceNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"2", 2, true}, {" ２ ", 2, true}, {"3。", 3, true}, {"12", 12, true},
		{"0", 0, false}, {"123", 0, false}, {"2万", 0, false}, {"", 0, false}, {"是", 0, false},
	}
	for _, tt := range tests {
		if n, ok := choiceNumber(tt.in); n != tt.want || ok != tt.ok {
			t.Errorf("choiceNumber(%q) = %d, %v, want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
	}
}

func TestTTLCache(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := newTTLCache[int](3, time.Minute)
	for i, k := range []string{"a", "b", "c"} {
		if _, fresh := c.putIfAbsent(k, i, now); !fresh {
			t.Fatalf("put %s: not fresh", k)
		}
	}
	if v, fresh := c.putIfAbsent("a", 9, now); fresh || v != 0 {
		t.Errorf("put a again = %d, %v, want the first value 0 and not fresh", v, fresh)
	}
	c.putIfAbsent("d", 3, now) // full: a, the oldest, goes
	if _, ok := c.get("a", now); ok {
		t.Error("the oldest entry survived a full cache")
	}
	if c.len() != 3 {
		t.Errorf("len = %d, want 3", c.len())
	}
	later := now.Add(time.Minute)
	if _, ok := c.get("d", later); ok {
		t.Error("an entry outlived its ttl")
	}
	if _, fresh := c.putIfAbsent("b", 5, later); !fresh {
		t.Error("an expired key was not fresh")
	}
	if c.len() != 1 {
		t.Errorf("after expiry len = %d, want 1", c.len())
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := newSessions(2, time.Hour, nil, nil)
	ch := []bot.Choice{{ID: "x", Label: "X"}}
	s.put(ctx, "u1", session{choices: ch}, now)
	s.put(ctx, "u2", session{choices: ch}, now.Add(time.Minute))
	s.put(ctx, "u3", session{choices: ch}, now.Add(2*time.Minute)) // u1, idle longest, goes
	if got := s.get(ctx, "u1", now.Add(2*time.Minute)); got.choices != nil {
		t.Error("u1 kept past the bound")
	}
	if got := s.get(ctx, "u3", now.Add(2*time.Minute)); len(got.choices) != 1 {
		t.Error("u3 lost")
	}
	if got := s.get(ctx, "u2", now.Add(time.Minute+time.Hour)); got.choices != nil {
		t.Error("u2 kept past its ttl")
	}
}
