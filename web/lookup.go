package web

import (
	"net/http"
	"strings"
	"time"

	"huiqi/knowledge"
)

// lookupItem is one measure as the hotline reads it out.
type lookupItem struct {
	ID, Ref, Title, Snippet string
	Amounts, Units          []string
	Validity                string
	Expired                 bool
	Score                   int // percent
	Script                  string
}

type lookupData struct {
	Query    string
	Answered bool
	Answer   string
	Unit     string
	Items    []lookupItem
	UnitOnly []lookupItem
}

// validity is knowledge's answer to whether m is in force at now (the same
// answer every channel gives), as the lookup shows it.
func (s *Server) validity(m *knowledge.Measure, now time.Time) (string, bool) {
	v := s.kb.Validity(m, now)
	return v.Text, v.Expired
}

// script is what the hotline reads to the caller: only facts of the notice.
func script(it lookupItem) string {
	var b strings.Builder
	b.WriteString("您好，您咨询的事项对应")
	if it.Ref != "" {
		b.WriteString(it.Ref)
	}
	b.WriteString("「" + it.Title + "」。")
	if it.Snippet != "" && it.Snippet != it.Title {
		b.WriteString("政策原文是：" + strings.TrimSuffix(it.Snippet, "。") + "。")
	}
	if len(it.Amounts) > 0 {
		b.WriteString("涉及的标准有：" + strings.Join(it.Amounts, "、") + "。")
	}
	switch len(it.Units) {
	case 0:
	case 1:
		b.WriteString("这项措施由" + it.Units[0] + "负责。")
	default:
		b.WriteString("这项措施由" + it.Units[0] + "牵头，" + strings.Join(it.Units[1:], "、") + "配合。")
	}
	if v := strings.TrimRight(it.Validity, "。 "); v != "" {
		if strings.HasPrefix(v, "有效期") {
			b.WriteString("请注意，这批措施" + v + "。")
		} else {
			b.WriteString("请注意：" + v + "。")
		}
	}
	b.WriteString("具体能否享受、金额多少，以责任单位审核为准。需要的话，我可以帮您登记工单，转给责任单位办理。")
	return b.String()
}

// unitWords mark a query that names a responsible unit (区人社局, 中心, 义井镇).
var unitWords = []string{"局", "中心", "办公室", "委", "院", "大队", "分局", "镇", "街道", "政府", "部门"}

// looksLikeUnit reports whether q names a unit: pinyin initials (rsj), a
// unit word, or exactly the unit the knowledge base found. Other queries are
// about topics, and the base's loose unit match would only add noise.
func looksLikeUnit(q, unit string) bool {
	if q == unit {
		return true
	}
	ascii := q != ""
	for _, r := range q {
		ascii = ascii && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if ascii {
		return true
	}
	for _, w := range unitWords {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	q, err := cleanText(r.URL.Query().Get("q"), "查询内容", maxQuestion, false)
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := lookupData{Query: q}
	if q != "" {
		now := s.now()
		ans := s.kb.Ask(q, 5, now)
		d.Answered, d.Answer = ans.Answered, ans.Text
		seen := map[string]bool{}
		// A unit query lists the unit's own measures first.
		if u := s.kb.Unit(q); u.Unit != "" && looksLikeUnit(q, u.Unit) {
			d.Unit = u.Unit
			d.Answer = ""
			for _, id := range u.Measures {
				m, ok := s.kb.Measure(id)
				if !ok || seen[id] {
					continue
				}
				it := lookupItem{ID: m.ID, Ref: m.Ref(), Title: m.Title, Units: m.Units}
				for _, res := range ans.Results {
					if res.ID == m.ID {
						it.Snippet, it.Amounts = res.Snippet, res.Amounts
					}
				}
				it.Validity, it.Expired = s.validity(m, now)
				it.Script = script(it)
				d.Items = append(d.Items, it)
				seen[id] = true
			}
		}
		for _, res := range ans.Results {
			if seen[res.ID] {
				continue
			}
			it := lookupItem{ID: res.ID, Ref: res.Ref, Title: res.Title, Snippet: res.Snippet,
				Amounts: res.Amounts, Units: res.Units, Validity: res.Validity, Expired: res.Expired,
				Score: int(res.Score*100 + 0.5)}
			if it.Ref == "" || it.Validity == "" {
				if m, ok := s.kb.Measure(res.ID); ok {
					if it.Ref == "" {
						it.Ref = m.Ref()
					}
					if it.Validity == "" {
						it.Validity, it.Expired = s.validity(m, now)
					}
				}
			}
			it.Script = script(it)
			if d.Unit != "" {
				d.UnitOnly = append(d.UnitOnly, it) // other matches, after the unit's own
			} else {
				d.Items = append(d.Items, it)
			}
			seen[res.ID] = true
		}
	}
	p := page{Title: "政策查询", Nav: "lookup", Session: ss, D: d}
	if r.URL.Query().Get("partial") == "1" {
		// The live search of lookup.js swaps in just the results.
		s.renderAs(w, r, http.StatusOK, "lookup.html", "results", d)
		return
	}
	s.render(w, r, http.StatusOK, "lookup.html", p)
}
