package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// ingestError is a file that cannot be ingested: main prints
// "huiqi ingest: FILE line N: …" and exits 2.
type ingestError struct {
	file string
	err  error
}

func (e ingestError) Error() string { return e.file + " " + e.err.Error() }

func (e ingestError) Unwrap() error { return e.err }

func (e ingestError) InvalidInput() bool { return true }

// ingestOut is what ingest prints: the preview of the notice stored, with
// the file it came from.
type ingestOut struct {
	File string `json:"file"`
	knowledge.Preview
	// Review is the review file written (--review), "" for none.
	Review string `json:"review,omitempty"`
}

// operator is who the command line acts for in the notices' history:
// --by, else $HUIQI_OPERATOR, else $USER, else 命令行.
func operator(e *env, by string) string {
	for _, v := range []string{by, e.getenv("HUIQI_OPERATOR"), e.getenv("USER")} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return "命令行"
}

// writePreviewText writes a preview for a person: the header, each item
// with its units, money and dates, and the warnings with their lines.
func writePreviewText(w io.Writer, pv knowledge.Preview) error {
	var sb strings.Builder
	what := pv.Title
	if pv.DocNo != "" {
		what += "(" + pv.DocNo + ")"
	}
	fmt.Fprintf(&sb, "%s\n", what)
	if pv.ID != 0 {
		fmt.Fprintf(&sb, "编号 %d,状态:%s\n", pv.ID, pv.State.Chinese())
	}
	fmt.Fprintf(&sb, "发文单位:%s  地区:%s", orDash(pv.Issuer), orDash(pv.Place))
	if l := zhtext.LevelName(pv.Level); l != "" {
		fmt.Fprintf(&sb, "(%s)", l)
	}
	sb.WriteString("\n")
	dates := []string{}
	if pv.Issued != "" {
		dates = append(dates, "成文 "+pv.Issued)
	}
	if pv.Published != "" {
		dates = append(dates, "发布 "+pv.Published)
	}
	if pv.Dates.From != "" {
		dates = append(dates, "施行 "+pv.Dates.From)
	}
	if pv.Dates.Until != "" {
		dates = append(dates, "有效期至 "+pv.Dates.Until)
	}
	if len(dates) > 0 {
		fmt.Fprintf(&sb, "日期:%s\n", strings.Join(dates, ";"))
	}
	if pv.Dates.Basis != "" {
		fmt.Fprintf(&sb, "时效条款:%s\n", pv.Dates.Basis)
	}
	for _, s := range pv.Supersedes {
		fmt.Fprintf(&sb, "替代:%s\n", s)
	}
	fmt.Fprintf(&sb, "%d 个政策包,共 %d 条措施,%d 项金额。\n", len(pv.Packages), pv.Measures, pv.Awards)
	pkgOf := map[string]string{}
	for _, p := range pv.Packages {
		span := ""
		if n := len(p.Measures); n > 0 {
			span = p.Measures[0] + " … " + p.Measures[n-1]
			for _, id := range p.Measures {
				pkgOf[id] = p.Title
			}
		}
		fmt.Fprintf(&sb, "  《%s》%d 条(%s)", p.Title, len(p.Measures), span)
		if p.Until != "" {
			fmt.Fprintf(&sb, " 有效期至 %s", p.Until)
		}
		sb.WriteString("\n")
	}
	for _, it := range pv.Items {
		fmt.Fprintf(&sb, "\n%s(%s) %s", it.Ref, it.ID, it.Title)
		if it.Line > 0 {
			fmt.Fprintf(&sb, " [第%d行]", it.Line)
		}
		sb.WriteString("\n")
		switch {
		case len(it.Units) == 0:
			sb.WriteString("  责任单位:原文未列明\n")
		case it.CoUnitsFrom > 0 && it.CoUnitsFrom < len(it.Units):
			fmt.Fprintf(&sb, "  牵头:%s;配合:%s\n", strings.Join(it.Units[:it.CoUnitsFrom], "、"), strings.Join(it.Units[it.CoUnitsFrom:], "、"))
		default:
			fmt.Fprintf(&sb, "  责任单位:%s\n", strings.Join(it.Units, "、"))
		}
		for _, a := range it.Awards {
			fmt.Fprintf(&sb, "  金额:%s\n", a.Describe())
		}
		for _, wd := range it.Windows {
			fmt.Fprintf(&sb, "  时限:%s(%s)\n", zhtext.Date(wd.Until), wd.Text)
		}
		for _, st := range it.Starts {
			fmt.Fprintf(&sb, "  起始:%s起\n", zhtext.Date(st.From))
		}
	}
	if len(pv.Warnings) > 0 {
		sb.WriteString("\n提示(未导入或需核对的内容):\n")
		for _, wn := range pv.Warnings {
			fmt.Fprintf(&sb, "  第%d行:%s\n", wn.Line, wn.Msg)
		}
	}
	for _, ev := range pv.Events {
		fmt.Fprintf(&sb, "记录:%s %s %s %s\n", ev.At.Format("2006-01-02 15:04"), ev.ActionName(), ev.By, ev.Note)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// runIngest parses another notice of the genre into the database:
// huiqi ingest [--json] [--db PATH] [--place P] [--issuer X] [--supersedes
// REF] [--by NAME] [--draft] [--review OUT] FILE. The file may be .txt,
// .html or .docx. It is stored as a draft, previewed, and (unless --draft)
// published at once by the operator; both steps are recorded. A file in
// which no item parses is refused with its line, and nothing is stored.
func runIngest(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi ingest [--json] [--db PATH] [--place 地区] [--issuer 发文单位] [--supersedes 文号|编号] [--by 姓名] [--draft] [--review OUT.json] FILE(.txt/.html/.docx)"
	fs := newFlagSet("ingest")
	asJSON := fs.Bool("json", false, "print the preview as JSON")
	dbPath := fs.String("db", e.dbPath, "database to store the notice in")
	place := fs.String("place", "", "where the notice applies, when its text does not say (昆明市官渡区)")
	issuer := fs.String("issuer", "", "the issuing office, when its text does not say")
	supersedes := fs.String("supersedes", "", "the notice this one replaces: its 文号, title or id in huiqi notices")
	by := fs.String("by", "", "who ingests (default $HUIQI_OPERATOR, $USER)")
	draft := fs.Bool("draft", false, "store as a draft only; publish later with huiqi notices publish ID")
	review := fs.String("review", "", "also write the review file (units, amounts, dates) to this path")
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("请给出一个政策文件 / exactly one file is required: %s", usage)
	}
	file := pos[0]
	src, err := os.ReadFile(file)
	if err != nil {
		return ingestError{file, fmt.Errorf("无法读取文件: %w", err)}
	}
	// Parse before touching the database: a bad file creates nothing.
	n, err := knowledge.ParseNoticeFile(file, src, knowledge.ParseOptions{Place: *place, Issuer: *issuer})
	if err != nil {
		return ingestError{file, err}
	}
	a, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer a.Close()
	db := a.db
	if err := knowledge.MigrateStore(ctx, db); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	claim := ""
	if strings.TrimSpace(*supersedes) != "" {
		b, err := knowledge.LoadBase(ctx, db.DB)
		if err != nil {
			return fmt.Errorf("load knowledge base: %w", err)
		}
		ref, ok := b.FindNotice(*supersedes)
		if !ok {
			return &knowledge.NotFoundError{Ref: *supersedes}
		}
		claim = ref.DocNo
		if claim == "" {
			claim = ref.Title
		}
	}
	who := operator(e, *by)
	id, err := knowledge.SaveDraft(ctx, db.DB, knowledge.Ingest{Name: filepath.Base(file), Source: src, Notice: n, By: who, Supersedes: claim}, e.now())
	if err != nil {
		var ce *knowledge.ConflictError
		if errors.As(err, &ce) {
			return ingestError{file, err}
		}
		return fmt.Errorf("store notice: %w", err)
	}
	if !*draft {
		if err := knowledge.PublishNotice(ctx, db.DB, id, who, e.now()); err != nil {
			return fmt.Errorf("publish notice: %w", err)
		}
	}
	e.log.Info("notice ingested", "file", file, "doc_no", n.DocNo, "id", id, "draft", *draft, "warnings", len(n.Warnings), "db", *dbPath)
	st, err := knowledge.StoredNoticeByID(ctx, db.DB, id)
	if err != nil {
		return fmt.Errorf("read back notice: %w", err)
	}
	out := ingestOut{File: file, Preview: knowledge.PreviewStored(st)}
	if *review != "" {
		if err := writeReviewFile(*review, knowledge.ReviewOf(st.Notice, id)); err != nil {
			return err
		}
		out.Review = *review
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	if err := writePreviewText(e.stdout, out.Preview); err != nil {
		return err
	}
	next := fmt.Sprintf("已发布:现在可以用 huiqi ask、huiqi measure、huiqi unit 查询这些措施(huiqi notices withdraw %d --by 姓名 可撤回)。\n", id)
	if *draft {
		next = fmt.Sprintf("已存为草稿:核对后用 huiqi notices publish %d --by 姓名 发布。\n", id)
	}
	if out.Review != "" {
		next += fmt.Sprintf("审核文件已写到 %s,改正后用 huiqi notices review %d --load %s --by 姓名 导回。\n", out.Review, id, out.Review)
	}
	_, err = io.WriteString(e.stdout, "\n"+next)
	return err
}

// writeReviewFile writes a review file, refusing to overwrite nothing but
// a path that cannot be written.
func writeReviewFile(path string, r knowledge.Review) error {
	f, err := os.Create(path)
	if err != nil {
		return usagef("无法写审核文件 %s: %v", path, err)
	}
	if err := knowledge.WriteReview(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
