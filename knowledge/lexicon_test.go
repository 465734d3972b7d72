package knowledge

import (
	"strings"
	"testing"
)

// TestEmbeddedLexicon fails loudly when the lexicon data is malformed or
// names a measure the notice does not have.
func TestEmbeddedLexicon(t *testing.T) {
	lx, err := embeddedLexicon()
	if err != nil {
		t.Fatalf("embedded lexicon: %v", err)
	}
	n, err := OfficialNotice()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			ids = append(ids, m.ID)
		}
	}
	if err := lx.Check(ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		e := lx.Entry(id)
		if e == nil {
			t.Errorf("measure %s has no lexicon entry", id)
			continue
		}
		if len(e.Concepts) == 0 || len(e.Questions) < 3 {
			t.Errorf("measure %s: %d concepts, %d questions; want some of each", id, len(e.Concepts), len(e.Questions))
		}
		for _, a := range e.Amounts {
			if a.Text == "" {
				t.Errorf("measure %s: amount without text", id)
			}
			switch a.Level {
			case "", "district", "city", "province", "national":
			default:
				t.Errorf("measure %s: amount %q has unknown level %q", id, a.Text, a.Level)
			}
		}
	}
	if len(lx.Common.OutOfScope) == 0 || len(lx.Common.Chitchat) == 0 {
		t.Error("common.json has no out-of-scope topics or chitchat")
	}
	for _, tp := range lx.Common.OutOfScope {
		if containsContact(tp.Refer) {
			t.Errorf("out-of-scope %q refers with a phone number or URL: %q", tp.Topic, tp.Refer)
		}
	}
}

// containsContact reports phone numbers and URLs, which huiqi must not invent.
func containsContact(s string) bool {
	if strings.Contains(s, "http") || strings.Contains(s, "www.") {
		return true
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
			if digits >= 5 {
				return true
			}
		} else if r != '-' {
			digits = 0
		}
	}
	return false
}

func TestParseLexicon(t *testing.T) {
	common := `{"typos":{"担宝":"担保"},"synonyms":[["营收","营业收入"]],"out_of_scope":[{"topic":"天气","say":["下雨"],"refer":"请查看天气预报。"}],"chitchat":[{"kind":"greeting","say":["你好"],"reply":"您好！"}]}`
	tests := []struct {
		name    string
		files   map[string][]byte
		ids     []string
		wantErr string
	}{
		{"ok", map[string][]byte{"lexicon/common.json": []byte(common),
			"lexicon/ind.json": []byte(`[{"measure":"ind-01","concepts":[{"term":"煤炭","say":["挖煤"]}],"questions":["煤矿怎么办"],"amounts":[],"conditions":[]}]`)},
			[]string{"ind-01"}, ""},
		{"unknown field", map[string][]byte{"lexicon/ind.json": []byte(`[{"measure":"ind-01","concept":[]}]`)}, []string{"ind-01"}, "unknown field"},
		{"unknown measure", map[string][]byte{"lexicon/ind.json": []byte(`[{"measure":"ind-99"}]`)}, []string{"ind-01"}, "unknown measure"},
		{"duplicate", map[string][]byte{"lexicon/ind.json": []byte(`[{"measure":"ind-01"},{"measure":"ind-01"}]`)}, []string{"ind-01"}, "twice"},
		{"no id", map[string][]byte{"lexicon/ind.json": []byte(`[{"questions":["x"]}]`)}, nil, "no measure id"},
		{"empty term", map[string][]byte{"lexicon/ind.json": []byte(`[{"measure":"ind-01","concepts":[{"term":" ","say":[]}]}]`)}, []string{"ind-01"}, "no term"},
		{"amount of an unknown concept", map[string][]byte{"lexicon/ind.json": []byte(`[{"measure":"ind-01","concepts":[{"term":"煤炭","say":[]}],"amounts":[{"text":"2万元","concepts":["小升规"]}]}]`)}, []string{"ind-01"}, "does not have"},
		{"bad json", map[string][]byte{"lexicon/common.json": []byte(`{"typos":`)}, nil, "unexpected EOF"},
		{"empty typo", map[string][]byte{"lexicon/common.json": []byte(`{"typos":{"担宝":""}}`)}, nil, "empty typo"},
		{"small talk without a reply", map[string][]byte{"lexicon/common.json": []byte(`{"chitchat":[{"kind":"greeting","say":["你好"]}]}`)}, nil, "has no reply"},
		{"small talk without words", map[string][]byte{"lexicon/common.json": []byte(`{"chitchat":[{"kind":"greeting","reply":"您好"}]}`)}, nil, "has no words"},
		{"small talk, unknown then", map[string][]byte{"lexicon/common.json": []byte(`{"chitchat":[{"kind":"bye","say":["再见"],"reply":"再见","then":"menu"}]}`)}, nil, "is not introduce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lx, err := ParseLexicon(tt.files)
			if err == nil {
				err = lx.Check(tt.ids)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseLexicon = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseLexicon error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
