package eligibility_test

import (
	"fmt"
	"strings"
	"testing"

	"huiqi/eligibility"
	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// ruleAmount is one figure a rule pays, as the lexicon writes it: 2万元,
// 最高5万元, 80%; key is what tells it apart in a condition (30%, 三年,
// the title, the threshold), empty when the figure alone does.
type ruleAmount struct {
	rule  eligibility.Rule
	text  string
	key   string
	found int
}

func ruleAmounts(t *testing.T, tb *eligibility.Table) []*ruleAmount {
	var out []*ruleAmount
	add := func(r eligibility.Rule, text, key string) {
		out = append(out, &ruleAmount{rule: r, text: text, key: key})
	}
	pct := func(v float64) string { return fmt.Sprintf("%g%%", v) }
	for _, r := range tb.Rules {
		switch r.Kind {
		case eligibility.KindFlag:
			add(r, zhtext.FormatYuan(r.Amount), "")
		case eligibility.KindTiers:
			for _, tier := range r.Tiers {
				key := pct(tier.Min)
				if r.MetricUnit == "年" {
					key = zhtext.Numeral(int(tier.Min)) + "年"
				}
				add(r, zhtext.FormatYuan(tier.Amount), key)
			}
		case eligibility.KindPerTitle:
			for title, v := range r.Amounts {
				add(r, zhtext.FormatYuan(v), tb.TitleName(title))
			}
		case eligibility.KindCrossing:
			for _, th := range r.Thresholds {
				add(r, zhtext.FormatYuan(th.Amount), zhtext.FormatYuan(int64(th.Min)))
			}
		case eligibility.KindStepsRate:
			add(r, "最高"+zhtext.FormatYuan(r.Cap), pct(r.RatePct))
		case eligibility.KindPercentOf:
			add(r, pct(r.Pct), "")
			if r.Cap > 0 {
				add(r, "最高"+zhtext.FormatYuan(r.Cap), "")
			}
		case eligibility.KindMention, eligibility.KindBenefit:
			// no amount
		default:
			t.Fatalf("rule %s: kind %q pays what? (teach this test the new kind)", r.ID, r.Kind)
		}
	}
	return out
}

// TestLexiconAmountsMatchRules: the award amounts live in two files, the
// rules that compute them (eligibility/rules.json) and the lexicon that
// quotes them in answers (knowledge/lexicon). Every amount a rule pays is
// quoted once in its measure's lexicon entry, linked to the rule, with the
// same figure, level and distinguishing condition; and every district-level
// sum of money the lexicon quotes is paid by such a rule.
func TestLexiconAmountsMatchRules(t *testing.T) {
	tb, err := eligibility.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	amounts := ruleAmounts(t, tb)
	if len(amounts) < 20 {
		t.Fatalf("rules.json pays %d amounts, want the ~24 of the 二十条", len(amounts))
	}
	matches := func(ra *ruleAmount, a knowledge.Amount) bool {
		return a.Rule == ra.rule.ID && a.Text == ra.text && a.Level == ra.rule.Level &&
			(ra.key == "" || strings.Contains(a.Condition, ra.key))
	}
	for _, m := range kb.Measures() {
		e := kb.Lexicon(m.ID)
		if e == nil {
			continue
		}
		for _, a := range e.Amounts {
			var hit []*ruleAmount
			for _, ra := range amounts {
				if ra.rule.Measure == m.ID && matches(ra, a) {
					hit = append(hit, ra)
				}
			}
			for _, ra := range hit {
				ra.found++
			}
			money := strings.HasSuffix(a.Text, "元")
			switch {
			case len(hit) > 1:
				t.Errorf("%s lexicon amount %s (%s) matches %d rule amounts: make its condition say which", m.ID, a.Text, a.Condition, len(hit))
			case len(hit) == 0 && a.Rule != "":
				t.Errorf("%s lexicon amount %s %s (%s) names rule %s, which pays no such amount at that level", m.ID, a.Level, a.Text, a.Condition, a.Rule)
			case len(hit) == 0 && a.Level == eligibility.LevelDistrict && money:
				t.Errorf("%s lexicon quotes a district award of %s (%s) that no rule in rules.json pays", m.ID, a.Text, a.Condition)
			}
		}
	}
	for _, ra := range amounts {
		if ra.found != 1 {
			t.Errorf("rule %s (%s) pays %s %s (condition %q): quoted %d times in the lexicon of %s, want once",
				ra.rule.ID, ra.rule.Measure, ra.rule.Level, ra.text, ra.key, ra.found, ra.rule.Measure)
		}
	}
}
