package wechat

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"huiqi/bot"
	"huiqi/sqlite"
)

// migrations are the "wechat" component's numbered steps.
//
//go:embed migrations/*.sql
var migrations embed.FS

// SessionStore keeps the adapter's sessions across restarts: the choices a
// number picks and a form half asked. Config.Sessions nil keeps them in
// memory only.
type SessionStore interface {
	LoadSession(ctx context.Context, user string) (data []byte, seen time.Time, ok bool, err error)
	SaveSession(ctx context.Context, user string, data []byte, seen, expired time.Time) error
}

// SQLiteSessions is a SessionStore in huiqi's SQLite database.
type SQLiteSessions struct{ db *sql.DB }

// OpenSessions runs the wechat migrations on db and returns the store.
func OpenSessions(ctx context.Context, db *sqlite.DB) (*SQLiteSessions, error) {
	if db == nil {
		return nil, errors.New("wechat: nil database")
	}
	if err := sqlite.Migrate(ctx, db, "wechat", migrations); err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	return &SQLiteSessions{db: db.DB}, nil
}

// LoadSession implements SessionStore.
func (s *SQLiteSessions) LoadSession(ctx context.Context, user string) ([]byte, time.Time, bool, error) {
	var data, seen string
	err := s.db.QueryRowContext(ctx, `SELECT data, seen FROM wechat_sessions WHERE user = ?`, user).Scan(&data, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("wechat: load session: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, seen)
	if err != nil {
		return nil, time.Time{}, false, nil // unreadable: as if none
	}
	return []byte(data), t, true, nil
}

// SaveSession implements SessionStore: the user's row, and the rows last
// seen before expired deleted.
func (s *SQLiteSessions) SaveSession(ctx context.Context, user string, data []byte, seen, expired time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("wechat: save session: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO wechat_sessions (user, data, seen) VALUES (?, ?, ?)
		ON CONFLICT (user) DO UPDATE SET data = excluded.data, seen = excluded.seen`,
		user, string(data), seen.UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("wechat: save session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM wechat_sessions WHERE seen < ?`, expired.UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("wechat: prune sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("wechat: save session: %w", err)
	}
	return nil
}

// sessionJSON is a session as the store keeps it.
type sessionJSON struct {
	Choices []bot.Choice `json:"choices,omitempty"`
	Form    *formJSON    `json:"form,omitempty"`
}

type formJSON struct {
	Form *bot.Form         `json:"form"`
	Next int               `json:"next"`
	Vals map[string]string `json:"vals"`
}

func encodeSession(st session) ([]byte, error) {
	j := sessionJSON{Choices: st.choices}
	if st.form != nil {
		j.Form = &formJSON{Form: st.form.form, Next: st.form.next, Vals: st.form.vals}
	}
	return json.Marshal(j)
}

// decodeSession reads a stored session; a row this release cannot read
// (or a form whose fields it no longer has) is no session.
func decodeSession(data []byte) (session, bool) {
	var j sessionJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return session{}, false
	}
	st := session{choices: j.Choices}
	if f := j.Form; f != nil && f.Form != nil && f.Next >= 0 && f.Next < len(f.Form.Fields) {
		if f.Vals == nil {
			f.Vals = map[string]string{}
		}
		st.form = &formFill{form: f.Form, next: f.Next, vals: f.Vals}
	}
	return st, true
}
