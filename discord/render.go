package discord

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"huiqi/bot"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits, counted as Discord counts them (UTF-16 code units).
const (
	maxContent      = 2000
	maxEmbedTitle   = 256
	maxEmbedDesc    = 4096
	maxEmbedFields  = 25
	maxFieldName    = 256
	maxFieldValue   = 1024
	maxFooter       = 2048
	maxEmbedTotal   = 6000
	maxButtonsInRow = 5
	maxRows         = 5
	maxButtonLabel  = 80
	maxCustomID     = 100
	maxSelectOpts   = 25
	maxOptionLabel  = 100
	maxModalTitle   = 45
	maxModalInputs  = 5
	maxInputLabel   = 45
	maxPlaceholder  = 100
	maxInputLength  = 4000

	embedColor = 0x2F6FDE

	// Adapter-internal custom ids start with this prefix; engine ids that
	// collide with it or exceed 100 characters are carried by hash.
	internalPrefix = "huiqi:"
	formPrefix     = internalPrefix + "form:"
	selectPrefix   = internalPrefix + "sel:"
	hashPrefix     = internalPrefix + "h:"
	// answerID is the button (and modal) for typing an answer privately.
	answerID = internalPrefix + "ans"
)

// outMessage is one Discord message to send, whatever the route (interaction
// callback, follow-up, channel or DM).
type outMessage struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Private    bool
}

// noMentions is attached to every message: echoed user text must never ping
// @everyone, roles or users. The empty, non-nil slice marshals as "parse":[].
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// ulen is the length of s as Discord counts it (UTF-16 code units). It
// counts lead bytes, which is exact for valid UTF-8 (callers make text valid
// first): one unit per rune, two for a 4-byte rune (a surrogate pair).
func ulen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 || c >= 0xC0 {
			n++
			if c >= 0xF0 {
				n++
			}
		}
	}
	return n
}

// cutUnits returns the longest prefix of s within max UTF-16 units, on a rune boundary.
func cutUnits(s string, max int) string {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// truncate shortens s to at most max units, ending with "…"; it prefers to
// cut at a paragraph, line or sentence end when that keeps most of the text.
func truncate(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if ulen(s) <= max {
		return s
	}
	if max <= 1 {
		return cutUnits("…", max)
	}
	head := cutUnits(s, max-1)
	if i := lastBoundary(head); i > 0 && ulen(head[:i]) >= max*7/10 {
		head = head[:i]
	}
	return strings.TrimRight(head, " \t\n") + "…"
}

// lastBoundary is the byte index just after the last paragraph, line or
// sentence end in s, or -1.
func lastBoundary(s string) int {
	best := -1
	for i, r := range s {
		switch r {
		case '\n', '。', '\uFF01', '\uFF1F', '\uFF1B', '!', '?', ';':
			best = i + utf8.RuneLen(r)
		}
	}
	return best
}

// splitText cuts s into messages of at most max units, on paragraph
// boundaries first, then lines, then sentences, then anywhere.
func splitText(s string, max int) []string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	if s == "" {
		return nil
	}
	if max < 1 {
		max = 1
	}
	var out []string
	for _, p := range splitLevel(s, max, 0) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var splitSeps = []string{"\n\n", "\n"}

func splitLevel(s string, max, level int) []string {
	if ulen(s) <= max {
		return []string{s}
	}
	if level >= len(splitSeps) {
		return splitSentences(s, max)
	}
	sep := splitSeps[level]
	sepLen := ulen(sep)
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			out = append(out, cur.String())
		}
		cur.Reset()
		curLen = 0
	}
	for _, p := range strings.Split(s, sep) {
		pl := ulen(p)
		switch {
		case pl > max:
			flush()
			out = append(out, splitLevel(p, max, level+1)...)
		case cur.Len() == 0:
			cur.WriteString(p)
			curLen = pl
		case curLen+sepLen+pl <= max:
			cur.WriteString(sep)
			cur.WriteString(p)
			curLen += sepLen + pl
		default:
			flush()
			cur.WriteString(p)
			curLen = pl
		}
	}
	flush()
	return out
}

