package bot_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"

	"huiqi/internal/zhtext"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())

// newRealEngine is the engine as huiqi chat wires it, on a fresh database;
// opts adjust its dependencies (limits) before it is built.
func newRealEngine(tb testing.TB, opts ...func(*bot.Deps)) *bot.Engine {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "huiqi.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	now := func() time.Time { return fixedNow }
	db.Now = now
	// A fixed source of randomness, so the secret codes in the
	// transcripts do not change from run to run.
	// No limiter on the real clock unless a test asks for one: results
	// must not depend on how fast the machine runs the test.
	deps := bot.Deps{RateLimit: -1, ActionLimit: -1, TicketLimit: -1}
	for _, o := range opts {
		o(&deps)
	}
	e, _ := engineOn(tb, db, now, nil, intake.Config{Rand: &fixedRand{}}, deps)
	return e
}

// engineOn builds the engine as huiqi wires it (the built-in knowledge
// base, a ticket store routing with it, eligibility's questionnaire) over
// db, and returns it with its ticket store.
func engineOn(tb testing.TB, db *sqlite.DB, now func() time.Time, log *slog.Logger, cfg intake.Config, deps bot.Deps) (*bot.Engine, *intake.Store) {
	tb.Helper()
	ctx := context.Background()
	base, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Router, cfg.Log = intake.NewRouter(base), log
	st, err := intake.OpenStore(ctx, db, cfg, now)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := wire.NewEngine(db, base, st, now, log, deps)
	if err != nil {
		tb.Fatal(err)
	}
	return e, st
}

// fixedRand yields 0, 1, 2, … forever.
type fixedRand struct{ n byte }

func (r *fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// echoReader hands the terminal one line per Read and writes it to the
// transcript as it goes, as a person typing would appear on screen.
type echoReader struct {
	lines []string
	out   io.Writer
}

func (r *echoReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	line := r.lines[0] + "\n"
	if len(line) > len(p) {
		return 0, io.ErrShortBuffer
	}
	r.lines = r.lines[1:]
	io.WriteString(r.out, line)
	return copy(p, line), nil
}

// TestGoldenTranscripts replays each testdata/NAME.in (one line typed per
// line; lines starting with # are comments) through the terminal adapter
// and the real engine, and compares the screen with testdata/NAME.txt.
func TestGoldenTranscripts(t *testing.T) {
	ins, err := filepath.Glob("testdata/*.in")
	if err != nil || len(ins) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimRight(string(src), "\n"), "\n") {
				if !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
			var out bytes.Buffer
			// As huiqi chat wires it: the terminal has no rate limit (and a
			// limiter on the real clock would make the transcript depend on
			// how fast the test runs).
			e := newRealEngine(t, func(d *bot.Deps) { d.RateLimit = -1 })
			err = bot.RunTerminal(context.Background(), e, &echoReader{lines: lines, out: &out}, &out,
				bot.Key{Channel: "terminal", User: "golden"})
			if err != nil {
				t.Fatalf("RunTerminal: %v", err)
			}
			golden := strings.TrimSuffix(in, ".in") + ".txt"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("transcript %s differs from %s (go test -update rewrites it):\n%s", name, golden, diff(string(want), got))
			}
		})
	}
}

// diff shows the first differing line.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return ""
}

// BenchmarkEngineMessages measures messages per second through the real
// engine (knowledge base, questionnaire, SQLite state), 64 conversations at
// once, each going through questions and the start of an award dialog. The
// per-conversation rate limit is off: with it, a loop sending as fast as it
// can would measure refusals.
func BenchmarkEngineMessages(b *testing.B) {
	e := newRealEngine(b, func(d *bot.Deps) { d.RateLimit = -1 })
	ctx := context.Background()
	msgs := []string{"担保费率是多少？", "算奖励", "是", "35%", "12%", "取消", "你好", "招聘工人有什么支持"}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		key := bot.Key{Channel: "bench", User: strconv.FormatInt(n.Add(1), 10)}
		i := 0
		for pb.Next() {
			if _, err := e.Handle(ctx, key, bot.Input{Text: msgs[i%len(msgs)]}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// FuzzChat sends arbitrary text through the real engine in every state a
// conversation can be in: it must always answer, never with an error.
func FuzzChat(f *testing.F) {
	for _, s := range []string{"", "你好", "担保费率是多少？", "三成半", "翻了一番", "1.2个亿", "省级专精特新 2021年",
		"很多", "-", "😀", "上一步", "跳过", "查进度 CQ-20261127-0001 ABC", "@everyone", strings.Repeat("好", 2001)} {
		f.Add(s)
	}
	e := newRealEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		key := bot.Key{Channel: "fuzz", User: "u"}
		for _, in := range []bot.Input{{Text: text}, {Text: "/award"}, {Text: text}, {Text: "是"}, {Text: text},
			{Text: "/report"}, {Text: text}, {Text: text}, {Text: text}, {Text: "取消"}} {
			replies, err := e.Handle(context.Background(), key, in)
			if err != nil {
				t.Fatalf("Handle(%q) error: %v", in.Text, err)
			}
			if len(replies) == 0 {
				t.Fatalf("Handle(%q) gave no reply", in.Text)
			}
			for _, r := range replies {
				if strings.Contains(r.Text, "系统出了点问题") || strings.Contains(r.Text, "goroutine") {
					t.Fatalf("Handle(%q) failed inside: %q", in.Text, r.Text)
				}
			}
		}
	})
}

// TestConcurrentRealConversations runs 1,000 award dialogs at once through
// the real engine; each one's next question depends on its own answer
// (growth 0 skips the March question), so a crossed state shows.
func TestConcurrentRealConversations(t *testing.T) {
	e := newRealEngine(t)
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			growth, want := "35%", "第3题：2023年3月"
			if i%2 == 0 {
				growth, want = "持平", "第3题：贵企业是“小升规”"
			}
			key := bot.Key{Channel: "race", User: strconv.Itoa(i)}
			for _, step := range []struct{ in, want string }{
				{"算奖励", "第1题"}, {"是", "第2题"}, {growth, want}, {"上一步", "第2题"},
			} {
				replies, err := e.Handle(context.Background(), key, bot.Input{Text: step.in})
				if err != nil {
					errs <- err
					return
				}
				var text strings.Builder
				for _, r := range replies {
					text.WriteString(r.Text)
				}
				if !strings.Contains(text.String(), step.want) {
					errs <- fmt.Errorf("conversation %d: after %q got %q, want %q", i, step.in, text.String(), step.want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
