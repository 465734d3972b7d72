package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"huiqi/intake"
	"huiqi/sqlite"

	"golang.org/x/crypto/bcrypt"
)

// The ids of the roles in intake/roles.json, which says what each may do;
// the code decides nothing by them (a test holds them to the file).
const (
	RoleHotline = "hotline" // 热线坐席
	RoleUnit    = "unit"    // 单位人员
	RoleAdmin   = "admin"   // 管理员
)

// ErrBadLogin is returned for a wrong name or password (never saying which).
var ErrBadLogin = errors.New("wrong name or password")

// ErrNoSession is returned for a missing, unknown or expired session.
var ErrNoSession = errors.New("no valid session")

// invalidErr marks bad input to account commands: in Chinese for the
// console's users and in English for the operator at the command line
// (Error says both, as the command line's messages do).
type invalidErr struct{ zh, en string }

func (e invalidErr) Error() string      { return e.zh + " / " + e.en }
func (e invalidErr) InvalidInput() bool { return true }

// Chinese is the message for the console's users.
func (e invalidErr) Chinese() string { return e.zh }

func invalidf(zh, en string, a ...any) invalidErr {
	return invalidErr{fmt.Sprintf(zh, a...), fmt.Sprintf(en, a...)}
}

// Password limits: bcrypt reads at most 72 bytes.
const (
	minPassword = 8
	maxPassword = 72
)

// checkPassword says what is wrong with a new password, if anything.
func checkPassword(p string) error {
	switch {
	case len(p) < minPassword:
		return invalidf("密码太短：至少 %d 个字节（一个汉字算 3 个）", "password must be at least %d bytes", minPassword)
	case len(p) > maxPassword:
		return invalidf("密码太长：最多 %d 个字节（一个汉字算 3 个）", "password must be at most %d bytes", maxPassword)
	case strings.TrimSpace(p) != p:
		return invalidf("密码的开头或结尾不能是空格", "password must not start or end with a space")
	}
	return nil
}

// User is a staff account.
type User struct {
	ID      int64
	Name    string
	Role    string
	Unit    string // for the roles that act for one unit
	Created time.Time
}

// Session is a signed-in user with the session's CSRF token.
type Session struct {
	User    User
	CSRF    string
	Expires time.Time
}

// Accounts stores staff accounts and sessions in SQLite (component "web").
type Accounts struct {
	db  *sql.DB
	now func() time.Time
	// Cost is the bcrypt cost for new passwords; tests lower it.
	Cost int
	// TTL is how long a session lasts at most; Idle ends one unused this
	// long (default 30 minutes).
	TTL  time.Duration
	Idle time.Duration
	// KeepExpired leaves expired sessions in the database (they are still
	// refused): a fixed demonstration clock must not delete real sessions.
	KeepExpired bool
	// dummy is a hash compared against for unknown names, so a wrong name
	// takes as long as a wrong password.
	dummyOnce sync.Once
	dummy     []byte
	roles     *intake.Roles
}

// migrations of component "web": staff accounts and sessions.
//
//go:embed migrations/*.sql
var migrations embed.FS

// OpenAccounts runs the web component's migrations and returns the store.
func OpenAccounts(ctx context.Context, db *sqlite.DB, now func() time.Time) (*Accounts, error) {
	if err := sqlite.Migrate(ctx, db, "web", migrations); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	roles, err := intake.BuiltinRoles()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	a := &Accounts{db: db.DB, now: now, Cost: bcrypt.DefaultCost, TTL: 12 * time.Hour, Idle: 30 * time.Minute, roles: roles}
	return a, nil
}

// Roles are the roles accounts may hold (intake/roles.json).
func (a *Accounts) Roles() *intake.Roles { return a.roles }

