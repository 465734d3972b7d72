package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"huiqi/knowledge"
	"huiqi/sqlite"
)

// notFound is a reference or name that matches nothing (exit status 2).
type notFound struct{ msg string }

func (e notFound) Error() string      { return e.msg }
func (e notFound) InvalidInput() bool { return true }

// measureOut is the `measure` object of cli.md, with a few more fields.
type measureOut struct {
	ID           string             `json:"id"`
	Package      string             `json:"package"`
	Number       int                `json:"number"`
	Title        string             `json:"title"`
	Text         string             `json:"text"`
	Units        []string           `json:"units"`
	Awards       []knowledge.Amount `json:"awards"`
	Ref          string             `json:"ref"`
	PackageTitle string             `json:"package_title,omitempty"`
	Section      string             `json:"section,omitempty"`
	CoUnitsFrom  int                `json:"co_units_from,omitempty"`
	Conditions   []string           `json:"conditions,omitempty"`
	Windows      []knowledge.Window `json:"windows,omitempty"`
	ValidUntil   string             `json:"valid_until,omitempty"`
	Expired      bool               `json:"expired"`
	Dates        []string           `json:"dates,omitempty"` // human lines about the dates, as of now
}

// newMeasureOut describes m as of now: which of its dates have passed.
func newMeasureOut(m *knowledge.Measure, p *knowledge.Package, lex *knowledge.LexEntry, now time.Time) measureOut {
	out := measureOut{
		ID: m.ID, Package: m.Package, Number: m.Number, Title: m.Title, Text: m.Text,
		Units: m.Units, Awards: []knowledge.Amount{}, Ref: fmt.Sprintf("%s第%d条", m.Package, m.Number),
		Section: m.Section, CoUnitsFrom: m.CoUnitsFrom, Windows: m.Windows,
	}
	if out.Units == nil {
		out.Units = []string{}
	}
	if p != nil {
		out.PackageTitle = p.Title
	}
	if lex != nil {
		out.Awards = append(out.Awards, lex.Amounts...)
		out.Conditions = lex.Conditions
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	passed := func(t time.Time) bool {
		return today.After(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, now.Location()))
	}
	allPassed := len(m.Windows) > 0
	for _, w := range m.Windows {
		state := "仍在期限内"
		if passed(w.Until) {
			state = "已过期"
		} else {
			allPassed = false
		}
		out.Dates = append(out.Dates, fmt.Sprintf("时限:%s(%s)——%s", chineseDate(w.Until), state, w.Text))
	}
	if !m.ValidUntil.IsZero() {
		out.ValidUntil = m.ValidUntil.Format(time.DateOnly)
		if passed(m.ValidUntil) {
			out.Expired = true
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s(已期满)", chineseDate(m.ValidUntil)))
		} else {
			out.Dates = append(out.Dates, fmt.Sprintf("有效期:至%s", chineseDate(m.ValidUntil)))
		}
	}
	if allPassed {
		out.Expired = true
	}
	if out.Expired {
		out.Dates = append(out.Dates, "本条所列日期已过,请向责任单位确认是否有接续政策。")
	}
	return out
}

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func writeMeasureText(w io.Writer, out measureOut) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s(%s) %s\n", out.Ref, out.ID, out.Title)
	if out.PackageTitle != "" {
		fmt.Fprintf(&sb, "《%s》", out.PackageTitle)
		if out.Section != "" {
			sb.WriteString(" " + out.Section)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("\n" + out.Text + "\n\n")
	switch {
	case len(out.Units) == 0:
		sb.WriteString("责任单位:原文未列明\n")
	case out.CoUnitsFrom > 0 && out.CoUnitsFrom < len(out.Units):
		fmt.Fprintf(&sb, "牵头单位:%s\n配合单位:%s\n", strings.Join(out.Units[:out.CoUnitsFrom], "、"), strings.Join(out.Units[out.CoUnitsFrom:], "、"))
	default:
		fmt.Fprintf(&sb, "责任单位:%s\n", strings.Join(out.Units, "、"))
	}
	if len(out.Awards) > 0 {
		sb.WriteString("奖补标准:\n")
		for _, a := range out.Awards {
			line := "  · " + a.Text
			if a.Condition != "" {
				line += "(" + a.Condition + ")"
			}
			sb.WriteString(line + "\n")
		}
	}
	for _, d := range out.Dates {
		sb.WriteString(d + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// runMeasure shows one measure: huiqi measure [--json] [--db PATH] ID.
func runMeasure(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi measure [--json] [--db PATH] ID (如 ind-03、inv-12、二十条第3条)"
	fs := newFlagSet("measure")
	asJSON := fs.Bool("json", false, "print the measure object of cli.md")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices (read only)")
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	ref := strings.TrimSpace(strings.Join(pos, ""))
	if ref == "" {
		return usagef("请给出措施编号 / a measure id is required: %s", usage)
	}
	b, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	m, ok := b.Measure(ref)
	if !ok {
		return notFound{fmt.Sprintf("没有找到措施 %q(可用编号如 ind-03、inv-12,或写作 二十条第3条、十八条第12条)", ref)}
	}
	p, _ := b.Package(m.ID)
	out := newMeasureOut(m, p, b.Lexicon(m.ID), e.now())
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeMeasureText(e.stdout, out)
}

// unitOut is the `unit` object of cli.md.
type unitOut struct {
	Unit       string   `json:"unit"`
	Aliases    []string `json:"aliases,omitempty"`
	Measures   []string `json:"measures"`
	Candidates []string `json:"candidates"`
}

// measureTitler gives a measure's title for the human listing.
type measureTitler interface {
	Measure(ref string) (*knowledge.Measure, bool)
}

func writeUnitText(w io.Writer, query string, out unitOut, ms measureTitler) error {
	var sb strings.Builder
	line := func(id string) {
		if m, ok := ms.Measure(id); ok {
			fmt.Fprintf(&sb, "  %s %s第%d条 %s\n", id, m.Package, m.Number, m.Title)
		} else {
			fmt.Fprintf(&sb, "  %s\n", id)
		}
	}
	if out.Unit == "" {
		fmt.Fprintf(&sb, "“%s”可能是以下单位之一,请写得更完整些:\n", query)
		for _, c := range out.Candidates {
			sb.WriteString("  " + c + "\n")
		}
		_, err := io.WriteString(w, sb.String())
		return err
	}
	sb.WriteString(out.Unit)
	if len(out.Aliases) > 0 {
		fmt.Fprintf(&sb, "(也写作:%s)", strings.Join(out.Aliases, "、"))
	}
	if len(out.Measures) == 0 {
		sb.WriteString("\n现有措施中没有列出这个单位的职责。\n")
	} else {
		fmt.Fprintf(&sb, "\n负责(含牵头、配合)以下 %d 条措施:\n", len(out.Measures))
		for _, id := range out.Measures {
			line(id)
		}
	}
	if len(out.Candidates) > 0 {
		fmt.Fprintf(&sb, "相近的单位:%s\n", strings.Join(out.Candidates, "、"))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// runUnit lists what a responsible unit handles: huiqi unit [--json] NAME.
func runUnit(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi unit [--json] [--db PATH] NAME (可写简称、别称或拼音首字母,如 人社、区审批局、rsj)"
	fs := newFlagSet("unit")
	asJSON := fs.Bool("json", false, "print the unit object of cli.md")
	dbPath := fs.String("db", e.dbPath, "database with ingested notices (read only)")
	pos, err := parseArgs(fs, args, usage)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(pos, " "))
	if name == "" {
		return usagef("请给出单位名称 / a unit name is required: %s", usage)
	}
	b, err := readBase(ctx, e, *dbPath)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	r := b.Unit(name)
	out := unitOut{Unit: r.Unit, Aliases: r.Aliases, Measures: r.Measures, Candidates: r.Candidates}
	if out.Unit != "" && len(out.Aliases) == 0 {
		out.Aliases = knowledge.UnitAliases(out.Unit)
	}
	if out.Measures == nil {
		out.Measures = []string{}
	}
	if out.Candidates == nil {
		out.Candidates = []string{}
	}
	if out.Unit == "" && len(out.Candidates) == 0 {
		return notFound{fmt.Sprintf("没有找到单位 %q(可写全称、简称或拼音首字母,如 区人社局、人社、rsj)", name)}
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeUnitText(e.stdout, name, out, b)
}

// ingestError is a file that cannot be ingested: main prints
// "huiqi ingest: FILE line N: …" and exits 2.
type ingestError struct {
	file string
	err  error
}

func (e ingestError) Error() string      { return e.file + " " + e.err.Error() }
func (e ingestError) Unwrap() error      { return e.err }
func (e ingestError) InvalidInput() bool { return true }

type ingestOut struct {
	File     string             `json:"file"`
	DocNo    string             `json:"doc_no"`
	Title    string             `json:"title"`
	Issued   string             `json:"issued,omitempty"`
	Packages []ingestPackageOut `json:"packages"`
	Measures int                `json:"measures"`
}

type ingestPackageOut struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Measures []string `json:"measures"`
}

func newIngestOut(file string, n *knowledge.Notice) ingestOut {
	out := ingestOut{File: file, DocNo: n.DocNo, Title: n.Title, Packages: []ingestPackageOut{}}
	if !n.Issued.IsZero() {
		out.Issued = n.Issued.Format(time.DateOnly)
	}
	for _, p := range n.Packages {
		po := ingestPackageOut{Key: p.Key, Name: p.Name, Title: p.Title, Measures: []string{}}
		for _, m := range p.Measures {
			po.Measures = append(po.Measures, m.ID)
		}
		out.Measures += len(p.Measures)
		out.Packages = append(out.Packages, po)
	}
	return out
}

func writeIngestText(w io.Writer, out ingestOut) error {
	var sb strings.Builder
	what := out.Title
	if out.DocNo != "" {
		what += "(" + out.DocNo + ")"
	}
	if what == "" {
		what = out.File
	}
	fmt.Fprintf(&sb, "已导入 %s:%d 个政策包,共 %d 条措施。\n", what, len(out.Packages), out.Measures)
	for _, p := range out.Packages {
		ids := p.Measures
		span := ""
		if len(ids) > 0 {
			span = ids[0] + " … " + ids[len(ids)-1]
		}
		fmt.Fprintf(&sb, "  《%s》%d 条(%s)\n", p.Title, len(ids), span)
	}
	sb.WriteString("现在可以用 huiqi ask、huiqi measure、huiqi unit 查询这些措施。\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// runIngest parses another notice of the genre into the database:
// huiqi ingest [--json] [--db PATH] FILE. A file that does not parse is
// refused with its line, and nothing is stored.
func runIngest(ctx context.Context, e *env, args []string) error {
	const usage = "huiqi ingest [--json] [--db PATH] FILE"
	fs := newFlagSet("ingest")
	asJSON := fs.Bool("json", false, "print what was stored as JSON")
	dbPath := fs.String("db", e.dbPath, "database to store the notice in")
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
	n, err := knowledge.ParseNotice(src)
	if err != nil {
		return ingestError{file, err}
	}
	db, err := sqlite.Open(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if err := knowledge.MigrateStore(ctx, db); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if err := knowledge.SaveNoticeAt(ctx, db.DB, filepath.Base(file), src, n, e.now()); err != nil {
		var ce *knowledge.ConflictError
		if errors.As(err, &ce) {
			return ingestError{file, err}
		}
		return fmt.Errorf("store notice: %w", err)
	}
	e.log.Info("notice ingested", "file", file, "doc_no", n.DocNo, "db", *dbPath)
	out := newIngestOut(file, n)
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	return writeIngestText(e.stdout, out)
}
