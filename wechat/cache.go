package wechat

import (
	"sync"
	"time"
)

// ttlCache remembers up to max keys for ttl each, by the clock passed in.
// Every entry lives the same ttl, so insertion order is expiry order: the
// queue is swept from its head, and when full the oldest entry goes.
type ttlCache[V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	m     map[string]ttlEntry[V]
	queue []ttlKey
	head  int
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

type ttlKey struct {
	key     string
	expires time.Time
}

func newTTLCache[V any](max int, ttl time.Duration) *ttlCache[V] {
	return &ttlCache[V]{max: max, ttl: ttl, m: make(map[string]ttlEntry[V])}
}

// get returns the live value of key.
func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// putIfAbsent stores v under key unless a live value is there; it returns
// the value now stored and whether it is v.
func (c *ttlCache[V]) putIfAbsent(key string, v V, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	if e, ok := c.m[key]; ok && now.Before(e.expires) {
		return e.v, false
	}
	for len(c.m) >= c.max && c.head < len(c.queue) {
		c.drop(c.queue[c.head])
		c.head++
	}
	exp := now.Add(c.ttl)
	c.m[key] = ttlEntry[V]{v: v, expires: exp}
	c.queue = append(c.queue, ttlKey{key: key, expires: exp})
	return v, true
}

// sweep forgets expired entries and compacts the queue now and then.
func (c *ttlCache[V]) sweep(now time.Time) {
	for c.head < len(c.queue) && !now.Before(c.queue[c.head].expires) {
		c.drop(c.queue[c.head])
		c.head++
	}
	if c.head > 1024 && c.head*2 > len(c.queue) {
		c.queue = append([]ttlKey(nil), c.queue[c.head:]...)
		c.head = 0
	}
}

// drop deletes the entry queued as k, unless the key was stored again
// later (then a later queue item owns it).
func (c *ttlCache[V]) drop(k ttlKey) {
	if e, ok := c.m[k.key]; ok && e.expires.Equal(k.expires) {
		delete(c.m, k.key)
	}
}

func (c *ttlCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
