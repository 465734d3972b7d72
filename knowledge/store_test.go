package knowledge

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

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

// saveAt stores and publishes a notice, as `huiqi ingest` does.
func saveAt(ctx context.Context, db *sql.DB, name string, src []byte, n *Notice, now time.Time) error {
	id, err := SaveDraft(ctx, db, Ingest{Name: name, Source: src, Notice: n, By: "测试"}, now)
	if err != nil {
		return err
	}
	return PublishNotice(ctx, db, id, "测试", now)
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
	if err := saveAt(ctx, db.DB, "a.txt", []byte(synthParen), n, fixedNow); err != nil {
		t.Fatalf("saveAt() error = %v", err)
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
	if err := saveAt(ctx, db.DB, "a2.txt", []byte(fixed), mustParse(t, fixed), fixedNow); err != nil {
		t.Fatalf("saveAt(re-ingest) error = %v", err)
	}
	ns, _ = LoadNotices(ctx, db.DB)
	if len(ns) != 1 || !strings.Contains(ns[0].Packages[0].Measures[0].Text, "600万元") {
		t.Errorf("re-ingest: %d notices, first text %q; want 1 with 600万元", len(ns), ns[0].Packages[0].Measures[0].Text)
	}
}

func TestSaveNoticeRefused(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	if err := saveAt(ctx, db.DB, "tiao.txt", []byte(synthTiao), mustParse(t, synthTiao), fixedNow); err != nil {
		t.Fatalf("saveAt() error = %v", err)
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
			err := saveAt(ctx, db.DB, "x.txt", []byte(tt.src), mustParse(t, tt.src), fixedNow)
			var ce *ConflictError
			if !errors.As(err, &ce) || !ce.InvalidInput() || len(ce.IDs) == 0 {
				t.Fatalf("saveAt(%s) error = %v, want *ConflictError", tt.name, err)
			}
			if after := storedIDs(t, db); !reflect.DeepEqual(after, before) {
				t.Errorf("saveAt(%s) changed the store: %q, want %q", tt.name, after, before)
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
	if err := saveAt(ctx, db.DB, "a.txt", []byte(synthParen), mustParse(t, synthParen), fixedNow); !errors.Is(err, ErrNoStore) {
		t.Errorf("SaveDraft(unmigrated) error = %v, want ErrNoStore", err)
	}
}

// The staff workflow: a draft is not answered from; publishing and
// withdrawing are recorded with who did it; a move the workflow does not
// allow changes nothing.
func TestNoticeWorkflow(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	n := mustParse(t, synthParen)
	id, err := SaveDraft(ctx, db.DB, Ingest{Name: "a.txt", Source: []byte(synthParen), Notice: n, By: "张三"}, fixedNow)
	if err != nil {
		t.Fatalf("SaveDraft() error = %v", err)
	}
	if ns, _ := LoadNotices(ctx, db.DB); len(ns) != 0 {
		t.Fatalf("a draft is loaded: %d notices", len(ns))
	}
	if err := WithdrawNotice(ctx, db.DB, id, "张三", "", fixedNow); !isStateError(err) {
		t.Errorf("withdrawing a draft = %v, want *StateError", err)
	}
	if err := PublishNotice(ctx, db.DB, id, "", fixedNow); err == nil {
		t.Errorf("publishing without who = nil, want an error")
	}
	if err := PublishNotice(ctx, db.DB, id, "李四", fixedNow.Add(time.Hour)); err != nil {
		t.Fatalf("PublishNotice() = %v", err)
	}
	if ns, _ := LoadNotices(ctx, db.DB); len(ns) != 1 {
		t.Fatalf("published: %d notices loaded, want 1", len(ns))
	}
	if err := PublishNotice(ctx, db.DB, id, "李四", fixedNow); !isStateError(err) {
		t.Errorf("publishing twice = %v, want *StateError", err)
	}
	if err := WithdrawNotice(ctx, db.DB, id, "王五", "文件有误", fixedNow.Add(2*time.Hour)); err != nil {
		t.Fatalf("WithdrawNotice() = %v", err)
	}
	if ns, _ := LoadNotices(ctx, db.DB); len(ns) != 0 {
		t.Errorf("withdrawn: %d notices loaded, want 0", len(ns))
	}
	st, err := StoredNoticeByID(ctx, db.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range st.Events {
		got = append(got, ev.Action+" "+ev.By+" "+ev.Note)
	}
	want := []string{"ingested 张三 a.txt", "published 李四 ", "withdrawn 王五 文件有误"}
	if st.State != Withdrawn || !reflect.DeepEqual(got, want) {
		t.Errorf("state %s, events %q; want withdrawn, %q", st.State, got, want)
	}
	if err := PublishNotice(ctx, db.DB, 999, "李四", fixedNow); !errors.Is(err, ErrNoNotice) {
		t.Errorf("publishing notice 999 = %v, want ErrNoNotice", err)
	}
}

func isStateError(err error) bool {
	var se *StateError
	return errors.As(err, &se) && se.InvalidInput()
}

// The review file round-trips: written, corrected by a person, loaded back;
// a file that is wrong is refused whole, naming what is wrong.
func TestReviewRoundTrip(t *testing.T) {
	n := mustParse(t, synthParen)
	var buf strings.Builder
	if err := WriteReview(&buf, ReviewOf(n, 7)); err != nil {
		t.Fatal(err)
	}
	var r Review
	if err := json.Unmarshal([]byte(buf.String()), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Measures) != 3 || r.Notice.ID != 7 || len(r.Measures[0].Awards) == 0 {
		t.Fatalf("review = %+v, want 3 measures with the first's awards", r)
	}
	r.Measures[0].Awards[0].Yuan = 6000000
	r.Measures[0].Awards[0].Text = "600万元"
	r.Measures[1].Units = []string{"区财政局"}
	r.Measures[2].Windows = nil
	r.Notice.Place = "某某市某某区"
	r.Notice.Until = "2027-12-31"
	fixed, _ := json.Marshal(r)
	got, err := ApplyReview(n, fixed)
	if err != nil {
		t.Fatalf("ApplyReview() error = %v", err)
	}
	ms := allMeasures(got)
	if a := ms[r.Measures[0].ID].Awards[0]; a.Yuan != 6000000 || a.Text != "600万元" {
		t.Errorf("award = %+v, want the corrected 600万元", a)
	}
	if u := ms[r.Measures[1].ID].Units; !reflect.DeepEqual(u, []string{"区财政局"}) {
		t.Errorf("units = %q, want the corrected list", u)
	}
	if w := ms[r.Measures[2].ID].Windows; len(w) != 0 {
		t.Errorf("windows = %v, want none", w)
	}
	if got.Place != "某某市某某区" || got.Dates.Until.Format(time.DateOnly) != "2027-12-31" {
		t.Errorf("notice = %q %v, want the corrected place and term", got.Place, got.Dates.Until)
	}
	if allMeasures(n)[r.Measures[0].ID].Awards[0].Yuan == 6000000 {
		t.Errorf("ApplyReview changed the notice it was given")
	}
	for _, bad := range []string{
		strings.Replace(string(fixed), `"kind":"fund"`, `"kind":"gift"`, 1),
		strings.Replace(string(fixed), `"until":"2027-12-31"`, `"until":"2027/12/31"`, 1),
		strings.Replace(string(fixed), `"measures":[`, `"measurez":[`, 1),
		strings.Replace(string(fixed), r.Measures[0].ID, "nope-01", 1),
		`{"_how":"","notice":{"doc_no":"别的文号"},"measures":[]}`,
	} {
		if _, err := ApplyReview(n, []byte(bad)); err == nil || !isInvalid(err) {
			t.Errorf("ApplyReview(%.60q…) = %v, want a bad-input error", bad, err)
		}
	}
}

func isInvalid(err error) bool {
	var ii interface{ InvalidInput() bool }
	return errors.As(err, &ii) && ii.InvalidInput()
}
