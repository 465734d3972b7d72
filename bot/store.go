package bot

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"huiqi/sqlite"
)

// migrations of component "bot": conversation state, one row per Key.
//
//go:embed migrations/*.sql
var migrations embed.FS

// convState is everything the engine remembers about one conversation
// between turns. It is stored as JSON, so fields may be added freely.
type convState struct {
	Mode   string       `json:"mode,omitempty"` // "", "award", "report"
	Award  *awardState  `json:"award,omitempty"`
	Report *reportState `json:"report,omitempty"`
	// Filed is the report last filed, kept so its confirm button pressed
	// again (a double click, a retried request) answers with the same ticket.
	Filed *reportState `json:"filed,omitempty"`
	// Offers are the candidates of an ambiguous answer ("A 还是 B?").
	Offers []offer `json:"offers,omitempty"`
	// LastQuestion is the last question huiqi could not answer, kept so
	// the user can record it or report it.
	LastQuestion string `json:"last_q,omitempty"`
	Recorded     bool   `json:"recorded,omitempty"` // LastQuestion was recorded for staff
	// Offered are the choices of the last turn, so typing a label picks it.
	Offered []offered `json:"offered,omitempty"`
	// Topic is what the conversation is about now, History what it was
	// about (the first topic kept), List the list last offered (context.go).
	Topic   *topic     `json:"topic,omitempty"`
	History []topic    `json:"history,omitempty"`
	List    *listState `json:"list,omitempty"`
	// Asked is the last question put to the knowledge base, for the report
	// a user may start next and for a pick among the answers it offered.
	Asked string `json:"asked,omitempty"`
	// Typed is the last question typed outside a dialog: a report started
	// next begins from it.
	Typed string `json:"typed,omitempty"`
	Turns int    `json:"turns"`
}

type awardState struct {
	Answers json.RawMessage   `json:"answers,omitempty"`
	Back    []json.RawMessage `json:"back,omitempty"`  // answers before each step, for 上一步
	Field   string            `json:"field,omitempty"` // the pending question
	Misses  int               `json:"misses,omitempty"`
}

type reportState struct {
	Step       string `json:"step"` // enterprise, contact, problem, confirm
	Enterprise string `json:"enterprise,omitempty"`
	Contact    string `json:"contact,omitempty"`
	Problem    string `json:"problem,omitempty"`
	// Nonce names this filing once it is shown for confirmation: the
	// confirm button carries it and the ticket is filed under it, so one
	// confirmation files one ticket however often it arrives.
	Nonce string `json:"nonce,omitempty"`
}

type offered struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// offer is one candidate measure kept so a later pick can show it.
type offer struct {
	Ref      string   `json:"ref"`
	Title    string   `json:"title"`
	Snippet  string   `json:"snippet"`
	Units    []string `json:"units,omitempty"`
	Amounts  []string `json:"amounts,omitempty"`
	Validity string   `json:"validity,omitempty"`
	ID       string   `json:"id"`
}

// store keeps conversation state in SQLite.
type store struct {
	db   *sqlite.DB
	idle time.Duration

	// Saves are group-committed: SQLite has one writer and each commit
	// waits for the disk, so concurrent turns queue here and one of them
	// (the leader) writes everything queued in one transaction. Queueing in
	// Go is also fair, where SQLite's busy handler polls and starves some.
	mu      sync.Mutex
	writing bool
	pending []*saveReq

	// reads bounds the concurrent loads, so a thousand simultaneous turns
	// share a few connections instead of opening a thousand.
	reads chan struct{}

	// The statements of a turn, prepared once: preparing them again for
	// every message (a load, then a version check and an upsert in the
	// save) was a fifth of the engine's CPU.
	loadStmt, versionStmt, upsertStmt *sql.Stmt
}

