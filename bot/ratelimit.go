package bot

import (
	"sync"
	"time"
)

// limiter is a token bucket per conversation key with a bounded map: idle
// buckets expire, and when the map is full the longest-idle bucket is
// dropped, so a flood of new users cannot grow memory without limit.
type limiter struct {
	rate  float64 // tokens per second
	burst float64
	max   int
	idle  time.Duration
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter allows burst messages at once and burst per window after;
// max bounds the number of keys remembered.
func newLimiter(burst int, window time.Duration, max int, now func() time.Time) *limiter {
	rate := float64(burst) / window.Seconds()
	return &limiter{
		rate: rate, burst: float64(burst), max: max,
		// A bucket idle this long is full again, so forgetting it changes nothing.
		idle: window + time.Minute,
		now:  now, buckets: map[string]*bucket{},
	}
}

// allow takes one token from key's bucket; a nil limiter allows everything.
func (l *limiter) allow(key string) bool {
	if l == nil {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.idle {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.sweep(now)
			if len(l.buckets) >= l.max {
				l.dropOldest()
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens += d.Seconds() * l.rate
		b.last = now
	}
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops buckets idle long enough to be full again.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.idle {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

func (l *limiter) dropOldest() {
	var oldest string
	var at time.Time
	first := true
	for k, b := range l.buckets {
		if first || b.last.Before(at) {
			oldest, at, first = k, b.last, false
		}
	}
	delete(l.buckets, oldest)
}

func (l *limiter) size() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
