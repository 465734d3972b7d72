// Package migration reads a component's numbered migration steps: the
// files 0001_name.sql, 0002_name.sql, … of a directory, version 1, 2, … in
// order. The sqlite and postgres packages apply them to their databases.
package migration

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"

	"huiqi/internal/lazyre"
)

// stepName is a migration file: its version, an underscore, a name.
var stepName = lazyre.New(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Steps reads the numbered .sql files of dir in fsys in version order and
// refuses a gap, a duplicate, a file that is not a step, or none at all.
func Steps(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	byVersion := map[int]string{}
	for _, e := range entries {
		m := stepName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("%s is not a migration (want NNNN_name.sql)", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("%s and %s are both version %d", prev, e.Name(), v)
		}
		byVersion[v] = e.Name()
	}
	versions := make([]int, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	steps := make([]string, 0, len(versions))
	for i, v := range versions {
		if v != i+1 {
			return nil, fmt.Errorf("version %d is missing (found %s)", i+1, byVersion[v])
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, byVersion[v]))
		if err != nil {
			return nil, err
		}
		steps = append(steps, string(b))
	}
	if len(steps) == 0 {
		return nil, errors.New("no migrations")
	}
	return steps, nil
}