// newStore prepares the store's statements on db.
func newStore(ctx context.Context, db *sqlite.DB, idle time.Duration) (*store, error) {
	s := &store{db: db, idle: idle, reads: make(chan struct{}, 8)}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.loadStmt, `SELECT state, version, updated_at FROM bot_conversations WHERE key = ?`},
		{&s.versionStmt, `SELECT version FROM bot_conversations WHERE key = ?`},
		{&s.upsertStmt, `INSERT INTO bot_conversations (key, state, version, updated_at)
			VALUES (?, ?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET state = excluded.state, version = version + 1,
				updated_at = excluded.updated_at`},
	} {
		stmt, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			return nil, fmt.Errorf("prepare conversation store: %w", err)
		}
		*p.stmt = stmt
	}
	return s, nil
}

// load returns the state of key and its version (0 when new). State idle
// longer than s.idle is treated as gone.
func (s *store) load(ctx context.Context, key string, now time.Time) (convState, int64, error) {
	var (
		raw     string
		version int64
		updated int64
	)
	select {
	case s.reads <- struct{}{}:
	case <-ctx.Done():
		return convState{}, 0, fmt.Errorf("load conversation: %w", ctx.Err())
	}
	err := s.loadStmt.QueryRowContext(ctx, key).Scan(&raw, &version, &updated)
	<-s.reads
	if errors.Is(err, sql.ErrNoRows) {
		return convState{}, 0, nil
	}
	if err != nil {
		return convState{}, 0, fmt.Errorf("load conversation: %w", err)
	}
	var st convState
	if now.Sub(time.UnixMilli(updated)) > s.idle {
		return st, version, nil
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		// A state written by an incompatible version: start over rather
		// than fail every turn of this conversation.
		return convState{}, version, nil
	}
	return st, version, nil
}

type saveReq struct {
	key      string
	raw      string
	version  int64
	at       int64
	conflict bool
	err      error
	lead     bool // set before done is closed: this request writes the next batch
	done     chan struct{}
}

// save writes the state durably. version is what load returned; a
// different stored version means another process handled this key in
// between: the later turn wins, and the conflict is reported to the caller.
func (s *store) save(ctx context.Context, key string, st convState, version int64, now time.Time) (conflict bool, err error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return false, fmt.Errorf("encode conversation: %w", err)
	}
	req := &saveReq{key: key, raw: string(raw), version: version, at: now.UnixMilli(), done: make(chan struct{})}
	s.mu.Lock()
	s.pending = append(s.pending, req)
	if s.writing {
		s.mu.Unlock()
		<-req.done
		if !req.lead {
			return req.conflict, req.err
		}
		s.mu.Lock()
	}
	s.writing = true
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()

	// The batch holds other turns' states: finish it even if this turn's
	// caller goes away.
	werr := func() (err error) {
		// Waiters block until the leader hands over: never leave them
		// waiting, whatever happens in the write.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("save conversation: panic: %v", r)
			}
		}()
		return s.writeBatch(context.WithoutCancel(ctx), batch)
	}()
	for _, r := range batch {
		if werr != nil {
			r.err = werr
		}
		if r != req {
			close(r.done)
		}
	}
	s.mu.Lock()
	if len(s.pending) > 0 {
		next := s.pending[0]
		next.lead = true
		close(next.done)
	} else {
		s.writing = false
	}
	s.mu.Unlock()
	return req.conflict, req.err
}

// writeBatch writes the states of a batch in one transaction.
func (s *store) writeBatch(ctx context.Context, batch []*saveReq) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	defer tx.Rollback()
	version, upsert := tx.StmtContext(ctx, s.versionStmt), tx.StmtContext(ctx, s.upsertStmt)
	for _, r := range batch {
		var cur int64
		err = version.QueryRowContext(ctx, r.key).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur = 0
		case err != nil:
			return fmt.Errorf("save conversation: %w", err)
		}
		r.conflict = cur != r.version
		if _, err := upsert.ExecContext(ctx, r.key, r.raw, r.at); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// prune deletes conversations idle longer than s.idle.
func (s *store) prune(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM bot_conversations WHERE updated_at < ?`,
		now.Add(-s.idle).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune conversations: %w", err)
	}
	return res.RowsAffected()
}
