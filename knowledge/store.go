package knowledge

// The store of ingested notices and the staff workflow over them: a notice
// is ingested as a draft, previewed, published (answered from then on) and
// may be withdrawn; each step is recorded with who took it and when. The
// built-in notice is not stored: it is the embedded default.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"huiqi/internal/zhtext"
	"huiqi/sqlite"
)

// migrationFiles are the migrations of this package's two components,
// NNNN_notices*.sql and NNNN_lexicon*.sql, each numbered from 0001.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// componentFS shows sqlite.Migrate the migrations of one component: the
// files of migrations/ whose name after the version starts with prefix.
type componentFS struct{ prefix string }

func (c componentFS) Open(name string) (fs.File, error) { return migrationFiles.Open(name) }

func (c componentFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := migrationFiles.ReadDir(name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range es {
		if n := e.Name(); len(n) > 5 && strings.HasPrefix(n[5:], c.prefix) {
			out = append(out, e)
		}
	}
	return out, nil
}

// storeComponent names the migrations of the ingested notices.
const storeComponent = "knowledge_notices"

// MigrateStore creates or updates the tables of the ingested notices.
func MigrateStore(ctx context.Context, db *sqlite.DB) error {
	return sqlite.Migrate(ctx, db, storeComponent, componentFS{"notices"})
}

// NoticeState is where a stored notice is in the staff workflow.
type NoticeState string

const (
	// Draft: ingested, not yet answered from.
	Draft NoticeState = "draft"
	// Published: answered from.
	Published NoticeState = "published"
	// Withdrawn: no longer answered from (kept, and may be published again).
	Withdrawn NoticeState = "withdrawn"
)

// NoticeEvent is one recorded step of the workflow.
type NoticeEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"` // ingested, reingested, published, withdrawn, reviewed
	By     string    `json:"by"`
	Note   string    `json:"note,omitempty"`
}

// ActionName is the step as staff read it: 导入, 发布, 撤回 ….
func (e NoticeEvent) ActionName() string {
	switch e.Action {
	case "ingested":
		return "导入"
	case "reingested":
		return "重新导入"
	case "published":
		return "发布"
	case "withdrawn":
		return "撤回"
	case "reviewed":
		return "审核修改"
	}
	return e.Action
}

