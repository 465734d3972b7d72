package sqlite

import "golang.org/x/sys/unix"

// lockCmd takes an open file description lock (see lockUnused).
const lockCmd = unix.F_OFD_SETLK
