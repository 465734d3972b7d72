package knowledge

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"huiqi/sqlite"
)

func TestLexiconStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "huiqi.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Before migration there is no table: no questions, no error.
	got, err := LoadQuestions(ctx, db.DB)
	if err != nil || len(got) != 0 {
		t.Fatalf("LoadQuestions before migration = %v, %v; want empty, nil", got, err)
	}
	if err := MigrateLexicon(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := MigrateLexicon(ctx, db); err != nil {
		t.Fatalf("second MigrateLexicon = %v, want nil", err)
	}
	for _, s := range []struct{ id, q string }{
		{"ind-07", "厂里缺人手"}, {"ind-07", "过完年工人不回来"}, {"ind-07", "厂里缺人手"}, {"inv-12", " 专项债额度 "},
	} {
		if err := SaveQuestion(ctx, db.DB, s.id, s.q); err != nil {
			t.Fatalf("SaveQuestion(%s, %q) = %v", s.id, s.q, err)
		}
	}
	if err := SaveQuestion(ctx, db.DB, "ind-07", "  "); err == nil {
		t.Error("SaveQuestion with an empty question = nil, want an error")
	}
	got, err = LoadQuestions(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"ind-07": {"厂里缺人手", "过完年工人不回来"}, "inv-12": {"专项债额度"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadQuestions = %v, want %v", got, want)
	}

	// LoadBase picks the questions up.
	if err := SaveQuestion(ctx, db.DB, "ind-05", "紫色独角兽飞船申报"); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBase(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if rs := b.Search("紫色独角兽飞船申报", 3); len(rs) == 0 || rs[0].ID != "ind-05" {
		t.Errorf("LoadBase search for a stored question = %v, want ind-05 first", rs)
	}
	if len(b.Measures()) != 38 {
		t.Errorf("LoadBase has %d measures, want 38", len(b.Measures()))
	}
	if b, err := LoadBase(ctx, nil); err != nil || len(b.Measures()) != 38 {
		t.Errorf("LoadBase(nil) = %v measures, %v", len(b.Measures()), err)
	}
}
