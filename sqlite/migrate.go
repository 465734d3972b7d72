package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"huiqi/internal/migration"
)

// migrationsDir is where a component keeps its migrations.
const migrationsDir = "migrations"

// Migrate applies to db, in order and each in its own transaction, the
// migrations of a component that the database has not seen yet: the files
// migrations/0001_name.sql, migrations/0002_name.sql, … of fsys (a
// package's //go:embed migrations/*.sql), version 1, 2, …. The versions
// applied are recorded
// per component in schema_migrations, so a database made by an earlier
// release opens unchanged and gets only the steps it lacks. Never edit a
// released step: add the next file.
func Migrate(ctx context.Context, db *DB, component string, fsys fs.FS) error {
	steps, err := readSteps(fsys)
	if err != nil {
		return fmt.Errorf("sqlite: migrations of %s: %w", component, err)
	}
	return db.migrate(ctx, component, steps)
}

// readSteps reads the component's steps from the migrations directory of
// fsys.
func readSteps(fsys fs.FS) ([]string, error) { return migration.Steps(fsys, migrationsDir) }

// Outstanding is how many of a component's migrations (as for Migrate)
// the database lacks: 0 when its tables are current. A database whose
// tables are newer than the steps is ErrNewerSchema. It only reads, so a
// read-only handle may ask before it reads the component's tables.
func Outstanding(ctx context.Context, db *DB, component string, fsys fs.FS) (int, error) {
	steps, err := readSteps(fsys)
	if err != nil {
		return 0, fmt.Errorf("sqlite: migrations of %s: %w", component, err)
	}
	have, err := db.version(ctx, component, len(steps))
	if err != nil {
		return 0, err
	}
	return len(steps) - have, nil
}

// version is the component's highest recorded migration, refused with
// ErrNewerSchema when it is above known: a newer release made the tables,
// and this one would write rows they no longer mean, so nothing is written.
func (db *DB) version(ctx context.Context, component string, known int) (int, error) {
	var have, n int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_migrations WHERE component = ?`,
		component).Scan(&have, &n); err != nil {
		return 0, fmt.Errorf("sqlite: schema version of %s in %s: %w", component, db.Path, err)
	}
	if have > known {
		return 0, fmt.Errorf("sqlite: %s: %w: its %s tables are at version %d and this huiqi knows versions up to %d; "+
			"run the huiqi that made it, or restore a backup made by this one", db.Path, ErrNewerSchema, component, have, known)
	}
	if n < have {
		return n, nil // a step in between is missing: migrate looks at each
	}
	return have, nil
}

func (db *DB) migrate(ctx context.Context, component string, steps []string) error {
	have, err := db.version(ctx, component, len(steps))
	if err != nil {
		return err
	}
	if have == len(steps) {
		return nil // current: no transaction, nothing written
	}
	for i, step := range steps {
		version := i + 1
		if err := db.migrateOne(ctx, component, version, step); err != nil {
			return fmt.Errorf("sqlite: migrate %s v%d: %w", component, version, err)
		}
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, component string, version int, step string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version = ?`,
		component, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, step); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)`,
		component, version, db.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}