// splitSentences packs whole sentences into pieces of at most max units and
// cuts a sentence longer than max anywhere (on a rune boundary).
func splitSentences(s string, max int) []string {
	var sentences []string
	start := 0
	for i, r := range s {
		switch r {
		case '。', '\uFF01', '\uFF1F', '\uFF1B', '!', '?', ';':
			end := i + utf8.RuneLen(r)
			sentences = append(sentences, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		sentences = append(sentences, s[start:])
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	for _, sen := range sentences {
		senLen := ulen(sen)
		for senLen > max {
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				curLen = 0
			}
			head := cutUnits(sen, max)
			if head == "" { // max smaller than one rune: cannot happen for max >= 2
				head = sen[:utf8.RuneLen([]rune(sen)[0])]
			}
			out = append(out, head)
			sen = sen[len(head):]
			senLen = ulen(sen)
		}
		if curLen+senLen > max {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
		cur.WriteString(sen)
		curLen += senLen
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// buildEmbed renders a card within every embed limit.
func buildEmbed(c *bot.Card) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Color: embedColor}
	e.Title = truncate(strings.TrimSpace(c.Title), maxEmbedTitle)
	e.Description = truncate(strings.TrimSpace(c.Body), maxEmbedDesc)
	fields := c.Fields
	overflow := 0
	if len(fields) > maxEmbedFields {
		overflow = len(fields) - (maxEmbedFields - 1)
		fields = fields[:maxEmbedFields-1]
	}
	for _, f := range fields {
		name := truncate(strings.TrimSpace(f.Name), maxFieldName)
		if name == "" {
			name = "\u200b"
		}
		value := truncate(strings.TrimSpace(f.Value), maxFieldValue)
		if value == "" {
			value = "—"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: name, Value: value, Inline: ulen(value) <= 24 && ulen(name) <= 24,
		})
	}
	if overflow > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name: "…", Value: "另有 " + strconv.Itoa(overflow) + " 项未显示",
		})
	}
	if f := strings.TrimSpace(c.Footer); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(f, maxFooter)}
	}
	// The 6,000 total: shorten the description first, then drop fields from the end.
	if over := embedLen(e) - maxEmbedTotal; over > 0 {
		keep := ulen(e.Description) - over
		if keep >= 200 {
			e.Description = truncate(e.Description, keep)
		} else {
			e.Description = truncate(e.Description, 200)
			for embedLen(e) > maxEmbedTotal && len(e.Fields) > 0 {
				e.Fields = e.Fields[:len(e.Fields)-1]
			}
		}
	}
	return e
}

func embedLen(e *discordgo.MessageEmbed) int {
	n := ulen(e.Title) + ulen(e.Description)
	for _, f := range e.Fields {
		n += ulen(f.Name) + ulen(f.Value)
	}
	if e.Footer != nil {
		n += ulen(e.Footer.Text)
	}
	return n
}

// idMap carries engine Choice IDs that do not fit a custom_id (longer than
// 100 characters or using the adapter's prefix) by a short hash. Ordinary ids
// pass through unchanged, so they survive a restart.
type idMap struct {
	mu sync.Mutex
	m  map[string]string
}

func newIDMap() *idMap { return &idMap{m: map[string]string{}} }

// customID is the custom_id for an engine action id.
func (m *idMap) customID(id string) string {
	if len(id) <= maxCustomID && !strings.HasPrefix(id, internalPrefix) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	cid := hashPrefix + hex.EncodeToString(sum[:16])
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) > 100000 { // a bound, not a cache policy: ids this long are rare
		clear(m.m)
	}
	m.m[cid] = id
	return cid
}

// action is the engine action id for a custom_id; ok is false for a hashed id
// that this process no longer knows (e.g. after a restart).
func (m *idMap) action(cid string) (string, bool) {
	if !strings.HasPrefix(cid, hashPrefix) {
		return cid, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.m[cid]
	return id, ok
}

// navLabels are the dialog moves that stay buttons when the answers go into a
// select menu.
var navLabels = map[string]bool{
	"上一步": true, "取消": true, "重新开始": true, "重来": true, "跳过": true, "跳过此题": true,
	"返回": true, "反映问题": true, "帮助": true,
}

func buttonStyle(s string) discordgo.ButtonStyle {
	switch s {
	case "primary":
		return discordgo.PrimaryButton
	case "danger":
		return discordgo.DangerButton
	case "success":
		return discordgo.SuccessButton
	default:
		return discordgo.SecondaryButton
	}
}

// uiChoice is a choice to render: the engine's, or the adapter's own
// (internal: its ID is already a custom_id, e.g. the button opening a form).
type uiChoice struct {
	bot.Choice
	internal bool
}

func (c uiChoice) customID(ids *idMap) string {
	if c.internal {
		return c.ID
	}
	return ids.customID(c.ID)
}

// buildComponents renders the engine's choices.
func buildComponents(choices []bot.Choice, ids *idMap) []discordgo.MessageComponent {
	ui := make([]uiChoice, len(choices))
	for i, c := range choices {
		ui[i] = uiChoice{Choice: c}
	}
	return buildUI(ui, ids)
}

// buildUI renders choices as one row of buttons, or, beyond five, as select
// menus for the answers with the dialog moves kept as buttons.
func buildUI(choices []uiChoice, ids *idMap) []discordgo.MessageComponent {
	seen := map[string]bool{}
	var uniq []uiChoice
	for _, c := range choices {
		cid := c.customID(ids)
		if c.ID == "" || seen[cid] {
			continue
		}
		seen[cid] = true
		uniq = append(uniq, c)
	}
	if len(uniq) == 0 {
		return nil
	}
	button := func(c uiChoice) discordgo.MessageComponent {
		label := truncate(strings.TrimSpace(c.Label), maxButtonLabel)
		if label == "" {
			label = "选择"
		}
		return discordgo.Button{Label: label, Style: buttonStyle(c.Style), CustomID: c.customID(ids)}
	}
	if len(uniq) <= maxButtonsInRow {
		row := discordgo.ActionsRow{}
		for _, c := range uniq {
			row.Components = append(row.Components, button(c))
		}
		return []discordgo.MessageComponent{row}
	}
	var nav, answers []uiChoice
	for _, c := range uniq {
		if (navLabels[strings.TrimSpace(c.Label)] || c.Style == "danger") && len(nav) < maxButtonsInRow {
			nav = append(nav, c)
		} else {
			answers = append(answers, c)
		}
	}
	var rows []discordgo.MessageComponent
	for n := 0; len(answers) > 0 && len(rows) < maxRows-1; n++ {
		k := min(len(answers), maxSelectOpts)
		menu := discordgo.SelectMenu{
			MenuType: discordgo.StringSelectMenu, CustomID: selectPrefix + strconv.Itoa(n), Placeholder: "请选择…",
		}
		for _, c := range answers[:k] {
			label := truncate(strings.TrimSpace(c.Label), maxOptionLabel)
			if label == "" {
				label = "选择"
			}
			menu.Options = append(menu.Options, discordgo.SelectMenuOption{Label: label, Value: c.customID(ids)})
		}
		answers = answers[k:]
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}})
	}
	if len(nav) > 0 {
		row := discordgo.ActionsRow{}
		for _, c := range nav {
			row.Components = append(row.Components, button(c))
		}
		rows = append(rows, row)
	}
	return rows
}

