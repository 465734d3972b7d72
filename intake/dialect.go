package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"huiqi/sqlite"
)

// dialect is what differs between the SQL databases a Store can keep its
// tickets in. Everything else the store says is written once, in SQL that
// SQLite and PostgreSQL both accept: ? placeholders (rebound by bind),
// INSERT … ON CONFLICT … DO UPDATE/NOTHING, row-value comparisons for the
// pages' cursors, WITHOUT ROWID-free reads. SQLite is the one dialect
// today; a PostgreSQL store (issue 19) implements this for pgx's
// database/sql driver, with its own migrations.
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
func (sqliteDialect) retryable(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLITE_BUSY") || strings.Contains(m, "database is locked")
}