// StoredNotice is an ingested notice with its place in the workflow.
type StoredNotice struct {
	ID    int64       `json:"id"`
	Name  string      `json:"name"` // the file name it was ingested from
	State NoticeState `json:"state"`
	// Supersedes is the notice this one replaces, by 文号 or title (given
	// with --supersedes, or read from its 同时废止 clause).
	Supersedes string        `json:"supersedes,omitempty"`
	IngestedAt time.Time     `json:"ingested_at"`
	Events     []NoticeEvent `json:"events"`
	Notice     *Notice       `json:"notice"`
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

// ErrNoStore is returned when the tables were never created.
var ErrNoStore = errors.New("knowledge: notices store not migrated")

// ErrNoNotice is a stored notice that does not exist.
var ErrNoNotice = errors.New("knowledge: no such notice")

// NotFoundError is a notice reference that matches no stored notice.
type NotFoundError struct{ Ref string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("没有找到政策文件 %q(可用 huiqi notices 查看编号)", e.Ref)
}

// InvalidInput marks it as bad input (exit status 2).
func (e *NotFoundError) InvalidInput() bool { return true }

func (e *NotFoundError) Is(target error) bool { return target == ErrNoNotice }

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

// Ingest is what SaveDraft stores.
type Ingest struct {
	Name   string // the file name
	Source []byte // the file as given
	Notice *Notice
	By     string // who ingests it
	// Supersedes is the notice it replaces (resolved by the caller, see
	// ResolveNotice); "" for none.
	Supersedes string
}

// SaveDraft stores a parsed notice and its source as a draft in one
// transaction, stamped with now (the caller's clock), and records who
// ingested it. A notice already stored (same 文号, else same title) is
// replaced in place — its history kept, back to a draft. A notice whose
// measure ids are taken by another one, or by the built-in notice, is
// refused with a *ConflictError and nothing is written.
func SaveDraft(ctx context.Context, db *sql.DB, in Ingest, now time.Time) (int64, error) {
	n := in.Notice
	if n == nil || len(noticeIDs(n)) == 0 {
		return 0, &ParseError{Line: 1, Msg: "没有可保存的措施"}
	}
	ids := noticeIDs(n)
	if off, err := OfficialNotice(); err == nil {
		if off.DocNo != "" && off.DocNo == n.DocNo {
			return 0, &ConflictError{IDs: ids, Owner: "内置文件 " + off.DocNo}
		}
		var taken []string
		for _, id := range noticeIDs(off) {
			if slices.Contains(ids, id) {
				taken = append(taken, id)
			}
		}
		if len(taken) > 0 {
			return 0, &ConflictError{IDs: taken, Owner: "内置文件 " + off.DocNo}
		}
	}
	parsed, err := json.Marshal(n)
	if err != nil {
		return 0, fmt.Errorf("knowledge: encode notice: %w", err)
	}
	sum := sha256.Sum256(in.Source)
	digest := hex.EncodeToString(sum[:])
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("knowledge: save notice: %w", err) }

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	if err := requireWorkflow(ctx, tx); err != nil {
		return 0, err
	}
	// The stored notice that is this document is replaced in place.
	rows, err := tx.QueryContext(ctx, `SELECT id, doc_no, title, digest FROM knowledge_notices ORDER BY id`)
	if err != nil {
		return fail(err)
	}
	var same int64
	for rows.Next() {
		var id int64
		var docNo, title, dg string
		if err := rows.Scan(&id, &docNo, &title, &dg); err != nil {
			rows.Close()
			return fail(err)
		}
		if same == 0 && sameDocument(n, digest, docNo, title, dg) {
			same = id
		}
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	// Any id still taken belongs to another notice.
	var taken []string
	owner := ""
	for _, id := range ids {
		var other string
		var nid int64
		err := tx.QueryRowContext(ctx, `SELECT n.id, n.name FROM knowledge_notice_measures m
			JOIN knowledge_notices n ON n.id = m.notice_id WHERE m.measure_id = ?`, id).Scan(&nid, &other)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fail(err)
		case nid != same:
			taken = append(taken, id)
			owner = other
		}
	}
	if len(taken) > 0 {
		return 0, &ConflictError{IDs: taken, Owner: owner}
	}
	stamp := now.UTC().Format(time.RFC3339)
	action := "ingested"
	nid := same
	if same != 0 {
		action = "reingested"
		if _, err := tx.ExecContext(ctx, `UPDATE knowledge_notices SET name = ?, doc_no = ?, title = ?, digest = ?, source = ?,
			parsed = ?, ingested_at = ?, state = 'draft', place = ?, supersedes = ? WHERE id = ?`,
			in.Name, n.DocNo, n.Title, digest, in.Source, string(parsed), stamp, n.Place, in.Supersedes, same); err != nil {
			return fail(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM knowledge_notice_measures WHERE notice_id = ?`, same); err != nil {
			return fail(err)
		}
	} else {
		res, err := tx.ExecContext(ctx, `INSERT INTO knowledge_notices (name, doc_no, title, digest, source, parsed, ingested_at, state, place, supersedes)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)`, in.Name, n.DocNo, n.Title, digest, in.Source, string(parsed), stamp, n.Place, in.Supersedes)
		if err != nil {
			return fail(err)
		}
		if nid, err = res.LastInsertId(); err != nil {
			return fail(err)
		}
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO knowledge_notice_measures (measure_id, notice_id) VALUES (?, ?)`, id, nid); err != nil {
			return fail(err)
		}
	}
	note := in.Name
	if len(n.Warnings) > 0 {
		note += fmt.Sprintf("(%d 条提示)", len(n.Warnings))
	}
	if err := addEvent(ctx, tx, nid, now, action, in.By, note); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nid, nil
}

