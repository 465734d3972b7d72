//go:build race

package bot_test

// loadScale divides the sizes of the load tests under the race detector,
// which runs the engine and SQLite (C translated to Go) 10-16 times slower:
// the full sizes take 49 s and 113 s there, past the minute a test may take.
// Without -race they run at full size (go test ./bot/ -run 'Burst|Memory').
const loadScale = 10
