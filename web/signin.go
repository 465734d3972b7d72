package web

import (
	"strings"
	"sync"
	"time"
)

// signinGuard slows password guessing without locking the owner out. It
// counts failed sign-ins per client address and per account name, in two
// maps of bounded size: after Free failures each further attempt must wait
// a delay that doubles with every failure (Base, 2×Base, … up to Max),
// counted from the last failure.
//
//   - An address in its delay is refused before anything else: it neither
//     checks a password nor touches the name map, so a throttled address
//     cannot create, refresh or push out name entries (only checked
//     failures write there).
//   - A name in its delay is refused to addresses that have failed lately,
//     but a clean address (no failure on record) still gets its attempt:
//     the owner signing in from their own desk is never locked out by
//     someone guessing from elsewhere. Each clean address that then fails
//     is no longer clean, so spreading guesses costs one address per guess.
//   - A success forgets the address's failures; the name's decay on their
//     own, so an owner's sign-in does not reset an attacker's delay.
//
// It is safe for concurrent use; its clock is injected.
type signinGuard struct {
	now  func() time.Time
	free int
	base time.Duration
	max  time.Duration

	mu    sync.Mutex
	addrs failures
	names failures
}

// failures is a bounded map of failure records.
type failures struct {
	cap int
	m   map[string]*failure
}

type failure struct {
	n    int       // failures in a row
	last time.Time // the latest
}

func newSigninGuard(now func() time.Time, free int, base, max time.Duration, capacity int) *signinGuard {
	if capacity <= 0 {
		capacity = 10000
	}
	return &signinGuard{now: now, free: free, base: base, max: max,
		addrs: failures{cap: capacity, m: map[string]*failure{}},
		names: failures{cap: capacity, m: map[string]*failure{}}}
}

// delay is how long after its last failure a record with n failures waits.
func (g *signinGuard) delay(n int) time.Duration {
	if n < g.free {
		return 0
	}
	d := g.base
	for i := g.free; i < n && d < g.max; i++ {
		d *= 2
	}
	return min(d, g.max)
}

// wait is how much longer f must wait at now (0: it may try).
func (g *signinGuard) wait(f *failure, now time.Time) time.Duration {
	if f == nil {
		return 0
	}
	return max(0, f.last.Add(g.delay(f.n)).Sub(now))
}

// forgotten reports whether f is old enough to drop: its delay has passed
// and as long again (a record that old would let its next attempt through
// anyway, only with a longer delay after a failure).
func (g *signinGuard) forgotten(f *failure, now time.Time) bool {
	return now.Sub(f.last) > 2*g.delay(f.n)+g.max
}

func signinName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if r := []rune(n); len(r) > 64 {
		n = string(r[:64])
	}
	return n
}

// allow reports whether addr may try to sign in as name now, and if not,
// how long to wait.
func (g *signinGuard) allow(addr, name string) (bool, time.Duration) {
	if g == nil {
		return true, 0
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.addrs.m[addr]
	if w := g.wait(a, now); w > 0 {
		return false, w
	}
	if w := g.wait(g.names.m[signinName(name)], now); w > 0 && a != nil && a.n > 0 {
		return false, w
	}
	return true, 0
}

// failed records a checked attempt that failed.
func (g *signinGuard) failed(addr, name string) {
	if g == nil {
		return
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addrs.bump(g, addr, now)
	g.names.bump(g, signinName(name), now)
}

// succeeded forgets addr's failures.
func (g *signinGuard) succeeded(addr string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.addrs.m, addr)
}

func (fs *failures) bump(g *signinGuard, key string, now time.Time) {
	f := fs.m[key]
	if f == nil {
		if len(fs.m) >= fs.cap {
			fs.evict(g, now)
		}
		f = &failure{}
		fs.m[key] = f
	}
	f.n++
	f.last = now
}

// evict makes room: the records old enough to forget, else the one that
// would be let through soonest (the least recent among those not waiting),
// so a record in a long delay is the last to go.
func (fs *failures) evict(g *signinGuard, now time.Time) {
	for k, f := range fs.m {
		if g.forgotten(f, now) {
			delete(fs.m, k)
		}
	}
	if len(fs.m) < fs.cap {
		return
	}
	var victim string
	var soonest time.Time
	for k, f := range fs.m {
		free := f.last.Add(g.delay(f.n))
		if victim == "" || free.Before(soonest) {
			victim, soonest = k, free
		}
	}
	delete(fs.m, victim)
}

// sizes are the two maps' lengths, for tests.
func (g *signinGuard) sizes() (addrs, names int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.addrs.m), len(g.names.m)
}