func addEvent(ctx context.Context, tx *sql.Tx, id int64, now time.Time, action, by, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO knowledge_notice_events (notice_id, at, action, by, note) VALUES (?, ?, ?, ?, ?)`,
		id, now.UTC().Format(time.RFC3339), action, by, note)
	return err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func hasTable(ctx context.Context, q queryer, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// requireWorkflow is ErrNoStore unless the tables of v2 exist.
func requireWorkflow(ctx context.Context, q queryer) error {
	ok, err := hasTable(ctx, q, "knowledge_notice_events")
	if err != nil {
		return fmt.Errorf("knowledge: notices store: %w", err)
	}
	if !ok {
		return ErrNoStore
	}
	return nil
}

// PublishNotice makes a stored notice answered from, recording who did it.
func PublishNotice(ctx context.Context, db *sql.DB, id int64, by string, now time.Time) error {
	return moveNotice(ctx, db, id, Published, "published", by, "", now)
}

// WithdrawNotice stops answering from a stored notice (it is kept),
// recording who did it and why.
func WithdrawNotice(ctx context.Context, db *sql.DB, id int64, by, note string, now time.Time) error {
	return moveNotice(ctx, db, id, Withdrawn, "withdrawn", by, note, now)
}

// StateError is a move the workflow does not allow.
type StateError struct {
	ID       int64
	From, To NoticeState
}

func (e *StateError) Error() string {
	return fmt.Sprintf("政策文件 %d 当前为%s,不能改为%s", e.ID, e.From.Chinese(), e.To.Chinese())
}

// InvalidInput marks it as bad input (exit status 2).
func (e *StateError) InvalidInput() bool { return true }

// Chinese is the state as staff read it.
func (s NoticeState) Chinese() string {
	switch s {
	case Draft:
		return "草稿"
	case Published:
		return "已发布"
	case Withdrawn:
		return "已撤回"
	}
	return string(s)
}

func moveNotice(ctx context.Context, db *sql.DB, id int64, to NoticeState, action, by, note string, now time.Time) error {
	if strings.TrimSpace(by) == "" {
		return inputError{"请写明操作人 / who does it (--by) is required"}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: %s notice: %w", action, err)
	}
	defer tx.Rollback()
	if err := requireWorkflow(ctx, tx); err != nil {
		return err
	}
	var from NoticeState
	err = tx.QueryRowContext(ctx, `SELECT state FROM knowledge_notices WHERE id = ?`, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return &NotFoundError{Ref: strconv.FormatInt(id, 10)}
	}
	if err != nil {
		return fmt.Errorf("knowledge: %s notice: %w", action, err)
	}
	if from == to {
		return &StateError{ID: id, From: from, To: to}
	}
	if to == Withdrawn && from != Published {
		return &StateError{ID: id, From: from, To: to}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE knowledge_notices SET state = ? WHERE id = ?`, string(to), id); err != nil {
		return fmt.Errorf("knowledge: %s notice: %w", action, err)
	}
	if err := addEvent(ctx, tx, id, now, action, by, note); err != nil {
		return fmt.Errorf("knowledge: %s notice: %w", action, err)
	}
	return tx.Commit()
}

