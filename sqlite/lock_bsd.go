//go:build unix && !linux

package sqlite

import "golang.org/x/sys/unix"

// lockCmd takes a POSIX lock where there are no open file description
// locks: it does not see this process's own connections, which Restore's
// callers must have closed anyway.
const lockCmd = unix.F_SETLK
