package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"

	msqlite "modernc.org/sqlite"
	lib "modernc.org/sqlite/lib"
)

// ErrFull is returned (wrapped) when a write fails because the disk, the
// file system quota or the database's max_page_count is exhausted. SQLite
// rolls the statement back, so the file stays consistent.
var ErrFull = errors.New("database or disk is full")

// ErrCorrupt is returned (wrapped) when SQLite finds the file malformed or
// not a database at all.
var ErrCorrupt = errors.New("database file is corrupt or not a database")

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

// classified is a driver error that also is its sentinel. Its text is the
// driver's alone ("database or disk is full (13)"), which already says what
// the sentinel would.
type classified struct{ sentinel, err error }

func (c classified) Error() string   { return c.err.Error() }
func (c classified) Unwrap() []error { return []error{c.sentinel, c.err} }

// The types below wrap modernc.org/sqlite's connections so that every error
// that reaches database/sql, whichever package issued the statement, passes
// through classify. They forward everything else unchanged.

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, classify(err)
	}
	return &conn{cn}, nil
}

type conn struct{ driver.Conn }

// The driver implements every optional interface used below; the fallbacks
// return driver.ErrSkip, which makes database/sql take its generic path.

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	s, err := c.Conn.Prepare(query)
	if err != nil {
		return nil, classify(err)
	}
	return &stmt{s}, nil
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Prepare(query)
	}
	s, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, classify(err)
	}
	return &stmt{s}, nil
}

func (c *conn) Begin() (driver.Tx, error) {
	//lint:ignore SA1019 driver.Conn requires Begin; BeginTx is preferred when present
	t, err := c.Conn.Begin()
	if err != nil {
		return nil, classify(err)
	}
	return tx{t}, nil
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return c.Begin()
	}
	t, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, classify(err)
	}
	return tx{t}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, query, args)
	return r, classify(err)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	return r, classify(err)
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return classify(p.Ping(ctx))
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

type tx struct{ driver.Tx }

func (t tx) Commit() error   { return classify(t.Tx.Commit()) }
func (t tx) Rollback() error { return classify(t.Tx.Rollback()) }

type stmt struct{ driver.Stmt }

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, args)
	return r, classify(err)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, args)
	return r, classify(err)
}
