package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Live is the knowledge base a long-running server answers from, reloaded
// when staff publish or withdraw a notice: a new Base is built from the
// database and swapped in, and each call reads the Base current when it
// starts. Every channel that holds a Live sees the same notices.
type Live struct {
	cur atomic.Pointer[Base]
	mu  sync.Mutex // serialises reloads
	// version is the store's notices version the current Base was built at.
	version int64
}

// NewLive serves b until the first Reload.
func NewLive(b *Base) *Live {
	l := &Live{}
	l.cur.Store(b)
	return l
}

// Base is the current base.
func (l *Live) Base() *Base { return l.cur.Load() }

// Reload builds the base again from db (the published notices and staff
// questions) and swaps it in; on an error the current one stays.
func (l *Live) Reload(ctx context.Context, db *sql.DB) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, err := NoticesVersion(ctx, db)
	if err != nil {
		return err
	}
	b, err := LoadBase(ctx, db)
	if err != nil {
		return fmt.Errorf("knowledge: reload: %w", err)
	}
	l.cur.Store(b)
	l.version = v
	return nil
}

// ReloadIfChanged reloads when the notices in db changed since the last
// load (a notice published from the command line while a server runs).
func (l *Live) ReloadIfChanged(ctx context.Context, db *sql.DB) (bool, error) {
	v, err := NoticesVersion(ctx, db)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	same := v == l.version
	l.mu.Unlock()
	if same {
		return false, nil
	}
	return true, l.Reload(ctx, db)
}

// NoticesVersion changes whenever a stored notice is ingested, published,
// withdrawn or revised: the id of the last workflow step (0 for none).
func NoticesVersion(ctx context.Context, db *sql.DB) (int64, error) {
	if db == nil {
		return 0, nil
	}
	if err := requireWorkflow(ctx, db); err != nil {
		return 0, nil // no store yet: nothing ingested
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM knowledge_notice_events`).Scan(&v); err != nil {
		return 0, fmt.Errorf("knowledge: notices version: %w", err)
	}
	return v.Int64, nil
}

// The methods of Base, on the current one.

func (l *Live) Ask(q string, top int, now time.Time) Answer { return l.Base().Ask(q, top, now) }
func (l *Live) Search(q string, top int) []Result           { return l.Base().Search(q, top) }
func (l *Live) Measure(ref string) (*Measure, bool)         { return l.Base().Measure(ref) }
func (l *Live) Measures() []*Measure                        { return l.Base().Measures() }
func (l *Live) Lexicon(measureID string) *LexEntry          { return l.Base().Lexicon(measureID) }
func (l *Live) Unit(name string) UnitResult                 { return l.Base().Unit(name) }
func (l *Live) Scope() Scope                                { return l.Base().Scope() }
func (l *Live) Coverage() string                            { return l.Base().Coverage() }
func (l *Live) SmallTalk(text string) (SmallTalk, bool)     { return l.Base().SmallTalk(text) }
func (l *Live) Package(measureID string) (*Package, bool)   { return l.Base().Package(measureID) }
func (l *Live) NoticeList(now time.Time) []NoticeInfo       { return l.Base().NoticeList(now) }
func (l *Live) FindNotice(ref string) (NoticeRef, bool)     { return l.Base().FindNotice(ref) }
func (l *Live) Validity(m *Measure, now time.Time) Validity { return l.Base().Validity(m, now) }
func (l *Live) AddQuestion(measureID, question string) error {
	return l.Base().AddQuestion(measureID, question)
}
func (l *Live) NoticeInfo(n *Notice, now time.Time) NoticeInfo { return l.Base().NoticeInfo(n, now) }
func (l *Live) Notices() []*Notice                             { return l.Base().Notices() }
func (l *Live) NoticeOf(measureID string) (*Notice, bool)      { return l.Base().NoticeOf(measureID) }
func (l *Live) SupersededBy(measureID string) (NoticeRef, bool) {
	return l.Base().SupersededBy(measureID)
}
func (l *Live) MinConfidence() float64 { return l.Base().MinConfidence() }
