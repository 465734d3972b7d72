// Package testbin serves the tests that drive the shipped huiqi binary: it
// builds it, and collects a running process's output safely. It is for
// tests only and knows nothing of what the binary does.
package testbin

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BuildTo compiles the huiqi binary to path with the go on PATH, so that
// GOTOOLCHAIN from the environment applies, as it does to the tests.
// The limit only guards against a hung build: a first run on a fresh
// clone compiles every dependency (modernc's SQLite is large) while the
// package tests compile theirs, and on two busy cores that took over five
// minutes; go test's own -timeout bounds the whole run.
func BuildTo(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", path, "huiqi").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// Build compiles huiqi into dir and returns the binary's path.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "huiqi")
	if err := BuildTo(context.Background(), bin); err != nil {
		tb.Fatal(err)
	}
	return bin
}

// SyncBuffer collects a process's output while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
