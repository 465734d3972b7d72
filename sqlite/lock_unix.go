//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The byte ranges SQLite's unix VFS locks (os_unix.c): in the database
// file the pending, reserved and shared bytes, which a connection holds
// while it reads or writes; in the -shm file the WAL locks and, from open
// to close, a read lock on the DMS byte (offset 128) by every connection.
// A write lock on them is free only when no connection anywhere has the
// database open in WAL mode or is inside a transaction.
const (
	pendingByte = 0x40000000
	dbLockLen   = 512 // pending, reserved, 510 shared bytes
	shmLockAt   = 120
	shmLockLen  = 9 // 8 WAL locks and the DMS byte
)

// lockUnused takes write locks on the lock bytes of path and its -shm,
// failing with ErrInUse when another connection holds any, and returns
// what releases them. The locks are open file description locks (Linux),
// which conflict with SQLite's POSIX locks even within this process and
// do not vanish when another descriptor of the file is closed.
func lockUnused(path string) (release func(), err error) {
	var files []*os.File
	release = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, l := range []struct {
		file       string
		start, len int64
	}{{path, pendingByte, dbLockLen}, {path + shmSuffix, shmLockAt, shmLockLen}} {
		f, err := os.OpenFile(l.file, os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			release()
			return nil, fileError("lock", l.file, err)
		}
		files = append(files, f)
		lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: l.start, Len: l.len}
		if err := unix.FcntlFlock(f.Fd(), lockCmd, &lk); err != nil {
			release()
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
				return nil, fmt.Errorf("sqlite: %s: %w: stop every huiqi serve, discord, chat or other program using it, then try again", path, ErrInUse)
			}
			return nil, fmt.Errorf("sqlite: lock %s: %w", l.file, err)
		}
	}
	return release, nil
}
