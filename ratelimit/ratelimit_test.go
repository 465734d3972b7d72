package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestBurstRefillAndBound(t *testing.T) {
	now := t0
	l := New(2, 4, 3, func() time.Time { return now })
	for i := range 4 {
		if !l.Allow("a") {
			t.Fatalf("Allow(a) #%d = false, want true within the burst", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("Allow(a) beyond the burst = true")
	}
	now = now.Add(time.Second)
	first, second, third := l.Allow("a"), l.Allow("a"), l.Allow("a")
	if !first || !second || third {
		t.Error("after 1 s at 2/s: want exactly two more")
	}
	l.Allow("b")
	l.Allow("c")
	l.Allow("d") // the map holds 3: the oldest goes
	if n := l.Len(); n != 3 {
		t.Errorf("Len() = %d, want 3 (bounded)", n)
	}
	now = now.Add(time.Hour)
	l.Allow("e")
	if n := l.Len(); n != 1 {
		t.Errorf("Len() after an idle hour = %d, want 1 (expired buckets swept)", n)
	}
}

func TestFloodOfKeysStaysBounded(t *testing.T) {
	now := t0
	l := PerWindow(3, 10*time.Second, 100, func() time.Time { return now })
	for i := range 1000 {
		l.Allow(fmt.Sprint("user", i))
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("Len after 1000 keys = %d, want <= 100", n)
	}
	now = now.Add(2 * time.Minute)
	l.Allow("late")
	if n := l.Len(); n != 1 {
		t.Fatalf("Len after the idle time = %d, want 1", n)
	}
}

func TestClockSteppingBackRefillsNothing(t *testing.T) {
	now := t0
	l := PerWindow(1, time.Minute, 10, func() time.Time { return now })
	if !l.Allow("a") {
		t.Fatal("first Allow = false")
	}
	now = now.Add(-time.Hour)
	if l.Allow("a") {
		t.Error("Allow after the clock stepped back = true, want false")
	}
}

func TestOffAllowsEverything(t *testing.T) {
	var nilL *Limiter
	if !nilL.Allow("x") || nilL.Len() != 0 {
		t.Error("nil limiter refuses or remembers")
	}
	off := New(0, 1, 1, time.Now)
	for i := range 3 {
		if !off.Allow("x") {
			t.Errorf("a zero-rate limiter refuses call %d", i+1)
		}
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(1e9, 1e9, 10000, time.Now)
	keys := []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}
	for i := 0; b.Loop(); i++ {
		l.Allow(keys[i%len(keys)])
	}
}
