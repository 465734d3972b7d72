package knowledge

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"huiqi/internal/zhtext"
	"huiqi/sqlite"
)

// storeComponent names the migrations of the ingested notices.
const storeComponent = "knowledge_notices"

var storeMigrations = []string{
	`CREATE TABLE knowledge_notices (
		id          INTEGER PRIMARY KEY,
		name        TEXT NOT NULL,          -- the file name given to ingest
		doc_no      TEXT NOT NULL,          -- 文号, '' when the notice has none
		title       TEXT NOT NULL,
		digest      TEXT NOT NULL,          -- sha256 of the source
		source      BLOB NOT NULL,          -- the text as ingested
		parsed      TEXT NOT NULL,          -- the Notice as JSON
		ingested_at TEXT NOT NULL
	);
	CREATE TABLE knowledge_notice_measures (
		measure_id TEXT PRIMARY KEY,
		notice_id  INTEGER NOT NULL REFERENCES knowledge_notices(id) ON DELETE CASCADE
	);
	CREATE INDEX knowledge_notice_measures_notice ON knowledge_notice_measures(notice_id);`,
}

// MigrateStore creates or updates the tables of the ingested notices.
func MigrateStore(ctx context.Context, db *sqlite.DB) error {
	return db.Migrate(ctx, storeComponent, storeMigrations)
}

// ConflictError is a notice whose measure ids are already taken by another
// notice (or by the built-in one).
type ConflictError struct {
	IDs   []string
	Owner string // the notice that has them
}

func (e *ConflictError) Error() string {
	ids := strings.Join(e.IDs, "、")
	if len(e.IDs) > 3 {
		ids = fmt.Sprintf("%s 等 %d 个", strings.Join(e.IDs[:3], "、"), len(e.IDs))
	}
	return fmt.Sprintf("措施编号 %s 已被 %s 使用", ids, e.Owner)
}

// InvalidInput marks the conflict as bad input (exit status 2).
func (e *ConflictError) InvalidInput() bool { return true }

// ErrNoStore is returned by SaveNoticeAt when the tables were never created.
var ErrNoStore = errors.New("knowledge: notices store not migrated")

func noticeIDs(n *Notice) []string {
	var ids []string
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// sameDocument reports whether a stored notice is the one being ingested:
// the same 文号, or (without one) the same title, or the same bytes.
func sameDocument(n *Notice, digest, docNo, title, storedDigest string) bool {
	switch {
	case n.DocNo != "":
		return docNo == n.DocNo
	case n.Title != "":
		return docNo == "" && title == n.Title
	}
	return digest == storedDigest
}

// SaveNoticeAt stores a parsed notice and its source in one transaction,
// stamped with now (the caller's clock). A notice already stored (same 文号)
// is replaced; a notice whose measure ids are taken by another one, or by
// the built-in notice, is refused with a *ConflictError and nothing is
// written.
func SaveNoticeAt(ctx context.Context, db *sql.DB, name string, src []byte, n *Notice, now time.Time) error {
	if n == nil || len(noticeIDs(n)) == 0 {
		return &ParseError{Line: 1, Msg: "没有可保存的措施"}
	}
	ids := noticeIDs(n)
	if off, err := OfficialNotice(); err == nil {
		if off.DocNo != "" && off.DocNo == n.DocNo {
			return &ConflictError{IDs: ids, Owner: "内置文件 " + off.DocNo}
		}
		var taken []string
		for _, id := range noticeIDs(off) {
			if slices.Contains(ids, id) {
				taken = append(taken, id)
			}
		}
		if len(taken) > 0 {
			return &ConflictError{IDs: taken, Owner: "内置文件 " + off.DocNo}
		}
	}
	parsed, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("knowledge: encode notice: %w", err)
	}
	sum := sha256.Sum256(src)
	digest := hex.EncodeToString(sum[:])

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	defer tx.Rollback()
	if ok, err := hasTable(ctx, tx, "knowledge_notices"); err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	} else if !ok {
		return ErrNoStore
	}
	// The stored notices that are this document get replaced.
	rows, err := tx.QueryContext(ctx, `SELECT id, doc_no, title, digest FROM knowledge_notices`)
	if err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	var replace []int64
	for rows.Next() {
		var id int64
		var docNo, title, dg string
		if err := rows.Scan(&id, &docNo, &title, &dg); err != nil {
			rows.Close()
			return fmt.Errorf("knowledge: save notice: %w", err)
		}
		if sameDocument(n, digest, docNo, title, dg) {
			replace = append(replace, id)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	for _, id := range replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM knowledge_notice_measures WHERE notice_id = ?`, id); err != nil {
			return fmt.Errorf("knowledge: save notice: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM knowledge_notices WHERE id = ?`, id); err != nil {
			return fmt.Errorf("knowledge: save notice: %w", err)
		}
	}
	// Any id still taken belongs to another notice.
	var taken []string
	owner := ""
	for _, id := range ids {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT n.name FROM knowledge_notice_measures m
			JOIN knowledge_notices n ON n.id = m.notice_id WHERE m.measure_id = ?`, id).Scan(&other)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("knowledge: save notice: %w", err)
		default:
			taken = append(taken, id)
			owner = other
		}
	}
	if len(taken) > 0 {
		return &ConflictError{IDs: taken, Owner: owner}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO knowledge_notices (name, doc_no, title, digest, source, parsed, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, name, n.DocNo, n.Title, digest, src, string(parsed), now.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	nid, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO knowledge_notice_measures (measure_id, notice_id) VALUES (?, ?)`, id, nid); err != nil {
			return fmt.Errorf("knowledge: save notice: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("knowledge: save notice: %w", err)
	}
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func hasTable(ctx context.Context, q queryer, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// LoadNotices returns the notices ingested into db, oldest first. A database
// that never stored one (no tables yet, or read-only) yields none.
func LoadNotices(ctx context.Context, db *sql.DB) ([]*Notice, error) {
	if db == nil {
		return nil, nil
	}
	if ok, err := hasTable(ctx, db, "knowledge_notices"); err != nil {
		return nil, fmt.Errorf("knowledge: load notices: %w", err)
	} else if !ok {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT name, parsed FROM knowledge_notices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load notices: %w", err)
	}
	defer rows.Close()
	var out []*Notice
	for rows.Next() {
		var name, parsed string
		if err := rows.Scan(&name, &parsed); err != nil {
			return nil, fmt.Errorf("knowledge: load notices: %w", err)
		}
		var n Notice
		if err := json.Unmarshal([]byte(parsed), &n); err != nil {
			return nil, fmt.Errorf("knowledge: load notice %s: %w", name, err)
		}
		inChinaTime(&n)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// inChinaTime puts the notice's dates back in China time after JSON.
func inChinaTime(n *Notice) {
	loc := zhtext.China()
	in := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.In(loc)
		}
	}
	in(&n.Issued)
	in(&n.Published)
	for i := range n.Packages {
		p := &n.Packages[i]
		in(&p.ValidUntil)
		for j := range p.Measures {
			m := &p.Measures[j]
			in(&m.ValidUntil)
			for k := range m.Windows {
				in(&m.Windows[k].Until)
			}
		}
	}
}
