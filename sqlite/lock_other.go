//go:build !unix

package sqlite

import "errors"

// lockUnused cannot see other processes' locks here: Restore refuses.
func lockUnused(path string) (func(), error) {
	return nil, errors.New("sqlite: restore needs file locks this system does not offer; copy the backup while huiqi is stopped")
}
