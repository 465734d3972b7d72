package knowledge

import (
	"strings"
	"testing"
)

func TestSmallTalk(t *testing.T) {
	b := mustBuiltin(t)
	tests := []struct {
		in, kind string
		then     After
	}{
		{"你好", "greeting", AfterIntroduce}, {"您好！", "greeting", AfterIntroduce}, {"在吗？", "greeting", AfterIntroduce},
		{"Hello", "greeting", AfterIntroduce}, {"你好呀~", "greeting", AfterIntroduce}, {"開始", "greeting", AfterIntroduce},
		{"开始", "greeting", AfterIntroduce}, {"喂？", "greeting", AfterIntroduce},
		{"谢谢", "thanks", AfterOffer}, {"谢谢啊", "thanks", AfterOffer}, {"好的谢谢", "thanks", AfterOffer}, {"非常感谢！", "thanks", AfterOffer},
		{"你是谁？", "who", AfterIntroduce}, {"你能做什么", "who", AfterIntroduce},
		{"再见", "bye", AfterEnd}, {"拜拜啦", "bye", AfterEnd}, {"好的", "ack", AfterOffer},
		// A question with a greeting in it is a question; 开始 inside one is a word.
		{"你好，担保费率是多少", "", ""}, {"奖励", "", ""}, {"什么时候开始申报", "", ""}, {"", "", ""},
		{"谢谢，我想问一下小升规奖励", "", ""},
	}
	for _, tt := range tests {
		st, ok := b.SmallTalk(tt.in)
		if ok != (tt.kind != "") || st.Kind != tt.kind || st.Then != tt.then {
			t.Errorf("SmallTalk(%q) = %q %q %v, want %q %q", tt.in, st.Kind, st.Then, ok, tt.kind, tt.then)
		}
		if ok && st.Reply == "" {
			t.Errorf("SmallTalk(%q) has no reply", tt.in)
		}
	}
}

// Ask answers small talk with the same reply as SmallTalk: one set of
// replies, in the lexicon.
func TestAskSmallTalkUsesLexicon(t *testing.T) {
	b := mustBuiltin(t)
	for _, k := range b.lex.Common.Chitchat {
		for _, say := range append(append([]string{}, k.Say...), k.Alone...) {
			if hasTradOnly(say) {
				continue
			}
			st, ok := b.SmallTalk(say)
			if !ok || st.Kind != k.Kind {
				t.Errorf("SmallTalk(%q) = %q %v, want its own kind %q", say, st.Kind, ok, k.Kind)
				continue
			}
			a := b.Ask(say, 3, fixedNow)
			if a.Answered || a.Kind != "chitchat:"+k.Kind || !strings.HasPrefix(a.Text, k.Reply) || len(a.Results) != 0 {
				t.Errorf("Ask(%q) = answered %v, kind %q, text %q; want the lexicon's %q reply %q", say, a.Answered, a.Kind, a.Text, k.Kind, k.Reply)
			}
			if intro := strings.Contains(a.Text, b.Coverage()); intro != (k.Then == AfterIntroduce) {
				t.Errorf("Ask(%q) text %q: coverage said %v, want %v (then %q)", say, a.Text, intro, !intro, k.Then)
			}
		}
	}
}
