//go:build !race

package bot_test

// loadScale divides the sizes of the load tests (see race_test.go).
const loadScale = 1
