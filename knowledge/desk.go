package knowledge

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"huiqi/sqlite"
)

// Desk is the staff workflow over the notices of a running server: ingest
// a draft, preview it, publish and withdraw it, each step recorded with who
// took it, and the live base reloaded when what is answered changes. The
// console uses it; the command line calls the store directly.
type Desk struct {
	sdb  *sqlite.DB
	db   *sql.DB
	live *Live
	now  func() time.Time
}

// NewDesk is the workflow over db, reloading live (which may be nil). The
// store's tables are created, or brought up to date, on the first step
// that writes, so a server that only lists notices changes no table.
func NewDesk(db *sqlite.DB, live *Live, now func() time.Time) *Desk {
	return &Desk{sdb: db, db: db.DB, live: live, now: now}
}

// writable brings the store's tables up to date before a step that writes.
func (d *Desk) writable(ctx context.Context) error {
	return MigrateStore(ctx, d.sdb)
}

// Upload is a notice as staff hand it in: a file, or text pasted (Name
// then says what it is: .txt, .html).
type Upload struct {
	Name       string
	Source     []byte
	Place      string // 地区, when the text does not say
	Issuer     string // 发文单位, when the text does not say
	Supersedes string // the notice it replaces: 文号, title or id
	By         string
}

// List is every notice: those answered from, with their status today, then
// the drafts and withdrawn ones.
func (d *Desk) List(ctx context.Context) ([]NoticeInfo, error) {
	b := d.base()
	now := d.now()
	out := b.NoticeList(now)
	stored, err := ListNotices(ctx, d.db)
	if err != nil {
		return nil, err
	}
	for _, s := range stored {
		if s.State == Published {
			continue
		}
		info := b.NoticeInfo(s.Notice, now)
		info.ID, info.State, info.Builtin = strconv.FormatInt(s.ID, 10), s.State, false
		out = append(out, info)
	}
	return out, nil
}

func (d *Desk) base() *Base {
	if d.live != nil {
		return d.live.Base()
	}
	b, _ := Builtin()
	return b
}

// Preview is a stored notice as staff check it.
func (d *Desk) Preview(ctx context.Context, id int64) (Preview, error) {
	st, err := StoredNoticeByID(ctx, d.db, id)
	if err != nil {
		return Preview{}, err
	}
	return PreviewStored(st), nil
}

// Ingest parses an upload and stores it as a draft; it returns its id. A
// file in which no item parses is a *ParseError and nothing is stored.
func (d *Desk) Ingest(ctx context.Context, up Upload) (int64, error) {
	if strings.TrimSpace(up.By) == "" {
		return 0, inputError{"请写明操作人 / who ingests is required"}
	}
	n, err := ParseNoticeFile(up.Name, up.Source, ParseOptions{Place: up.Place, Issuer: up.Issuer})
	if err != nil {
		return 0, err
	}
	if err := d.writable(ctx); err != nil {
		return 0, err
	}
	claim := ""
	if ref := strings.TrimSpace(up.Supersedes); ref != "" {
		r, ok := d.base().FindNotice(ref)
		if !ok {
			return 0, &NotFoundError{Ref: ref}
		}
		if claim = r.DocNo; claim == "" {
			claim = r.Title
		}
	}
	return SaveDraft(ctx, d.db, Ingest{Name: up.Name, Source: up.Source, Notice: n, By: up.By, Supersedes: claim}, d.now())
}

// Publish answers from a notice from now on.
func (d *Desk) Publish(ctx context.Context, id int64, by string) error {
	if err := d.writable(ctx); err != nil {
		return err
	}
	if err := PublishNotice(ctx, d.db, id, by, d.now()); err != nil {
		return err
	}
	return d.reload(ctx)
}

// Withdraw stops answering from a notice (it is kept).
func (d *Desk) Withdraw(ctx context.Context, id int64, by, note string) error {
	if err := d.writable(ctx); err != nil {
		return err
	}
	if err := WithdrawNotice(ctx, d.db, id, by, note, d.now()); err != nil {
		return err
	}
	return d.reload(ctx)
}

func (d *Desk) reload(ctx context.Context) error {
	if d.live == nil {
		return nil
	}
	return d.live.Reload(ctx, d.db)
}
