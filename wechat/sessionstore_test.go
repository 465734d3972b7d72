package wechat

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/sqlite"
)

// TestSessionsSurviveARestart: with the SQLite store, a new process (new
// memory, same database) still knows the choices a number picks and the
// form half asked; past the lifetime, or from a row it cannot read, it
// knows nothing; old rows are deleted as others are written.
func TestSessionsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store, err := OpenSessions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	form := &bot.Form{ID: "report:submit", Title: "反映问题", Fields: []bot.FormField{{Name: "text", Label: "问题"}, {Name: "contact", Label: "联系电话"}}}
	before := newSessions(10, time.Hour, store, nil)
	before.put(ctx, "u1", session{choices: []bot.Choice{{ID: "award", Label: "算奖励"}, {ID: "report", Label: "反映问题"}}}, now)
	before.put(ctx, "u2", session{form: &formFill{form: form, next: 1, vals: map[string]string{"text": "招工难"}}}, now)

	after := newSessions(10, time.Hour, store, nil) // a restart
	if got := after.get(ctx, "u1", now.Add(10*time.Minute)); len(got.choices) != 2 || got.choices[1].ID != "report" {
		t.Errorf("u1's choices after a restart = %+v", got.choices)
	}
	got := after.get(ctx, "u2", now.Add(10*time.Minute))
	if got.form == nil || got.form.next != 1 || got.form.vals["text"] != "招工难" || got.form.form.Fields[1].Name != "contact" {
		t.Errorf("u2's form after a restart = %+v", got.form)
	}
	if got := after.get(ctx, "u1", now.Add(2*time.Hour)); got.choices != nil {
		t.Error("a session past its lifetime came back from the store")
	}
	if _, err := db.ExecContext(ctx, `UPDATE wechat_sessions SET data = '{broken' WHERE user = 'u1'`); err != nil {
		t.Fatal(err)
	}
	if got := newSessions(10, time.Hour, store, nil).get(ctx, "u1", now.Add(time.Minute)); got.choices != nil || got.form != nil {
		t.Errorf("an unreadable row gave %+v", got)
	}
	// Two hours on, a write deletes the rows of the lapsed sessions.
	after.put(ctx, "u3", session{}, now.Add(2*time.Hour))
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM wechat_sessions`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows after the prune = %d (%v), want 1", n, err)
	}
}
