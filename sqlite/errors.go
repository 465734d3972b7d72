package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"strings"

	msqlite "modernc.org/sqlite"
	lib "modernc.org/sqlite/lib"
)

// The kinds of storage error: conditions of the file, its directory or the
// disk that an operator can act on, each tested with errors.Is. ErrReadOnly
// is in sqlite.go. Every one of them means nothing was written.
var (
	// ErrFull is returned (wrapped) when a write fails because the disk,
	// the file system quota or the database's max_page_count is exhausted.
	// SQLite rolls the statement back, so the file stays consistent.
	ErrFull = errors.New("database or disk is full")
	// ErrCorrupt is returned (wrapped) when SQLite finds the file
	// malformed or not a database at all, and for every write to a
	// database found damaged (see DB.Damaged).
	ErrCorrupt = errors.New("database file is corrupt or not a database")
	// ErrIsDir: the database path names a directory.
	ErrIsDir = errors.New("database path is a directory")
	// ErrNoDir: the directory the database path names does not exist.
	ErrNoDir = errors.New("directory of the database does not exist")
	// ErrNewerSchema: a component's tables were made by a newer release
	// than this one (see Migrate).
	ErrNewerSchema = errors.New("database schema is newer than this huiqi knows")
	// ErrInUse: another process has the database open (see Restore).
	ErrInUse = errors.New("database is in use by another process")
)

// IsStorage reports whether err is one of the storage kinds: the operator
// can act on it, and nothing was written.
func IsStorage(err error) bool {
	for _, k := range []error{ErrReadOnly, ErrFull, ErrCorrupt, ErrIsDir, ErrNoDir, ErrNewerSchema, ErrInUse} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// classify wraps a driver error in the sentinel that names its cause, so
// that callers anywhere above database/sql can test it with errors.Is
// (errors.Is(err, sqlite.ErrFull)) without importing the driver. Errors
// without a known cause are returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	var sentinel error
	switch se.Code() & 0xff { // the primary code; extended codes add bits above
	case lib.SQLITE_FULL:
		sentinel = ErrFull
	case lib.SQLITE_READONLY, lib.SQLITE_PERM:
		sentinel = ErrReadOnly
	case lib.SQLITE_CORRUPT, lib.SQLITE_NOTADB:
		sentinel = ErrCorrupt
	default:
		return err
	}
	if errors.Is(err, sentinel) {
		return err
	}
	return classified{sentinel: sentinel, err: err}
}

// IsBusy reports SQLite's "database is locked" (SQLITE_BUSY, any of its
// extended codes): another connection held the lock past the busy timeout,
// or refused it at once. An error that has lost the driver's type is read
// by its text.
func IsBusy(err error) bool {
	if err == nil {
		return false
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == lib.SQLITE_BUSY
	}
	m := err.Error()
	return strings.Contains(m, "SQLITE_BUSY") || strings.Contains(m, "database is locked")
}

// classified is a driver error that also is its sentinel. Its text is the
// driver's alone ("database or disk is full (13)"), which already says what
// the sentinel would.
type classified struct{ sentinel, err error }

func (c classified) Error() string   { return c.err.Error() }
func (c classified) Unwrap() []error { return []error{c.sentinel, c.err} }

// The types below wrap modernc.org/sqlite's connections so that every error
// that reaches database/sql, whichever package issued the statement, passes
// through classify, a corrupt page found by any statement marks the
// database damaged (health), and a damaged database takes no more writes.
// They forward everything else unchanged.

type connector struct {
	driver.Connector
	h *health
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	return &conn{Conn: cn, h: c.h}, nil
}

// conn is one connection. inTx is set between BeginTx and the end of the
// transaction (database/sql uses a connection for one thing at a time).
type conn struct {
	driver.Conn
	h    *health
	inTx bool
}

// refuseWrite is the error for a write on a damaged database, nil when the
// database is sound.
func (c *conn) refuseWrite() error {
	if d := c.h.Damaged(); d != nil {
		return d
	}
	return nil
}

// The driver implements every optional interface used below; the fallbacks
// return driver.ErrSkip, which makes database/sql take its generic path.

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	s, err := c.Conn.Prepare(query)
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	return &stmt{Stmt: s, c: c}, nil
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Prepare(query)
	}
	s, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	return &stmt{Stmt: s, c: c}, nil
}

func (c *conn) Begin() (driver.Tx, error) {
	if err := c.refuseWrite(); err != nil {
		return nil, err
	}
	//lint:ignore SA1019 driver.Conn requires Begin; BeginTx is preferred when present
	t, err := c.Conn.Begin()
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	c.inTx = true
	return tx{Tx: t, c: c}, nil
}

// BeginTx refuses a write transaction on a damaged database: the write
// path stops acknowledging until the file is restored. Read-only
// transactions go on, so what can still be read can be saved.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return c.Begin()
	}
	if !opts.ReadOnly {
		if err := c.refuseWrite(); err != nil {
			return nil, err
		}
	}
	t, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	c.inTx = true
	return tx{Tx: t, c: c}, nil
}

// ExecContext refuses a statement outside a transaction on a damaged
// database (Exec is how the components write without one); inside a
// transaction BeginTx has decided.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if !c.inTx {
		if err := c.refuseWrite(); err != nil {
			return nil, err
		}
	}
	r, err := e.ExecContext(ctx, query, args)
	return r, c.h.check(classify(err))
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if err != nil {
		return nil, c.h.check(classify(err))
	}
	return rows{Rows: r, h: c.h}, nil
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return c.h.check(classify(p.Ping(ctx)))
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type tx struct {
	driver.Tx
	c *conn
}

func (t tx) Commit() error {
	t.c.inTx = false
	return t.c.h.check(classify(t.Tx.Commit()))
}

func (t tx) Rollback() error {
	t.c.inTx = false
	return t.c.h.check(classify(t.Tx.Rollback()))
}

type stmt struct {
	driver.Stmt
	c *conn
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if !s.c.inTx {
		if err := s.c.refuseWrite(); err != nil {
			return nil, err
		}
	}
	r, err := e.ExecContext(ctx, args)
	return r, s.c.h.check(classify(err))
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, args)
	if err != nil {
		return nil, s.c.h.check(classify(err))
	}
	return rows{Rows: r, h: s.c.h}, nil
}

// rows classifies the errors of stepping through a result: a corrupt page
// is often met on the way, not when the query starts.
type rows struct {
	driver.Rows
	h *health
}

func (r rows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == nil || err == io.EOF {
		return err
	}
	return r.h.check(classify(err))
}

// The column-type methods database/sql's ColumnTypes asks for, forwarded.

func (r rows) ColumnTypeDatabaseTypeName(i int) string {
	if c, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return c.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r rows) ColumnTypeLength(i int) (int64, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return c.ColumnTypeLength(i)
	}
	return 0, false
}

func (r rows) ColumnTypeNullable(i int) (bool, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return c.ColumnTypeNullable(i)
	}
	return false, false
}

func (r rows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return c.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r rows) ColumnTypeScanType(i int) reflect.Type {
	if c, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return c.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
