package knowledge

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// After says what a channel does after a small-talk reply.
type After string

const (
	// AfterOffer: offer the menu (buttons, or numbered choices).
	AfterOffer After = ""
	// AfterIntroduce: say what huiqi does (the bot's menu, or Coverage where
	// there is no menu).
	AfterIntroduce After = "introduce"
	// AfterEnd: nothing more; the person is leaving.
	AfterEnd After = "end"
)

// SmallTalk is a message that is nothing but small talk (a greeting,
// thanks, "who are you", goodbye), with the one reply huiqi gives it. Both
// come from the lexicon's chitchat data.
type SmallTalk struct {
	Kind  string // greeting, thanks, who, bye, ack
	Reply string
	Then  After
}

// SmallTalk recognises a message that is only small talk (你好, 谢谢啊,
// 你是谁？) and returns the lexicon's reply; false for anything with a
// question in it (你好，担保费率是多少).
func (b *Base) SmallTalk(text string) (SmallTalk, bool) {
	ix := b.ix.Load()
	i := ix.chat.classify(ix.norm.normalize(text))
	if i < 0 {
		return SmallTalk{}, false
	}
	return ix.common.Chitchat[i].smallTalk(), true
}

func (c ChitchatKind) smallTalk() SmallTalk {
	return SmallTalk{Kind: c.Kind, Reply: c.Reply, Then: c.Then}
}

// chatter classifies small talk. It is built from the lexicon with the
// index and, like it, never modified.
type chatter struct {
	says  []chatSay      // phrases found anywhere in a short message, longest first
	alone map[string]int // phrases that count only as the whole message
	max   int            // longest phrase, in runes
}

type chatSay struct {
	text string
	kind int // index into CommonLexicon.Chitchat
}

func newChatter(kinds []ChitchatKind) chatter {
	c := chatter{alone: map[string]int{}}
	for i, k := range kinds {
		for _, s := range k.Say {
			if hasTradOnly(s) {
				continue // a traditional line repeats a simplified one
			}
			if s = basicNormalize(s); s != "" {
				c.says = append(c.says, chatSay{s, i})
				c.max = max(c.max, utf8.RuneCountInString(s))
			}
		}
		for _, s := range k.Alone {
			if s = bareChat(basicNormalize(s)); s != "" {
				c.alone[s] = i
			}
		}
	}
	// Longest first, so 好的谢谢 is thanks and not the 好的 of ack, whatever
	// the order of the data.
	slices.SortStableFunc(c.says, func(a, b chatSay) int {
		if d := len(b.text) - len(a.text); d != 0 {
			return d
		}
		return strings.Compare(a.text, b.text)
	})
	return c
}

// chatParticles end a sentence without adding to it: 你好呀, 谢谢啊.
const chatParticles = "啊呀呢吧哈嘛哦喔~～"

// bareChat is a message without punctuation, spaces and final particles.
func bareChat(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, chatParticles)
}

// classify returns the index of the small-talk kind of a normalised
// message, or -1: a phrase of the kind, and at most two other words'
// worth of content characters.
func (c *chatter) classify(nq string) int {
	if k, ok := c.alone[bareChat(nq)]; ok {
		return k
	}
	if utf8.RuneCountInString(nq) > 2*c.max+4 {
		return -1 // too long to be nothing but small talk
	}
	rest, kind := nq, -1
	for _, s := range c.says {
		if strings.Contains(rest, s.text) {
			rest = strings.ReplaceAll(rest, s.text, "")
			if kind < 0 {
				kind = s.kind
			}
		}
	}
	if kind < 0 {
		return -1
	}
	left := 0
	for _, r := range rest {
		if isHan(r) && !stopUni[string(r)] || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			left++
		}
	}
	if left > 2 {
		return -1
	}
	return kind
}
