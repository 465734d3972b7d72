package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/internal/testbin"
)

// built is the one huiqi binary the package's process tests share: building
// it once instead of once per test saves a link of the whole program each.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// sharedBinary builds huiqi once, into a directory every user may read
// (the storage tests run it as nobody).
func sharedBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "huiqi-bin-"); built.err != nil {
			return
		}
		if built.err = os.Chmod(built.dir, 0o755); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "huiqi")
		built.err = testbin.BuildTo(context.Background(), built.bin)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// execHuiqi runs the shared binary as the current user with exactly env
// (plus PATH and HOME) and stdin.
func execHuiqi(t testing.TB, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr, err := tryHuiqi(sharedBinary(t), env, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return code, stdout, stderr
}

// maxArg is the longest single argument Linux passes to a process
// (MAX_ARG_STRLEN, 32 pages): longer text can reach huiqi only by stdin or
// a file.
const maxArg = 32 * 4096

// notArgv reports whether no process can receive a as an argument: too
// long, or holding a NUL byte, which ends a C string.
func notArgv(a string) bool { return len(a) >= maxArg || strings.IndexByte(a, 0) >= 0 }

// tryHuiqi is execHuiqi without the test: safe from any goroutine.
func tryHuiqi(bin string, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), binCache(bin)}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code, err = ee.ExitCode(), nil
	default:
		return 0, "", "", fmt.Errorf("huiqi %.80q: %w", args, err)
	}
	return code, out.String(), errb.String(), nil
}

// binCache keeps the index snapshot (knowledge's BuiltinCached) of the
// test binary beside it, not in the user's ~/.cache: HUIQI_CACHE.
func binCache(bin string) string {
	return "HUIQI_CACHE=" + filepath.Join(filepath.Dir(bin), "cache")
}
