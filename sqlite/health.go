package sqlite

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lib "modernc.org/sqlite/lib"
)

// health is what the connections of one DB and the DB itself know about
// the file: whether a check or a statement has found it damaged. The first
// damage found is kept (in memory, and in the marker file beside the
// database so that other processes and later starts know it too).
type health struct {
	damaged atomic.Pointer[error]
	mu      sync.Mutex
	marker  string // PATH-damaged once the file opened as a database; "" before
	now     func() time.Time
}

// markerSuffix names the file beside a database that records it damaged.
const markerSuffix = "-damaged"

// MarkerPath is the file that records the database at path damaged.
func MarkerPath(path string) string { return path + markerSuffix }

// watch starts recording damage of the database at path in its marker
// file, and takes up a marker left by an earlier process.
func (h *health) watch(path string, now func() time.Time) {
	h.mu.Lock()
	h.marker, h.now = MarkerPath(path), now
	h.mu.Unlock()
	h.Damaged() // takes up a marker left by an earlier process
}

// check trips on a statement's error that says a page is corrupt, and
// returns err unchanged.
func (h *health) check(err error) error {
	if err != nil && isCorruptPage(err) {
		h.trip(err)
	}
	return err
}

// isCorruptPage reports whether err is SQLite finding a malformed page of a
// file it opened as a database (SQLITE_CORRUPT); a file that is not a
// database at all (SQLITE_NOTADB) is refused at open and is not damage.
func isCorruptPage(err error) bool {
	var c classified
	if !errors.As(err, &c) || c.sentinel != ErrCorrupt {
		return false
	}
	var code interface{ Code() int }
	return errors.As(c.err, &code) && code.Code()&0xff == lib.SQLITE_CORRUPT
}

// trip records the first damage found.
func (h *health) trip(err error) {
	if !h.damaged.CompareAndSwap(nil, &err) {
		return
	}
	h.mu.Lock()
	marker, now := h.marker, h.now
	h.mu.Unlock()
	if marker == "" {
		return
	}
	if _, serr := os.Stat(marker); serr == nil {
		return // an earlier process recorded it
	}
	// Best effort: in a read-only directory the damage stays known to this
	// process only, and every start's check finds it again.
	line := fmt.Sprintf("found %s: %v\n", now().UTC().Format(time.RFC3339), err)
	os.WriteFile(marker, []byte(line), 0o600)
}

// Damaged is nil while the database is sound, else the damage with what to
// do. Damage another process found and recorded beside the file counts
// too (one stat a call), so every process stops writing, not only the one
// that found it.
func (h *health) Damaged() error {
	p := h.damaged.Load()
	if p == nil {
		h.mu.Lock()
		marker := h.marker
		h.mu.Unlock()
		if marker == "" {
			return nil
		}
		b, err := os.ReadFile(marker)
		if err != nil {
			return nil
		}
		h.trip(fmt.Errorf("%w: %s (recorded in %s)", ErrCorrupt, strings.TrimSpace(string(b)), marker))
		p = h.damaged.Load()
	}
	return damageError{*p}
}

// damageError is the refusal of a write on a damaged database.
type damageError struct{ err error }

func (d damageError) Error() string {
	return "database is damaged, so writes are refused until it is restored from a backup: " + d.err.Error()
}

func (d damageError) Unwrap() []error { return []error{ErrCorrupt, d.err} }
