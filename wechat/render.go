package wechat

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"huiqi/bot"
)

// MaxTextBytes is the most a text message may hold, in bytes of UTF-8:
// WeChat answers a longer customer-service text with errcode 45002
// ("content size out of limit"), and the limit its community measured for
// passive and customer-service text alike is 2,048 bytes (WeChat Work's
// group robot documents the same 2,048 bytes for text).
const MaxTextBytes = 2048

// rendered is one turn's replies as WeChat will show them.
type rendered struct {
	text    string
	choices []bot.Choice // what a typed number picks next; nil for none
	form    *bot.Form    // a form to ask field by field, or nil
}

// render turns the engine's replies into plain text for a phone: text as
// paragraphs, a card as a titled block, choices as numbered lines (回复数字).
// Only the last reply's choices are numbered, as only they are remembered;
// a reply that takes a typed number (NumberAnswer) lists its choices by
// name instead. No Markdown, and no link the engine did not write.
func render(replies []bot.Reply) rendered {
	var out rendered
	numbered := -1
	for i, r := range replies {
		if len(r.Choices) > 0 {
			numbered = i
		}
		if r.Form != nil && out.form == nil {
			out.form = r.Form
		}
	}
	if out.form != nil {
		numbered = -1 // while a form is asked, a typed number is an answer
	}
	var paras []string
	for i, r := range replies {
		var b strings.Builder
		line := func(s string) {
			if s = strings.TrimSpace(s); s != "" {
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(s)
			}
		}
		line(r.Text)
		if c := r.Card; c != nil {
			if c.Title != "" {
				line("【" + c.Title + "】")
			}
			line(c.Body)
			for _, f := range c.Fields {
				line(f.Name + "：" + f.Value)
			}
			line(c.Footer)
		}
		switch {
		case len(r.Choices) == 0:
		case i == numbered && !r.NumberAnswer:
			line("回复数字选择：")
			for n, c := range r.Choices {
				line(fmt.Sprintf("%d. %s", n+1, c.Label))
			}
			out.choices = r.Choices
		default:
			labels := make([]string, len(r.Choices))
			for n, c := range r.Choices {
				labels[n] = "“" + c.Label + "”"
			}
			line("也可以回复" + strings.Join(labels, "、") + "。")
		}
		if s := b.String(); s != "" {
			paras = append(paras, s)
		}
	}
	out.text = strings.Join(paras, "\n\n")
	return out
}

// clean makes text safe to put in a WeChat text message: valid UTF-8, no
// characters XML cannot carry, and no "<" that WeChat could take for the
// start of a tag (WeChat shows <a href=…> in a text message as a link): a
// user's words echoed back (a report being confirmed) must not become a
// link in the account's name. A "<" before a space or a digit (8000万元 <
// 1亿元) stays.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r == '\r' || r < 0x20 || r == 0xFFFE || r == 0xFFFF || unicode.Is(unicode.Cc, r):
			continue
		case r == '<':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if unicode.IsLetter(next) || next == '/' || next == '!' || next == '?' {
				r = '＜'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// split cuts text into messages of at most max bytes, each cut at the last
// paragraph break that keeps a message three quarters full, else the last
// line break or sentence end that keeps it a third full, else after the
// last whole character: few messages matter (WeChat limits how many one
// turn may send), and a line break is a fine place to turn a phone's page.
func split(text string, max int) []string {
	text = strings.TrimSpace(text)
	if max < utf8.UTFMax {
		max = utf8.UTFMax
	}
	var out []string
	for len(text) > max {
		cut := cutPoint(text, max)
		if part := strings.TrimSpace(text[:cut]); part != "" {
			out = append(out, part)
		}
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// cutPoint is where split cuts text (longer than max bytes).
func cutPoint(text string, max int) int {
	end := max
	for end > 0 && !utf8.RuneStart(text[end]) {
		end--
	}
	window := text[:end]
	if i := strings.LastIndex(window, "\n\n"); i >= max*3/4 {
		return i + 2
	}
	floor := max / 3
	if i := strings.LastIndex(window, "\n"); i >= floor {
		return i + 1
	}
	best := -1
	for i, r := range window {
		switch r {
		case '。', '！', '？', '；', '!', '?', ';':
			best = i + utf8.RuneLen(r)
		}
	}
	if best >= floor {
		return best
	}
	return end
}

// limitParts keeps at most n messages: the last one kept ends with a note
// that the rest was left out, within max bytes.
func limitParts(parts []string, n, max int) []string {
	if len(parts) <= n || n < 1 {
		return parts
	}
	const note = "\n……（内容较长，只发送了前面的部分。可以换个更具体的问法。）"
	parts = parts[:n]
	last := parts[n-1]
	room := max - len(note)
	for len(last) > room {
		cut := cutPoint(last, room)
		last = strings.TrimSpace(last[:cut])
	}
	parts[n-1] = last + note
	return parts
}
