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
	n, err := knowledge.ParseNoticeFile(file, src, knowledge.ParseOptions{})
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
