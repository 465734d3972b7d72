package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"huiqi/knowledge"
	"huiqi/sqlite"
)

// noticesOut is `huiqi notices --json`: every notice huiqi answers from —
// the built-in one first — and the drafts and withdrawn ones staff keep.
type noticesOut struct {
	Notices []noticeOut `json:"notices"`
}

// noticeOut is one listed notice.
type noticeOut struct {
	knowledge.NoticeInfo
	Warnings int `json:"warnings,omitempty"`
}

const noticesUsage = "huiqi notices [--json] [--db PATH] | huiqi notices show ID [--json] | huiqi notices publish ID --by 姓名 | huiqi notices withdraw ID --by 姓名 [--note 原因] | huiqi notices review ID --out FILE | huiqi notices review ID --load FILE --by 姓名"

// runNotices lists the notices and moves a stored one through the staff
// workflow (publish, withdraw), shows its preview, and writes or loads its
// review file.
func runNotices(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("notices")
	asJSON := fs.Bool("json", false, "print JSON")
	dbPath := fs.String("db", e.dbPath, "database path")
	by := fs.String("by", "", "who does it")
	note := fs.String("note", "", "why (withdraw, review)")
	out := fs.String("out", "", "review: write the review file here")
	load := fs.String("load", "", "review: load this corrected review file")
	pos, err := parseArgs(fs, args, noticesUsage)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return listNotices(ctx, e, *dbPath, *asJSON)
	}
	if len(pos) != 2 {
		return usagef("usage: %s", noticesUsage)
	}
	verb, ref := pos[0], pos[1]
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	if err != nil || id <= 0 {
		if ref == knowledge.BuiltinID {
			return usagef("内置文件不能%s(它随程序发布)/ the built-in notice is part of the program", verbName(verb))
		}
		return usagef("政策文件编号应是 huiqi notices 列出的数字,不是 %q", ref)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return &knowledge.NotFoundError{Ref: ref}
	}
	a, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := knowledge.MigrateStore(ctx, a.db); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	db := a.db.DB
	switch verb {
	case "show":
		st, err := knowledge.StoredNoticeByID(ctx, db, id)
		if err != nil {
			return err
		}
		pv := knowledge.PreviewStored(st)
		if *asJSON {
			return writeJSON(e.stdout, pv)
		}
		return writePreviewText(e.stdout, pv)
	case "publish", "withdraw":
		who := operator(e, *by)
		if *by == "" && e.getenv("HUIQI_OPERATOR") == "" {
			return usagef("请用 --by 写明操作人 / --by NAME is required: %s", noticesUsage)
		}
		if verb == "publish" {
			err = knowledge.PublishNotice(ctx, db, id, who, e.now())
		} else {
			err = knowledge.WithdrawNotice(ctx, db, id, who, *note, e.now())
		}
		if err != nil {
			return err
		}
		st, err := knowledge.StoredNoticeByID(ctx, db, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, knowledge.PreviewStored(st))
		}
		_, err = fmt.Fprintf(e.stdout, "政策文件 %d《%s》已%s(%s)。\n", id, st.Notice.Title, verbName(verb), who)
		return err
	case "review":
		st, err := knowledge.StoredNoticeByID(ctx, db, id)
		if err != nil {
			return err
		}
		switch {
		case *load != "":
			if *by == "" && e.getenv("HUIQI_OPERATOR") == "" {
				return usagef("请用 --by 写明审核人 / --by NAME is required: %s", noticesUsage)
			}
			src, err := os.ReadFile(*load)
			if err != nil {
				return usagef("无法读取审核文件 %s: %v", *load, err)
			}
			revised, err := knowledge.ApplyReview(st.Notice, src)
			if err != nil {
				return err
			}
			if err := knowledge.ReviseNotice(ctx, db, id, revised, operator(e, *by), *note, e.now()); err != nil {
				return err
			}
			st, err = knowledge.StoredNoticeByID(ctx, db, id)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(e.stdout, knowledge.PreviewStored(st))
			}
			_, err = fmt.Fprintf(e.stdout, "政策文件 %d 的审核修改已导入(%s)。\n", id, operator(e, *by))
			return err
		case *out != "":
			if err := writeReviewFile(*out, knowledge.ReviewOf(st.Notice, id)); err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "审核文件已写到 %s;改正后用 huiqi notices review %d --load %s --by 姓名 导回。\n", *out, id, *out)
			return err
		default:
			return knowledge.WriteReview(e.stdout, knowledge.ReviewOf(st.Notice, id))
		}
	}
	return usagef("usage: %s", noticesUsage)
}

func verbName(verb string) string {
	switch verb {
	case "publish":
		return "发布"
	case "withdraw":
		return "撤回"
	case "review":
		return "审核"
	}
	return verb
}

// listNotices prints every notice: the ones answered from (the built-in
// one and the published), with their status today, then drafts and
// withdrawn ones.
func listNotices(ctx context.Context, e *env, dbPath string, asJSON bool) error {
	b, err := readBase(ctx, e, dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	var res noticesOut
	now := e.now()
	for _, info := range b.NoticeList(now) {
		res.Notices = append(res.Notices, noticeOut{NoticeInfo: info})
	}
	// Drafts and withdrawn notices are not in the base: read them too.
	stored, err := readStored(ctx, e, dbPath)
	if err != nil {
		return err
	}
	for _, s := range stored {
		if s.State == knowledge.Published {
			for i := range res.Notices {
				if res.Notices[i].ID == strconv.FormatInt(s.ID, 10) {
					res.Notices[i].Warnings = len(s.Notice.Warnings)
				}
			}
			continue
		}
		info := b.NoticeInfo(s.Notice, now)
		info.ID, info.State, info.Builtin = strconv.FormatInt(s.ID, 10), s.State, false
		res.Notices = append(res.Notices, noticeOut{NoticeInfo: info, Warnings: len(s.Notice.Warnings)})
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	return writeNoticesText(e.stdout, res)
}

func writeNoticesText(w io.Writer, res noticesOut) error {
	var sb strings.Builder
	for _, n := range res.Notices {
		id := n.ID
		if n.Builtin {
			id = "内置"
		}
		fmt.Fprintf(&sb, "[%s] %s", id, n.Cite())
		fmt.Fprintf(&sb, " — %s", orDash(n.Place))
		if n.State != knowledge.Published {
			fmt.Fprintf(&sb, " 【%s】", n.State.Chinese())
		}
		sb.WriteString("\n")
		var dates []string
		if n.Issued != "" {
			dates = append(dates, "成文 "+n.Issued)
		}
		if n.From != "" {
			dates = append(dates, "施行 "+n.From)
		}
		if n.Until != "" {
			dates = append(dates, "至 "+n.Until)
		}
		fmt.Fprintf(&sb, "    %d 条措施;%s;%s:%s\n", n.Measures, strings.Join(dates, ","), n.Status.Chinese(), n.Validity)
		if n.Warnings > 0 {
			fmt.Fprintf(&sb, "    导入时有 %d 条提示,见 huiqi notices show %s\n", n.Warnings, n.ID)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// readStored lists the stored notices of the database at path, read-only;
// none when there is no database.
func readStored(ctx context.Context, e *env, path string) ([]knowledge.StoredNotice, error) {
	if path == "" || path == ":memory:" {
		return nil, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		e.log.Warn("database not readable", "path", path, "err", err)
		return nil, nil
	}
	defer db.Close()
	return knowledge.ListNotices(ctx, db.DB)
}
