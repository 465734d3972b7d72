package discord

import (
	"context"
	"sort"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/sahilm/fuzzy"

	"huiqi/internal/zhtext"
)

// Autocomplete for /measure id, /unit name, /queue unit and /ticket id (the
// user's own tickets only): up to Discord's 25 suggestions, matched on what
// the user has typed so far (traditional script read as simplified), exact
// and substring matches first, then sahilm/fuzzy's characters-in-order.

const maxChoices = 25

type candidate struct {
	name  string // what the user sees (≤ 100 characters)
	value string // what the option then holds
	text  string // what is matched
}

func (b *Bot) onAutocomplete(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, u *discordgo.User) {
	d := i.ApplicationCommandData()
	var focused, typed string
	for _, o := range d.Options {
		if o.Focused {
			focused, typed = o.Name, strings.TrimSpace(o.StringValue())
		}
	}
	var cands []candidate
	switch {
	case d.Name == "measure" && focused == "id":
		cands = b.measureCandidates()
	case (d.Name == "unit" && focused == "name") || (d.Name == "queue" && focused == "unit"):
		cands = b.unitCandidates(typed)
	case d.Name == "ticket" && focused == "id":
		cands = b.ticketCandidates(ctx, u.ID)
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, c := range rank(cands, typed) {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(c.name, 100), Value: c.value})
	}
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		b.log.Warn("discord: autocomplete", "command", d.Name, "err", err)
	}
}

// rank orders the candidates for what was typed and keeps the first 25.
func rank(cands []candidate, typed string) []candidate {
	if typed == "" {
		return cands[:min(len(cands), maxChoices)]
	}
	q := strings.ToLower(zhtext.Simplify(typed))
	var exact, sub, rest []candidate
	for _, c := range cands {
		t := strings.ToLower(c.text)
		switch {
		case strings.ToLower(c.value) == q || strings.HasPrefix(t, q):
			exact = append(exact, c)
		case strings.Contains(t, q):
			sub = append(sub, c)
		default:
			rest = append(rest, c)
		}
	}
	out := append(exact, sub...)
	if len(out) < maxChoices && len(rest) > 0 {
		texts := make([]string, len(rest))
		for k, c := range rest {
			texts[k] = strings.ToLower(c.text)
		}
		for _, m := range fuzzy.Find(q, texts) {
			out = append(out, rest[m.Index])
		}
	}
	return out[:min(len(out), maxChoices)]
}

func (b *Bot) measureCandidates() []candidate {
	if b.deps.Knowledge == nil {
		return nil
	}
	var out []candidate
	for _, m := range b.deps.Knowledge.Measures() {
		name := m.Ref() + " " + m.Title
		out = append(out, candidate{name: name, value: m.ID, text: m.ID + " " + name})
	}
	return out
}

// unitCandidates are the units of the measures, the one the typed name
// resolves to (an alias, 人社 → 区人社局) and its near misses first.
func (b *Bot) unitCandidates(typed string) []candidate {
	if b.deps.Knowledge == nil {
		return nil
	}
	seen := map[string]bool{}
	var first, all []candidate
	add := func(list *[]candidate, u string) {
		if u = strings.TrimSpace(u); u != "" && !seen[u] {
			seen[u] = true
			*list = append(*list, candidate{name: u, value: u, text: u})
		}
	}
	if typed != "" {
		r := b.deps.Knowledge.Unit(typed)
		add(&first, r.Unit)
		for _, c := range r.Candidates {
			add(&first, c)
		}
	}
	var names []string
	for _, m := range b.deps.Knowledge.Measures() {
		names = append(names, m.Units...)
	}
	sort.Strings(names)
	for _, n := range names {
		add(&all, n)
	}
	if len(first) == 0 {
		return all
	}
	// The resolved ones lead whatever was typed.
	for k := range first {
		first[k].text = strings.ToLower(zhtext.Simplify(typed))
	}
	return append(first, all...)
}

// ticketCandidates are the user's own tickets, newest first.
func (b *Bot) ticketCandidates(ctx context.Context, userID string) []candidate {
	if b.deps.Reports == nil {
		return nil
	}
	ts, err := b.deps.Reports.ListByReporter(ctx, key(userID).String())
	if err != nil {
		b.log.Warn("discord: autocomplete tickets", "err", err)
		return nil
	}
	var out []candidate
	for _, t := range ts {
		name := t.ID + " " + string(t.Status)
		if t.LeadUnit != "" {
			name += " " + t.LeadUnit
		}
		out = append(out, candidate{name: name, value: t.ID, text: t.ID + " " + clip(t.Text, 40)})
	}
	return out
}
