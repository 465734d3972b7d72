package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"huiqi/bot"
	"huiqi/bot/wire"
	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/postgres"
	"huiqi/sqlite"
	"huiqi/web"
)

// app is what a command that stores things works with, all over one
// database: the knowledge base (the built-in notice plus what the database
// adds), the ticket store routing with it, and on demand the conversation
// engine and the staff accounts. This is the one place they are wired, so
// chat, Discord and the server see one knowledge base and one ticket store.
type app struct {
	e       *env
	db      *sqlite.DB
	pg      *postgres.DB    // the tickets' database when --db names PostgreSQL
	base    *knowledge.Base // nil until loadKnowledge
	live    *knowledge.Live // base, reloaded when staff publish a notice
	router  *intake.Router  // routes with live; nil until loadKnowledge
	tickets *intake.Store   // nil until openTickets
}

// storage is where a command keeps things: file, the SQLite database, and
// when --db names a PostgreSQL database, tickets, its URL. The tickets (and
// what intake keeps with them: the outbox, the unanswered questions, the
// daily counts) then live in PostgreSQL, shared by every process on it;
// the rest (conversations, staff accounts and sessions, ingested notices)
// stays in this process's own file.
type storage struct{ file, tickets string }

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// storageOf reads --db and --local-db: a file alone, or a PostgreSQL URL
// and the file beside it (local, default def).
func storageOf(db, local, def string) (storage, error) {
	if !isPostgres(db) {
		if local != "" {
			return storage{}, usagef("--local-db is for --db postgres://…; with a file, everything is in --db")
		}
		return storage{file: db}, nil
	}
	if local == "" {
		local = def
	}
	if isPostgres(local) {
		return storage{}, usagef("--local-db is this process's own SQLite file, not %s", local)
	}
	return storage{file: local, tickets: db}, nil
}

// openDB opens (creating it when missing) the database at path, with the
// command's clock.
func openDB(ctx context.Context, e *env, path string) (*app, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	db.Now = e.now
	return &app{e: e, db: db}, nil
}

// openDBOn opens the file of s and, when s names one, the PostgreSQL
// database of its tickets.
func openDBOn(ctx context.Context, e *env, s storage) (*app, error) {
	a, err := openDB(ctx, e, s.file)
	if err != nil || s.tickets == "" {
		return a, err
	}
	if a.pg, err = postgres.Open(ctx, s.tickets); err != nil {
		a.db.Close()
		return nil, err
	}
	a.pg.Now = e.now
	return a, nil
}

// openReader opens the ticket store for a command that only reads: the
// file read-only, so that it works where huiqi may not write (a read-only
// file, directory or mount). Tables older than this release are brought
// forward once through a writable handle; a missing file is created as
// openDB would, empty.
func openReader(ctx context.Context, e *env, path string, cfg intake.Config) (*app, error) {
	writable := func() (*app, error) {
		a, err := openDB(ctx, e, path)
		if err != nil {
			return nil, err
		}
		if err := a.openTickets(ctx, cfg); err != nil {
			a.Close()
			return nil, err
		}
		return a, nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) || path == ":memory:" {
		return writable()
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	db.Now = e.now
	cfg.Log = e.log
	st, err := intake.OpenReader(ctx, db, cfg, e.now)
	if errors.Is(err, intake.ErrSchemaBehind) {
		db.Close()
		return writable()
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open ticket store: %w", err)
	}
	return &app{e: e, db: db, tickets: st}, nil
}

// checkIntegrity reads the whole file once (sqlite's quick_check) before a
// long-running command serves from it: a damaged database is refused at
// start, marked damaged for every other process, and has to be restored.
func (a *app) checkIntegrity(ctx context.Context) error {
	start := time.Now()
	if err := a.db.QuickCheck(ctx); err != nil {
		return err
	}
	a.e.log.Info("database integrity checked", "path", a.db.Path, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// openApp opens the database, the knowledge base and the ticket store
// (cfg sets its deadlines).
func openApp(ctx context.Context, e *env, path string, cfg intake.Config) (*app, error) {
	return openAppOn(ctx, e, storage{file: path}, cfg)
}

// openAppOn is openApp with the tickets where s says.
func openAppOn(ctx context.Context, e *env, s storage, cfg intake.Config) (*app, error) {
	a, err := openDBOn(ctx, e, s)
	if err != nil {
		return nil, err
	}
	if err := a.loadKnowledge(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openTickets(ctx, cfg); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the ticket store and the database (the store's prepared
// statements hold connections, so it goes first: the last connection's
// close is what checkpoints the log into the file and removes it).
func (a *app) Close() error {
	if a.tickets != nil {
		a.tickets.Close()
	}
	if a.pg != nil {
		a.pg.Close()
	}
	return a.db.Close()
}

// loadKnowledge loads the knowledge base with what the database adds
// (ingested notices, questions staff attached).
func (a *app) loadKnowledge(ctx context.Context) error {
	if err := knowledge.MigrateLexicon(ctx, a.db); err != nil {
		return fmt.Errorf("migrate lexicon: %w", err)
	}
	base, err := knowledge.LoadBase(ctx, a.db.DB)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	a.base, a.live = base, knowledge.NewLive(base)
	a.router = intake.NewRouter(a.live)
	return nil
}

// openTickets opens the ticket store; it routes new tickets with the
// knowledge base when one is loaded.
func (a *app) openTickets(ctx context.Context, cfg intake.Config) error {
	if cfg.Router == nil {
		cfg.Router = a.router
	}
	cfg.Log = a.e.log
	var st *intake.Store
	var err error
	if a.pg != nil {
		st, err = intake.OpenPostgres(ctx, a.pg, cfg, a.e.now)
	} else {
		st, err = intake.OpenStore(ctx, a.db, cfg, a.e.now)
	}
	if err != nil {
		return fmt.Errorf("open ticket store: %w", err)
	}
	a.tickets = st
	return nil
}

// engine is the conversation engine over the app's knowledge base and
// ticket store; deps sets its limits.
func (a *app) engine(deps bot.Deps) (*bot.Engine, error) {
	set, err := a.e.awardRules()
	if err != nil {
		return nil, err
	}
	if set != nil {
		deps.Award = wire.Questionnaire{Set: set}
	}
	eng, err := wire.NewEngine(a.db, a.live, a.tickets, a.e.now, a.e.log, deps)
	if err != nil {
		return nil, fmt.Errorf("start conversation engine: %w", err)
	}
	return eng, nil
}

// accounts are the staff accounts and sessions.
func (a *app) accounts(ctx context.Context) (*web.Accounts, error) {
	return web.OpenAccounts(ctx, a.db, a.e.now)
}