// buildModal renders a form as a modal: at most five text inputs.
func buildModal(f *bot.Form, ids *idMap) *discordgo.InteractionResponseData {
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = "请填写"
	}
	d := &discordgo.InteractionResponseData{CustomID: ids.customID(f.ID), Title: truncate(title, maxModalTitle)}
	for i, ff := range f.Fields {
		if i == maxModalInputs {
			break
		}
		style := discordgo.TextInputShort
		if ff.Long {
			style = discordgo.TextInputParagraph
		}
		maxLen := maxInputLength
		if ff.MaxLen > 0 && ff.MaxLen < maxLen {
			maxLen = ff.MaxLen
		}
		label := truncate(strings.TrimSpace(ff.Label), maxInputLabel)
		if label == "" {
			label = truncate(ff.Name, maxInputLabel)
		}
		d.Components = append(d.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID: cutUnits(ff.Name, maxCustomID), Label: label, Style: style,
				Placeholder: truncate(ff.Placeholder, maxPlaceholder), Required: ff.Required, MaxLength: maxLen,
			},
		}})
	}
	return d
}

// modalValues reads the text inputs of a submitted modal.
func modalValues(d discordgo.ModalSubmitInteractionData) map[string]string {
	out := map[string]string{}
	var walk func(cs []discordgo.MessageComponent)
	walk = func(cs []discordgo.MessageComponent) {
		for _, c := range cs {
			switch v := c.(type) {
			case *discordgo.ActionsRow:
				walk(v.Components)
			case discordgo.ActionsRow:
				walk(v.Components)
			case *discordgo.TextInput:
				out[v.CustomID] = v.Value
			case discordgo.TextInput:
				out[v.CustomID] = v.Value
			}
		}
	}
	walk(d.Components)
	return out
}

// formOpener is how a form is offered where a modal cannot be shown directly
// (a message, a deferred interaction): a button that opens it.
type formOpener func(f *bot.Form) string

// renderReplies turns engine replies into Discord messages: text split at
// 2,000 characters, a card as an embed, choices as components; a form as a
// button that opens the modal.
func renderReplies(replies []bot.Reply, ids *idMap, openForm formOpener) []outMessage {
	var out []outMessage
	for _, r := range replies {
		chunks := splitText(r.Text, maxContent)
		var embeds []*discordgo.MessageEmbed
		if r.Card != nil {
			embeds = append(embeds, buildEmbed(r.Card))
		}
		var choices []uiChoice
		if r.NumberAnswer && r.Private {
			// Typing in a guild channel would be public: offer a modal.
			choices = append(choices, uiChoice{bot.Choice{ID: answerID, Label: "输入答案", Style: "primary"}, true})
		}
		if r.Form != nil && openForm != nil {
			label := strings.TrimSpace(r.Form.Title)
			if label == "" {
				label = "填写"
			}
			choices = append(choices, uiChoice{bot.Choice{ID: openForm(r.Form), Label: label, Style: "primary"}, true})
		}
		for _, c := range r.Choices {
			choices = append(choices, uiChoice{Choice: c})
		}
		comps := buildUI(choices, ids)
		if len(chunks) == 0 && len(embeds) == 0 {
			if len(comps) == 0 {
				continue
			}
			chunks = []string{"请选择："}
		}
		if len(chunks) == 0 {
			chunks = []string{""}
		}
		for i, c := range chunks {
			m := outMessage{Content: c, Private: r.Private}
			if i == len(chunks)-1 {
				m.Embeds, m.Components = embeds, comps
			}
			out = append(out, m)
		}
	}
	return out
}
