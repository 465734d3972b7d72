package knowledge

// Tokenising: questions and texts become character unigrams and bigrams of
// Han runs and words of Latin and digit runs, without stop words; sentences
// for snippets; bigrams for the question bank.

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Stop n-grams: the words of asking, not of the subject.
var stopUni = makeSet("的了吗呢啊吧呀么嘛哦哈我你您他她它们是在有和与及或就都也还要想能会可怎什哪些如何请问下个这那该对把被让给得着过很吗咋啥呗")

var stopBi = makeSet2("怎么", "什么", "如何", "请问", "一下", "我们", "你们", "可以", "是否", "能否", "有没", "没有", "哪些", "多少",
	"怎样", "为什", "这个", "那个", "就是", "还是", "需要", "想问", "问一", "的话", "一个", "么办", "有什", "么样", "咱们", "我想", "我家",
	"是不", "不是", "有啥", "能不", "不能", "可不", "了吗", "的吗", "么?", "呢?", "吗?", "公司", "单位", "企业", "咋办", "啥时", "哪里", "哪个", "知道")

func makeSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, r := range s {
		m[string(r)] = true
	}
	return m
}

func makeSet2(ss ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// span is one unit of text: a Han character, a number (digits . %), or an
// ASCII word; byte offsets into the normalised string.
type span struct{ start, end int }

// isHan reports a CJK ideograph (the unified blocks and their extensions),
// by range: unicode.Is is too slow for the index build's hot loop.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r == 0x3007 ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x20000 && r <= 0x3134F
}

func spans(s string, buf []span) []span {
	buf = buf[:0]
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHan(r):
			buf = append(buf, span{i, i + size})
			i += size
		case r >= '0' && r <= '9' || r == '%' || r == '.' && len(buf) > 0 && buf[len(buf)-1].end == i:
			j := i + size
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == '%') {
				j++
			}
			buf = append(buf, span{i, j})
			i = j
		case r >= 'a' && r <= 'z':
			j := i + size
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			buf = append(buf, span{i, j})
			i = j
		default:
			i += size
		}
	}
	return buf
}

// eachToken calls f for every unigram and bigram of normalised s that is
// not a stop n-gram.
func eachToken(s string, buf []span, f func(tok string)) []span {
	buf = spans(s, buf)
	for i, u := range buf {
		t := s[u.start:u.end]
		if !stopUni[t] {
			f(t)
		}
		if i+1 < len(buf) && buf[i+1].start == u.end {
			bi := s[u.start:buf[i+1].end]
			if !stopBi[bi] {
				f(bi)
			}
		}
	}
	return buf
}

// splitSentences cuts a clause into sentences (at 。;!?) and each sentence
// into its comma-separated parts, recording their n-grams for snippets.
func splitSentences(text string, vocab map[string]int32) []sentence {
	var out []sentence
	for _, t := range cutAfter(text, "。;\uff1b!?\uff01\uff1f") {
		s := sentence{text: t, runes: utf8.RuneCountInString(t), tokens: tokenSet(t, vocab)}
		if parts := cutAfter(t, ",\uff0c"); len(parts) > 1 {
			for _, p := range parts {
				s.parts = append(s.parts, sentence{text: p, runes: utf8.RuneCountInString(p), tokens: tokenSet(p, vocab)})
			}
		}
		out = append(out, s)
	}
	return out
}

// cutAfter splits text after each rune of seps, dropping blank pieces.
func cutAfter(text, seps string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune(seps, r) {
			end := i + utf8.RuneLen(r)
			if t := strings.TrimSpace(text[start:end]); utf8.RuneCountInString(t) >= 2 {
				out = append(out, t)
			}
			start = end
		}
	}
	if t := strings.TrimSpace(text[start:]); utf8.RuneCountInString(t) >= 2 {
		out = append(out, t)
	}
	return out
}

func tokenSet(t string, vocab map[string]int32) []int32 {
	var ids []int32
	eachToken(basicNormalize(t), nil, func(tok string) {
		if id, ok := vocab[tok]; ok {
			ids = append(ids, id)
		}
	})
	slices.Sort(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// eachBigram calls f for each non-stop bigram (and each lone unit).
func eachBigram(s string, f func(string)) {
	var buf [64]span
	sp := spans(s, buf[:0])
	for i, u := range sp {
		if i+1 < len(sp) && sp[i+1].start == u.end {
			if bi := s[u.start:sp[i+1].end]; !stopBi[bi] {
				f(bi)
			}
		}
	}
}
