package wechat

import (
	"sync"
	"time"

	"huiqi/bot"
)

// session is what the adapter remembers of one user between messages:
// the choices last shown (so "2" picks the second) and a form being asked
// field by field. The conversation itself lives in the engine's database;
// losing a session (a restart, expiry) costs only the numbering and the
// form in progress, and the engine's own text flow takes over.
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
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	max int
	ttl time.Duration
}

func newSessions(max int, ttl time.Duration) *sessions {
	return &sessions{m: make(map[string]*session), max: max, ttl: ttl}
}

// get returns a copy of the user's live session (zero when none).
func (s *sessions) get(user string, now time.Time) session {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.m[user]
	if !ok || now.Sub(st.seen) >= s.ttl || now.Before(st.seen.Add(-s.ttl)) {
		return session{}
	}
	return *st
}

// put stores the user's session, making room when full: expired sessions
// first, then the one idle longest.
func (s *sessions) put(user string, st session, now time.Time) {
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
