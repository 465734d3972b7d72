package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/sqlite"
)

// burstQuestions are the kind of questions owners ask, answered, near
// misses and out of scope.
var burstQuestions = []string{
	"担保费率是多少？", "招聘工人有什么支持", "刚评上小巨人区里给多少", "贷款贴息怎么申请", "小升规有什么奖励",
	"拉货的大车白天不让进城", "研发机构奖励", "首批次新材料保险补贴", "明天会下雨吗", "你好",
}

// TestBurst10000Questions sends 10,000 questions at once through the real
// engine (knowledge base, SQLite state): 1,000 conversations of 10 questions
// each, 64 senders (a tenth of that under -race: loadScale). Every question gets a real answer: no error, no internal
// failure, no rate-limit refusal (10 messages a conversation is under the
// default 20 per 10 s). The rate is logged, not asserted: a shared machine's
// wall clock proves nothing (BENCHMARKS.md has the measured numbers).
func TestBurst10000Questions(t *testing.T) {
	e := newRealEngine(t)
	ctx := context.Background()
	const convs, each, senders = 1000 / loadScale, 10, 64
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= convs*each {
					return
				}
				// Message i is question i/convs of conversation i%convs, so the
				// conversations interleave as a burst from many users would.
				key := bot.Key{Channel: "burst", User: fmt.Sprint(i % convs)}
				q := burstQuestions[(i/convs+i%convs)%int64(len(burstQuestions))]
				replies, err := e.Handle(ctx, key, bot.Input{Text: q})
				if msg := checkReplies(replies, err); msg != "" {
					if failed.Add(1) <= 5 {
						t.Errorf("Handle(%s, %q): %s", key.User, q, msg)
					}
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d questions failed", n, convs*each)
	}
	t.Logf("%d questions, %d conversations, %d senders: %v, %.0f msgs/s", convs*each, convs, senders,
		d.Round(time.Millisecond), float64(convs*each)/d.Seconds())
}

// checkReplies says what is wrong with a turn's replies, or "".
func checkReplies(replies []bot.Reply, err error) string {
	if err != nil {
		return fmt.Sprintf("error %v", err)
	}
	if len(replies) == 0 {
		return "no reply"
	}
	for _, r := range replies {
		if strings.Contains(r.Text, "系统出了点问题") || strings.Contains(r.Text, "发送得太快") {
			return fmt.Sprintf("reply %q", r.Text)
		}
	}
	return ""
}

// movingClock is a clock the test advances.
type movingClock struct{ ns atomic.Int64 }

func (c *movingClock) now() time.Time      { return time.Unix(0, c.ns.Load()).In(fixedNow.Location()) }
func (c *movingClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// TestMemoryBounded runs 20,000 short conversations (each starts the award
// dialog and leaves it: state worth storing) in 20 waves of 1,000
// through the engine with a one-minute idle timeout, the clock moving two
// minutes between waves, and checks that what the engine keeps is bounded by
// the conversations active within the idle timeout, not by all ever seen:
//
//   - conversations table: the automatic pruning runs every 1,000 turns and
//     a wave is 1,000 turns, so a prune runs in every wave after the clock
//     has moved past the previous wave's idle timeout: at the end of a wave
//     the table holds that wave and at most the one before: <= 2,000 rows. A last Prune after the
//     idle timeout leaves 0.
//   - Go heap after GC: measured after wave 2 (knowledge base loaded, pools
//     warm) and at the end. 18,000 more conversations may not grow it by
//     more than 4 MB, about 230 bytes a conversation: less than one map entry
//     with its key and state would cost, so a per-conversation leak anywhere
//     in the engine fails the test. Measured: +0.7 MB, which is the rate
//     limiter filling to its RateKeys bound. Under -race (a tenth of the
//     conversations) the limit scales with them. (SQLite's page cache lives
//     outside the Go heap and is bounded by the pool: sqlite.MaxOpenConns.)
func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &movingClock{}
	clk.ns.Store(fixedNow.UnixNano())
	db.Now = clk.now
	const waves, perWave, senders = 20, 1000 / loadScale, 16
	// PruneEvery is the production default (1,000) at full size; RateKeys
	// bounds the rate limiter's memory below the conversations seen, so the
	// test also proves that bound holds.
	e, _ := engineOn(t, db, clk.now, nil, intake.Config{}, bot.Deps{IdleTimeout: time.Minute, PruneEvery: perWave, RateKeys: 1000})
	msgs := []string{"算奖励"} // a dialog half done: state the engine must keep
	rows := func() int {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM bot_conversations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var base uint64
	maxRows := 0
	for w := range waves {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= perWave {
						return
					}
					key := bot.Key{Channel: "mem", User: fmt.Sprintf("w%d-%d", w, i)}
					for _, m := range msgs {
						replies, err := e.Handle(ctx, key, bot.Input{Text: m})
						if msg := checkReplies(replies, err); msg != "" {
							t.Errorf("wave %d, %s, %q: %s", w, key.User, m, msg)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		n := rows()
		maxRows = max(maxRows, n)
		if n > 2*perWave {
			t.Errorf("after wave %d: %d conversations stored, want <= %d", w, n, 2*perWave)
		}
		if w == 1 {
			base = heap()
		}
		clk.add(2 * time.Minute)
	}
	end := heap()
	if _, err := e.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 0 {
		t.Errorf("after the idle timeout and Prune: %d conversations stored, want 0", n)
	}
	growth := int64(end) - int64(base)
	const limit = 4 << 20 / loadScale
	if growth > limit {
		t.Errorf("heap grew %d bytes over %d conversations (%d -> %d), want <= %d", growth, (waves-2)*perWave, base, end, limit)
	}
	t.Logf("%d conversations: at most %d stored at a wave's end; heap after GC %.1f MB -> %.1f MB (%+d bytes)",
		waves*perWave, maxRows, float64(base)/(1<<20), float64(end)/(1<<20), growth)
}

// BenchmarkEngineBurst is the burst of TestBurst10000Questions as a
// benchmark: real questions through the real engine, 64 conversations at
// once, the rate limit off so that every message is answered (with the
// default limit most messages of a benchmark would be refusals, which cost
// nothing and measure nothing).
func BenchmarkEngineBurst(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "huiqi.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := func() time.Time { return fixedNow }
	db.Now = now
	e, _ := engineOn(b, db, now, nil, intake.Config{}, bot.Deps{RateLimit: -1})
	var n atomic.Int64
	b.SetParallelism(32) // 64 senders on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := n.Add(1)
		key := bot.Key{Channel: "bench", User: fmt.Sprint(id)}
		i := int(id)
		for pb.Next() {
			replies, err := e.Handle(ctx, key, bot.Input{Text: burstQuestions[i%len(burstQuestions)]})
			if msg := checkReplies(replies, err); msg != "" {
				b.Fatal(msg)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
