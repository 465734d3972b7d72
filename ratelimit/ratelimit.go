// Package ratelimit is a token bucket per key (a conversation, a client IP, a
// login name) with a bounded map: idle buckets expire, and when the map is
// full the longest-idle bucket is dropped, so a flood of new keys cannot grow
// memory without limit. Every channel of huiqi limits through it.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter is safe for concurrent use. A nil Limiter, or one with a rate of
// zero or less, allows everything.
type Limiter struct {
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

// New allows burst requests at once, refilled at rate per second; max bounds
// the number of keys remembered (10,000 when max ≤ 0).
func New(rate float64, burst, max int, now func() time.Time) *Limiter {
	if max <= 0 {
		max = 10000
	}
	var idle time.Duration
	if rate > 0 {
		// A bucket idle this long is full again, so forgetting it changes nothing.
		idle = time.Duration(float64(burst)/rate*float64(time.Second)) + time.Minute
	}
	return &Limiter{rate: rate, burst: float64(burst), max: max, idle: idle, now: now, buckets: map[string]*bucket{}}
}

// PerWindow allows burst requests per window, all at once if need be.
func PerWindow(burst int, window time.Duration, max int, now func() time.Time) *Limiter {
	return New(float64(burst)/window.Seconds(), burst, max, now)
}

// Allow takes one token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.rate <= 0 {
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
	if d := now.Sub(b.last); d > 0 { // a clock that steps back refills nothing
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
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.idle {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

func (l *Limiter) dropOldest() {
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

// Len is the number of keys remembered.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
