package bot_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// newRealEngine is the engine as huiqi chat wires it, on a fresh database.
func newRealEngine(tb testing.TB) *bot.Engine {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "huiqi.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	now := func() time.Time { return fixedNow }
	db.Now = now
	ctx := context.Background()
	base, err := knowledge.LoadBase(ctx, db.DB)
	if err != nil {
		tb.Fatal(err)
	}
	// A fixed source of randomness, so the secret codes in the
	// transcripts do not change from run to run.
	st, err := intake.OpenStore(ctx, db, intake.Config{Router: intake.NewRouter(base),
		Rand: &fixedRand{}}, now)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := wire.NewEngine(ctx, db, now, nil, bot.Deps{Knowledge: base, Tickets: wire.Tickets{Store: st}})
	if err != nil {
		tb.Fatal(err)
	}
	return e
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
			e := newRealEngine(t)
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
			return "line " + itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
