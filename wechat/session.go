package wechat

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"huiqi/bot"
)

// session is what the adapter remembers of one user between messages:
// the choices last shown (so "2" picks the second) and a form being asked
// field by field. The conversation itself lives in the engine's database;
// with a SessionStore the session is kept there too, so a restart loses
// neither; without one (or past its lifetime) losing it costs only the
// numbering and the form in progress, and the engine's own text flow
// takes over.
type session struct {
	choices []bot.Choice
	form    *formFill
	seen    time.Time
}

// formFill is a form being asked one field at a time.
type formFill struct {
	form *bot.Form
	next int // index of the field asked now
	vals map[string]string
}

// sessions holds at most max sessions, each forgotten ttl after its last
// message, by the injected clock.
// The memory holds the sessions of the users seen lately; a store, when
// there is one, holds them all, read when the memory has none (after a
// restart, or an eviction) and written on every put.
type sessions struct {
	mu    sync.Mutex
	m     map[string]*session
	max   int
	ttl   time.Duration
	store SessionStore // nil: memory only
	log   *slog.Logger
}

func newSessions(max int, ttl time.Duration, store SessionStore, log *slog.Logger) *sessions {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &sessions{m: make(map[string]*session), max: max, ttl: ttl, store: store, log: log}
}

// live reports whether a session last seen at seen is still remembered at now.
func (s *sessions) live(seen, now time.Time) bool {
	return now.Sub(seen) < s.ttl && !now.Before(seen.Add(-s.ttl))
}

// get returns a copy of the user's live session (zero when none). A store
// that cannot be read costs the session, not the turn.
func (s *sessions) get(ctx context.Context, user string, now time.Time) session {
	s.mu.Lock()
	st, ok := s.m[user]
	s.mu.Unlock()
	if ok {
		if !s.live(st.seen, now) {
			return session{}
		}
		return *st
	}
	if s.store == nil {
		return session{}
	}
	data, seen, found, err := s.store.LoadSession(ctx, user)
	if err != nil {
		s.log.WarnContext(ctx, "wechat: session not read", "err", err)
		return session{}
	}
	if !found || !s.live(seen, now) {
		return session{}
	}
	got, ok := decodeSession(data)
	if !ok {
		return session{}
	}
	got.seen = seen
	return got
}

// put stores the user's session, making room when full: expired sessions
// first, then the one idle longest; the store, when there is one, keeps it
// too (a failed write is logged: the memory still has it).
func (s *sessions) put(ctx context.Context, user string, st session, now time.Time) {
	if s.store != nil {
		data, err := encodeSession(st)
		if err == nil {
			err = s.store.SaveSession(ctx, user, data, now, now.Add(-s.ttl))
		}
		if err != nil {
			s.log.WarnContext(ctx, "wechat: session not kept", "err", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.seen = now
	if _, ok := s.m[user]; !ok && len(s.m) >= s.max {
		oldest, when := "", now
		for k, v := range s.m {
			if now.Sub(v.seen) >= s.ttl {
				delete(s.m, k)
				continue
			}
			if v.seen.Before(when) || oldest == "" {
				oldest, when = k, v.seen
			}
		}
		if len(s.m) >= s.max {
			delete(s.m, oldest)
		}
	}
	s.m[user] = &st
}

// keyLocks serialises the turns of one user, so that replies keep their
// order and "2" is read against the choices of the turn before.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	n int
}

func newKeyLocks() *keyLocks { return &keyLocks{m: map[string]*keyLock{}} }

func (k *keyLocks) lock(id string) (unlock func()) {
	k.mu.Lock()
	l := k.m[id]
	if l == nil {
		l = &keyLock{}
		k.m[id] = l
	}
	l.n++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.n--; l.n == 0 {
			delete(k.m, id)
		}
		k.mu.Unlock()
	}
}
