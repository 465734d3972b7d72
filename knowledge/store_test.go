package knowledge

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"huiqi/sqlite"
)

func openTestDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() error = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := MigrateStore(context.Background(), db); err != nil {
		t.Fatalf("MigrateStore() error = %v", err)
	}
	return db
}

func mustParse(t *testing.T, src string) *Notice {
	t.Helper()
	n, err := ParseNotice([]byte(src))
	if err != nil {
		t.Fatalf("ParseNotice() error = %v", err)
	}
	return n
}

func storedIDs(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	ns, err := LoadNotices(context.Background(), db.DB)
	if err != nil {
		t.Fatalf("LoadNotices() error = %v", err)
	}
	var ids []string
	for _, n := range ns {
		ids = append(ids, noticeIDs(n)...)
	}
	return ids
}

func TestSaveLoadNotice(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	n := mustParse(t, synthParen)
	if err := SaveNoticeAt(ctx, db.DB, "a.txt", []byte(synthParen), n, fixedNow); err != nil {
		t.Fatalf("SaveNoticeAt() error = %v", err)
	}
	ns, err := LoadNotices(ctx, db.DB)
	if err != nil || len(ns) != 1 {
		t.Fatalf("LoadNotices() = %d notices, %v; want 1", len(ns), err)
	}
	got := ns[0]
	if !reflect.DeepEqual(header(got), header(n)) || !reflect.DeepEqual(comparableMeasures(got), comparableMeasures(n)) {
		t.Errorf("LoadNotices() = %+v, want %+v", got, n)
	}
	if !got.Issued.Equal(n.Issued) || !got.Packages[0].ValidUntil.Equal(n.Packages[0].ValidUntil) {
		t.Errorf("dates did not survive: %v %v", got.Issued, got.Packages[0].ValidUntil)
	}

	// The same document again (a corrected text) replaces the old one.
	fixed := strings.Replace(synthParen, "每年安排专项资金500万元", "每年安排专项资金600万元", 1)
	if err := SaveNoticeAt(ctx, db.DB, "a2.txt", []byte(fixed), mustParse(t, fixed), fixedNow); err != nil {
		t.Fatalf("SaveNoticeAt(re-ingest) error = %v", err)
	}
	ns, _ = LoadNotices(ctx, db.DB)
	if len(ns) != 1 || !strings.Contains(ns[0].Packages[0].Measures[0].Text, "600万元") {
		t.Errorf("re-ingest: %d notices, first text %q; want 1 with 600万元", len(ns), ns[0].Packages[0].Measures[0].Text)
	}
}

func TestSaveNoticeRefused(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	if err := SaveNoticeAt(ctx, db.DB, "tiao.txt", []byte(synthTiao), mustParse(t, synthTiao), fixedNow); err != nil {
		t.Fatalf("SaveNoticeAt() error = %v", err)
	}
	before := storedIDs(t, db)
	// Another document of the same day without 文号 derives the same ids.
	other := strings.ReplaceAll(synthTiao, "稳就业办法", "促创业办法")
	official := string(OfficialSource())
	tests := []struct {
		name, src string
	}{
		{"ids of another notice", other},
		{"the built-in notice", official},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SaveNoticeAt(ctx, db.DB, "x.txt", []byte(tt.src), mustParse(t, tt.src), fixedNow)
			var ce *ConflictError
			if !errors.As(err, &ce) || !ce.InvalidInput() || len(ce.IDs) == 0 {
				t.Fatalf("SaveNoticeAt(%s) error = %v, want *ConflictError", tt.name, err)
			}
			if after := storedIDs(t, db); !reflect.DeepEqual(after, before) {
				t.Errorf("SaveNoticeAt(%s) changed the store: %q, want %q", tt.name, after, before)
			}
		})
	}
}

func TestLoadNoticesEmpty(t *testing.T) {
	ctx := context.Background()
	if ns, err := LoadNotices(ctx, nil); ns != nil || err != nil {
		t.Errorf("LoadNotices(nil) = %v, %v; want nil, nil", ns, err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ns, err := LoadNotices(ctx, db.DB); ns != nil || err != nil {
		t.Errorf("LoadNotices(unmigrated) = %v, %v; want nil, nil", ns, err)
	}
	if err := SaveNoticeAt(ctx, db.DB, "a.txt", []byte(synthParen), mustParse(t, synthParen), fixedNow); !errors.Is(err, ErrNoStore) {
		t.Errorf("SaveNoticeAt(unmigrated) error = %v, want ErrNoStore", err)
	}
}
