package discord

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	"huiqi/bot"

	"github.com/bwmarrin/discordgo"
)

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