// Add creates an account. Unit is required for the roles that act for one
// unit and refused for the others.
func (a *Accounts) Add(ctx context.Context, name, role, unit, password string) (User, error) {
	name = strings.TrimSpace(name)
	unit = strings.TrimSpace(unit)
	r, known := a.roles.Get(role)
	switch {
	case name == "" || utf8.RuneCountInString(name) > 64:
		return User{}, invalidf("账号名须为 1 到 64 个字", "name must be 1 to 64 characters")
	case !known:
		return User{}, invalidf("角色须为 %s 之一，不是 %q", "role must be %[1]s, got %[2]q", a.roles.IDs("、"), role)
	case r.NeedsUnit() && unit == "":
		return User{}, invalidf("角色 %s 须用 --unit 指定单位", "role %s needs --unit", role)
	case !r.NeedsUnit() && unit != "":
		return User{}, invalidf("--unit 只用于代表一个单位的角色，%s 不是", "--unit is only for a role that acts for one unit, not %s", role)
	}
	if err := checkPassword(password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.Cost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	now := a.now()
	res, err := a.db.ExecContext(ctx, `INSERT INTO web_users (name, role, unit, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		name, role, unit, hash, now.UTC().Format(time.RFC3339))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return User{}, invalidf("账号 %q 已存在", "user %q already exists", name)
		}
		return User{}, fmt.Errorf("add user: %w", err)
	}
	id, _ := res.LastInsertId()
	return User{ID: id, Name: name, Role: role, Unit: unit, Created: now}, nil
}

// Remove deletes an account and signs out its sessions.
func (a *Accounts) Remove(ctx context.Context, name string) error {
	res, err := a.db.ExecContext(ctx, `DELETE FROM web_users WHERE name = ?`, strings.TrimSpace(name))
	if err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invalidf("没有账号 %q", "no user %q", name)
	}
	return nil
}

// List returns all accounts by name.
func (a *Accounts) List(ctx context.Context) ([]User, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT id, name, role, unit, created_at FROM web_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		var u User
		var created string
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &u.Unit, &created); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Created, _ = time.Parse(time.RFC3339, created)
		us = append(us, u)
	}
	return us, rows.Err()
}

// Authenticate checks a name and password.
func (a *Accounts) Authenticate(ctx context.Context, name, password string) (User, error) {
	var u User
	var hash []byte
	err := a.db.QueryRowContext(ctx, `SELECT id, name, role, unit, password_hash FROM web_users WHERE name = ?`,
		strings.TrimSpace(name)).Scan(&u.ID, &u.Name, &u.Role, &u.Unit, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		a.dummyOnce.Do(func() {
			a.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), a.Cost)
		})
		bcrypt.CompareHashAndPassword(a.dummy, []byte(password))
		return User{}, ErrBadLogin
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return User{}, ErrBadLogin
	}
	return u, nil
}

// randomToken returns n random bytes, base64url encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics on a broken system source)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession starts a session for u and returns its token; only the token's
// hash is stored.
func (a *Accounts) NewSession(ctx context.Context, u User) (token string, s Session, err error) {
	token = randomToken(32)
	now := a.now()
	s = Session{User: u, CSRF: randomToken(24), Expires: now.Add(a.TTL)}
	if !a.KeepExpired {
		if _, err := a.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < ?`, now.UTC().Format(time.RFC3339)); err != nil {
			return "", Session{}, fmt.Errorf("new session: %w", err)
		}
	}
	if _, err := a.db.ExecContext(ctx, `INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), u.ID, s.CSRF, now.UTC().Format(time.RFC3339), s.Expires.UTC().Format(time.RFC3339)); err != nil {
		return "", Session{}, fmt.Errorf("new session: %w", err)
	}
	if err := a.used(ctx, token, now); err != nil {
		return "", Session{}, fmt.Errorf("new session: %w", err)
	}
	return token, s, nil
}

// Session returns the live session of token: not past its TTL, and used
// within Idle. Using it keeps it alive (the time of use is written at most
// once a minute).
func (a *Accounts) Session(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, ErrNoSession
	}
	var s Session
	var expires, used string
	err := a.db.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.unit, s.csrf, s.expires_at, COALESCE(x.used_at, '')
		FROM web_sessions s JOIN web_users u ON u.id = s.user_id LEFT JOIN web_session_use x ON x.token_hash = s.token_hash
		WHERE s.token_hash = ?`, hashToken(token)).
		Scan(&s.User.ID, &s.User.Name, &s.User.Role, &s.User.Unit, &s.CSRF, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	now := a.now()
	s.Expires, _ = time.Parse(time.RFC3339, expires)
	if !now.Before(s.Expires) {
		return Session{}, ErrNoSession
	}
	if last, err := time.Parse(time.RFC3339, used); err == nil && a.Idle > 0 {
		if now.Sub(last) >= a.Idle {
			if !a.KeepExpired {
				a.EndSession(ctx, token)
			}
			return Session{}, ErrNoSession
		}
		if now.Sub(last) < time.Minute {
			return s, nil
		}
	}
	if err := a.used(ctx, token, now); err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// used records that the session of token was used at now.
func (a *Accounts) used(ctx context.Context, token string, now time.Time) error {
	_, err := a.db.ExecContext(ctx, `INSERT INTO web_session_use (token_hash, used_at) VALUES (?, ?)
		ON CONFLICT(token_hash) DO UPDATE SET used_at = excluded.used_at`, hashToken(token), now.UTC().Format(time.RFC3339))
	return err
}

// SetPassword gives the account name a new password and ends every one of
// its sessions (the operator's `huiqi user passwd`).
func (a *Accounts) SetPassword(ctx context.Context, name, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.Cost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `UPDATE web_users SET password_hash = ? WHERE name = ? RETURNING id`, hash, strings.TrimSpace(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return invalidf("没有账号 %q", "no user %q", name)
	}
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// ChangePassword is a signed-in user changing their own password: the
// current one must be right (ErrBadLogin otherwise), and every session of
// the account ends, the caller's own included.
func (a *Accounts) ChangePassword(ctx context.Context, u User, current, password string) error {
	if _, err := a.Authenticate(ctx, u.Name, current); err != nil {
		return err
	}
	if current == password {
		return invalidf("新密码不能与原密码相同", "the new password is the old one")
	}
	return a.SetPassword(ctx, u.Name, password)
}

// EndSession signs a session out.
func (a *Accounts) EndSession(ctx context.Context, token string) error {
	_, err := a.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE token_hash = ?`, hashToken(token))
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// AddAskCounts adds /api/ask outcomes to today's counts (the server batches
// them so a question costs no write).
func (a *Accounts) AddAskCounts(ctx context.Context, answered, unanswered int) error {
	if answered == 0 && unanswered == 0 {
		return nil
	}
	day := a.now().Format("2006-01-02")
	_, err := a.db.ExecContext(ctx, `INSERT INTO web_ask_counts (day, answered, unanswered) VALUES (?, ?, ?)
		ON CONFLICT(day) DO UPDATE SET answered = answered + excluded.answered, unanswered = unanswered + excluded.unanswered`,
		day, answered, unanswered)
	if err != nil {
		return fmt.Errorf("count asks: %w", err)
	}
	return nil
}

// AskCounts totals the /api/ask outcomes.
func (a *Accounts) AskCounts(ctx context.Context) (answered, unanswered int, err error) {
	err = a.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(answered), 0), COALESCE(SUM(unanswered), 0) FROM web_ask_counts`).
		Scan(&answered, &unanswered)
	if err != nil {
		return 0, 0, fmt.Errorf("ask counts: %w", err)
	}
	return answered, unanswered, nil
}

// equalTokens compares two secrets in constant time.
func equalTokens(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
