package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"huiqi/postgres"
	"huiqi/sqlite"
)

// dialect is what differs between the SQL databases a Store can keep its
// tickets in. Everything else the store says is written once, in SQL that
// SQLite and PostgreSQL both accept: ? placeholders (rebound by bind),
// INSERT … ON CONFLICT … DO UPDATE/NOTHING, row-value comparisons for the
// pages' cursors, TRUE and FALSE for booleans. SQLite (sqliteDialect) and
// PostgreSQL (pgDialect, through pgx's database/sql driver, with its own
// migrations in migrations_pg) implement it.
type dialect interface {
	// migrate brings the intake tables to the version this code knows,
	// refusing a newer one.
	migrate(ctx context.Context) error
	// bind rewrites a statement's ? placeholders for the driver.
	bind(q string) string
	// inList is a condition "col is one of the values of the list
	// argument" and listArg that argument.
	inList(col string) string
	listArg(values []string) any
	// retryable reports whether a transaction that failed with err may
	// simply run again (the lock was busy; a serialization failure).
	retryable(err error) bool
	// attempts is how many times write runs a transaction that keeps
	// failing retryably.
	attempts() int
	// txOptions are the options of a write transaction, or of a read
	// when readOnly.
	txOptions(readOnly bool) *sql.TxOptions
}

// sqliteDialect is the store on huiqi's one SQLite file.
type sqliteDialect struct{ db *sqlite.DB }

func (d sqliteDialect) migrate(ctx context.Context) error {
	if err := sqlite.Migrate(ctx, d.db, "intake", migrations); err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	return nil
}

func (sqliteDialect) bind(q string) string { return q }

func (sqliteDialect) inList(col string) string {
	return col + " IN (SELECT value FROM json_each(?))"
}

func (sqliteDialect) listArg(values []string) any {
	b, _ := json.Marshal(values)
	return string(b)
}

// retryable: another process held the write lock past the busy timeout.
func (sqliteDialect) retryable(err error) bool { return sqlite.IsBusy(err) }

// attempts: each attempt already waited out the busy timeout.
func (sqliteDialect) attempts() int { return 5 }

// txOptions: a write is BEGIN IMMEDIATE (the database's _txlock), so it
// holds the one write lock from its first statement; SQLite's
// transactions are serializable.
func (sqliteDialect) txOptions(readOnly bool) *sql.TxOptions {
	if readOnly {
		return &sql.TxOptions{ReadOnly: true}
	}
	return nil
}

// pgDialect is the store in a PostgreSQL database several processes share.
type pgDialect struct{ db *postgres.DB }

func (d pgDialect) migrate(ctx context.Context) error {
	steps, err := fs.Sub(migrationsPG, "migrations_pg")
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	if err := postgres.Migrate(ctx, d.db, "intake", steps); err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	return nil
}

// bind numbers the placeholders: ? → $1, $2, … (outside quoted text).
func (pgDialect) bind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (pgDialect) inList(col string) string { return col + " = ANY(?)" }

// listArg is a text[] (pgx encodes a []string so).
func (pgDialect) listArg(values []string) any { return values }

// retryable: a serialization failure or a deadlock.
func (pgDialect) retryable(err error) bool { return postgres.Retryable(err) }

// attempts: under load several transactions touch the same tally rows
// and all but one of them are failed and retried; each retry is cheap.
func (pgDialect) attempts() int { return 30 }

// txOptions: writes are SERIALIZABLE, so load-modify-save behaves as on
// SQLite's one writer (a concurrent change fails the later commit, which
// write retries); reads see one snapshot.
func (pgDialect) txOptions(readOnly bool) *sql.TxOptions {
	if readOnly {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{Isolation: sql.LevelSerializable}
}
