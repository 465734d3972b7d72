// Package postgres opens the PostgreSQL database a deployment of several
// huiqi processes shares (through pgx's database/sql driver) and runs the
// embedded, numbered migrations each component hands it, as package sqlite
// does for the one-file deployment. It knows no component's tables.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"huiqi/internal/migration"
)

// ErrNewerSchema: a component's tables were made by a newer release.
var ErrNewerSchema = errors.New("database schema is newer than this huiqi knows")

// MaxOpenConns bounds each process's connections: PostgreSQL serves every
// connection with a process of its own, and several huiqi processes share
// its max_connections (100 by default).
const MaxOpenConns = 16

// DB is the handle shared by the packages that store things in PostgreSQL.
type DB struct {
	*sql.DB
	// Where is the server and database, without the password (for logs).
	Where string
	// Now is the clock migrations record; tests replace it.
	Now func() time.Time
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string), checks it answers and prepares the migrations table.
func Open(ctx context.Context, dsn string) (*DB, error) {
	where := redact(dsn)
	sdb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	sdb.SetMaxOpenConns(MaxOpenConns)
	sdb.SetMaxIdleConns(MaxOpenConns)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: sdb, Where: where, Now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", where, err)
	}
	// Several processes may start at once: IF NOT EXISTS alone races
	// (two creators collide on the catalog's unique index), so the
	// migrations' lock guards it as it guards the steps.
	err = db.locked(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
			PRIMARY KEY (component, version))`)
		return err
	})
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: prepare migrations in %s: %w", where, err)
	}
	return db, nil
}

// redact is dsn without its password.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "the database"
	}
	u.User = url.User(u.User.Username())
	u.RawQuery = ""
	return u.String()
}

// migrateLock is the advisory lock (a number of huiqi's own) that one
// process at a time holds while it changes the schema.
const migrateLock = 0x68756971 // "huiq"

// locked runs fn in a transaction holding the migrations' advisory lock.
func (db *DB) locked(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Migrate applies to db, in order and each in its own transaction, the
// steps of a component it lacks: the files 0001_name.sql, 0002_name.sql, …
// at the top of fsys, version 1, 2, …, recorded per component in
// schema_migrations. Tables at a version above the last step are refused
// with ErrNewerSchema, and nothing is written. Processes starting at once
// take turns (an advisory lock), so each step runs once.
func Migrate(ctx context.Context, db *DB, component string, fsys fs.FS) error {
	steps, err := readSteps(fsys)
	if err != nil {
		return fmt.Errorf("postgres: migrations of %s: %w", component, err)
	}
	err = db.locked(ctx, func(tx *sql.Tx) error {
		have, err := version(ctx, tx, component)
		if err != nil {
			return err
		}
		if have > len(steps) {
			return fmt.Errorf("postgres: %s: %w: its %s tables are at version %d and this huiqi knows versions up to %d; "+
				"run the huiqi that made it, or restore a backup made by this one", db.Where, ErrNewerSchema, component, have, len(steps))
		}
		for v := have + 1; v <= len(steps); v++ {
			if _, err := tx.ExecContext(ctx, steps[v-1]); err != nil {
				return fmt.Errorf("postgres: migrate %s v%d: %w", component, v, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, applied_at) VALUES ($1, $2, $3)`,
				component, v, db.Now().UTC().Format(time.RFC3339)); err != nil {
				return fmt.Errorf("postgres: migrate %s v%d: %w", component, v, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", component, err)
	}
	return nil
}

// Outstanding is how many of a component's steps the database lacks (0
// when current; ErrNewerSchema when its tables are newer than the steps).
func Outstanding(ctx context.Context, db *DB, component string, fsys fs.FS) (int, error) {
	steps, err := readSteps(fsys)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrations of %s: %w", component, err)
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1`,
		component).Scan(&have); err != nil {
		return 0, fmt.Errorf("postgres: schema version of %s: %w", component, err)
	}
	if have > len(steps) {
		return 0, fmt.Errorf("postgres: %s: %w: %s at version %d, this huiqi knows up to %d", db.Where, ErrNewerSchema, component, have, len(steps))
	}
	return len(steps) - have, nil
}

func version(ctx context.Context, tx *sql.Tx, component string) (int, error) {
	var have int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1`, component).Scan(&have)
	return have, err
}

// readSteps reads the component's steps from the top of fsys.
func readSteps(fsys fs.FS) ([]string, error) { return migration.Steps(fsys, ".") }

// Retryable reports whether a transaction that failed with err may simply
// run again: PostgreSQL gave it up for a serialization failure (40001) or
// a deadlock (40P01) with another transaction.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