// ReviseNotice replaces a stored notice's parse with a reviewed one (the
// review file loaded back), recording who did it. Its state is unchanged.
func ReviseNotice(ctx context.Context, db *sql.DB, id int64, n *Notice, by, note string, now time.Time) error {
	if strings.TrimSpace(by) == "" {
		return inputError{"请写明操作人 / who does it (--by) is required"}
	}
	parsed, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("knowledge: encode notice: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: revise notice: %w", err)
	}
	defer tx.Rollback()
	if err := requireWorkflow(ctx, tx); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE knowledge_notices SET parsed = ?, place = ? WHERE id = ?`, string(parsed), n.Place, id)
	if err != nil {
		return fmt.Errorf("knowledge: revise notice: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return &NotFoundError{Ref: strconv.FormatInt(id, 10)}
	}
	if err := addEvent(ctx, tx, id, now, "reviewed", by, note); err != nil {
		return fmt.Errorf("knowledge: revise notice: %w", err)
	}
	return tx.Commit()
}

// ListNotices returns every stored notice, oldest first, in any state, with
// its history. A database that never stored one yields none.
func ListNotices(ctx context.Context, db *sql.DB) ([]StoredNotice, error) {
	return loadStored(ctx, db, false)
}

// StoredNoticeByID returns one stored notice.
func StoredNoticeByID(ctx context.Context, db *sql.DB, id int64) (StoredNotice, error) {
	all, err := loadStored(ctx, db, false)
	if err != nil {
		return StoredNotice{}, err
	}
	for _, s := range all {
		if s.ID == id {
			return s, nil
		}
	}
	return StoredNotice{}, &NotFoundError{Ref: strconv.FormatInt(id, 10)}
}

// LoadNotices returns the published notices of db, oldest first. A
// database that never stored one (no tables yet, or read-only) yields none.
func LoadNotices(ctx context.Context, db *sql.DB) ([]*Notice, error) {
	st, err := loadStored(ctx, db, true)
	if err != nil {
		return nil, err
	}
	var out []*Notice
	for _, s := range st {
		out = append(out, s.Notice)
	}
	return out, nil
}

// loadStored reads the stored notices (only the published ones when asked):
// a database of before the workflow (v1) holds only published ones.
func loadStored(ctx context.Context, db *sql.DB, publishedOnly bool) ([]StoredNotice, error) {
	if db == nil {
		return nil, nil
	}
	fail := func(err error) ([]StoredNotice, error) { return nil, fmt.Errorf("knowledge: load notices: %w", err) }
	if ok, err := hasTable(ctx, db, "knowledge_notices"); err != nil {
		return fail(err)
	} else if !ok {
		return nil, nil
	}
	v2, err := hasTable(ctx, db, "knowledge_notice_events")
	if err != nil {
		return fail(err)
	}
	q := `SELECT id, name, parsed, ingested_at, 'published', '' FROM knowledge_notices ORDER BY id`
	if v2 {
		q = `SELECT id, name, parsed, ingested_at, state, supersedes FROM knowledge_notices`
		if publishedOnly {
			q += ` WHERE state = 'published'`
		}
		q += ` ORDER BY id`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fail(err)
	}
	var out []StoredNotice
	for rows.Next() {
		var s StoredNotice
		var parsed, at, state string
		if err := rows.Scan(&s.ID, &s.Name, &parsed, &at, &state, &s.Supersedes); err != nil {
			rows.Close()
			return fail(err)
		}
		var n Notice
		if err := json.Unmarshal([]byte(parsed), &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: load notice %s: %w", s.Name, err)
		}
		inChinaTime(&n)
		s.Notice, s.State = &n, NoticeState(state)
		s.IngestedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, s)
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if !v2 {
		return out, nil
	}
	// The history, every notice's at once (no connection is held while
	// another is asked for: the rows above are closed).
	erows, err := db.QueryContext(ctx, `SELECT notice_id, at, action, by, note FROM knowledge_notice_events ORDER BY id`)
	if err != nil {
		return fail(err)
	}
	defer erows.Close()
	byID := map[int64]int{}
	for i, s := range out {
		byID[s.ID] = i
	}
	for erows.Next() {
		var id int64
		var ev NoticeEvent
		var at string
		if err := erows.Scan(&id, &at, &ev.Action, &ev.By, &ev.Note); err != nil {
			return fail(err)
		}
		ev.At, _ = time.Parse(time.RFC3339, at)
		ev.At = ev.At.In(zhtext.China())
		if i, ok := byID[id]; ok {
			out[i].Events = append(out[i].Events, ev)
		}
	}
	return out, erows.Err()
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
	in(&n.Dates.From)
	in(&n.Dates.Until)
	for i := range n.Packages {
		p := &n.Packages[i]
		in(&p.ValidUntil)
		in(&p.Dates.From)
		in(&p.Dates.Until)
		for j := range p.Measures {
			m := &p.Measures[j]
			in(&m.ValidUntil)
			for k := range m.Windows {
				in(&m.Windows[k].Until)
			}
			for k := range m.Starts {
				in(&m.Starts[k].From)
			}
		}
	}
}
