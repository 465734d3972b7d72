package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/sqlite"
	"huiqi/web"
)

// fileTicket files one ticket with report and returns its id.
func fileTicket(t *testing.T, env map[string]string, text string) string {
	t.Helper()
	code, out, stderr := runStdin(t, env, "", "report", "--json", "--enterprise", "某公司", "--contact", "王经理", text)
	if code != 0 {
		t.Fatalf("report: exit %d, %s", code, stderr)
	}
	return decodeObject(t, out)["id"].(string)
}

// oneLine checks a refused command: exit want, nothing on stdout, one line
// on stderr saying says and not calling it an internal error.
func oneLine(t *testing.T, what string, code int, stdout, stderr string, want int, says string) {
	t.Helper()
	if code != want || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, says) || strings.Contains(stderr, "internal error") {
		t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and one line saying %q", what, code, stdout, stderr, want, says)
	}
}

// TestStorageErrorsSaid: a database path that is a directory or in a
// directory that does not exist is said as such (exit 1, one line), by
// the commands that write and those that only read.
func TestStorageErrorsSaid(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope", "huiqi.db")
	for _, tt := range []struct {
		name string
		args []string
		says string
	}{
		{"report into a directory", []string{"report", "--db", dir, "某问题"}, "is a directory"},
		{"queue of a directory", []string{"ticket", "--db", dir, "--queue", "all"}, "is a directory"},
		{"report into a missing directory", []string{"report", "--db", missing, "某问题"}, "does not exist"},
		{"serve into a missing directory", []string{"serve", "--demo", "--db", missing, "--addr", "127.0.0.1:0"}, "does not exist"},
		{"restore into a missing directory", []string{"restore", "--db", missing, filepath.Join(dir, "b.db")}, "no backup"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runStdin(t, fixedEnv, "", tt.args...)
			want := 1
			if tt.args[0] == "restore" {
				want = 2
			}
			oneLine(t, tt.name, code, out, stderr, want, tt.says)
		})
	}
}

// TestDSNEscapesPath: a database named a#b.db is that file, mode 0600 (the
// path used to end at the #, giving a file a with mode 0644).
func TestDSNEscapesPath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#b.db", "50%.db"} {
		path := filepath.Join(dir, name)
		id := fileTicket(t, withDB(path), "申请用电增容一直没有答复")
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want a file with mode 0600", name, fi, err)
		}
		if code, out, _ := runStdin(t, withDB(path), "", "ticket", "--json", id); code != 0 || !strings.Contains(out, id) {
			t.Errorf("%s: the ticket is not in it: %d %s", name, code, out)
		}
	}
	for _, f := range files(t, dir) {
		if !strings.HasPrefix(f, "50%.db") && !strings.HasPrefix(f, "a#b.db") {
			t.Errorf("a file %q beside 50%%.db and a#b.db (and their -wal, -shm)", f)
		}
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// dumpDB is every row of every table, to prove a command wrote nothing.
func dumpDB(t *testing.T, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var tables []string
	rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		r, err := raw.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			r.Scan(ptrs...)
			js, _ := json.Marshal(vals)
			b.WriteString(tb + " " + string(js) + "\n")
		}
		r.Close()
	}
	return b.String()
}

// TestNewerSchemaRefused: a database whose intake tables a newer release
// made (version 99, a column this release does not know) is refused by the
// commands that write and those that read, and by serve, with a message
// saying so; nothing is written.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huiqi.db")
	env := withDB(path)
	id := fileTicket(t, env, "企业招不到技术工人")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`ALTER TABLE intake_tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
		INSERT INTO schema_migrations VALUES ('intake', 99, '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := dumpDB(t, path)
	for _, args := range [][]string{
		{"report", "又一个问题"},
		{"ticket", id, "--set", "已派单", "--by", "坐席"},
		{"ticket", id},
		{"ticket", "--queue", "all"},
		{"serve", "--demo", "--addr", "127.0.0.1:0"},
	} {
		code, out, stderr := runStdin(t, env, "", args...)
		oneLine(t, strings.Join(args, " "), code, out, stderr, 1, "version 99")
		if !strings.Contains(stderr, "newer") {
			t.Errorf("%s: %q does not say the schema is newer", args, stderr)
		}
	}
	if after := dumpDB(t, path); after != before {
		t.Errorf("a refused command wrote into the newer database:\nbefore %s\nafter  %s", before, after)
	}
}

// TestDamageStopsWrites: when another process records the database
// damaged, the running server stops acknowledging: a filing is 503 (not
// 201) and /healthz is 503, while an earlier filing is still stored. A
// command started afterwards refuses to write with the restore hint.
func TestDamageStopsWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huiqi.db")
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, dbPath: path,
		now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) },
		log: slog.New(slog.DiscardHandler)}
	srv, closeAll, err := newWebServer(context.Background(), e, path, false, intake.Config{}, web.Config{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	do := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w
	}
	const filing = `{"text":"招工难，想了解稳岗用工政策","enterprise":"某机械公司","contact":"张经理"}`
	if w := do("POST", "/api/tickets", filing); w.Code != http.StatusCreated {
		t.Fatalf("filing on a sound database = %d %s", w.Code, w.Body)
	}
	if err := os.WriteFile(sqlite.MarkerPath(path), []byte("found by a check: page 7 malformed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if w := do("POST", "/api/tickets", `{"text":"另一个问题","enterprise":"某公司","contact":"李"}`); w.Code != http.StatusServiceUnavailable {
		t.Errorf("filing on a damaged database = %d %s, want 503", w.Code, w.Body)
	}
	if w := do("GET", "/healthz", ""); w.Code != http.StatusServiceUnavailable {
		t.Errorf("/healthz on a damaged database = %d, want 503", w.Code)
	}
	code, out, stderr := runStdin(t, withDB(path), "", "report", "第三个问题")
	oneLine(t, "report on a damaged database", code, out, stderr, 1, "huiqi restore BACKUP")
	if code, out, _ := runStdin(t, withDB(path), "", "ticket", "--queue", "all", "--json"); code != 0 || decodeObject(t, out)["count"] != float64(1) {
		t.Errorf("reading a damaged database = %d %s, want the one ticket filed before", code, out)
	}
}

// TestPublicTicketThroughAPI: the enterprise's GET /api/tickets/{id}?secret=
// after staff signed in as admin and as a unit moved it with internal
// notes holds the acting units, the dates and the reply, and no sign-in
// name and no internal note.
func TestPublicTicketThroughAPI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huiqi.db")
	denv := withDB(path)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, dbPath: path,
		now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) },
		log: slog.New(slog.DiscardHandler)}
	srv, closeAll, err := newWebServer(context.Background(), e, path, false, intake.Config{}, web.Config{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	call := func(method, target, token, body string) (int, map[string]any, string) {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		var m map[string]any
		json.Unmarshal(w.Body.Bytes(), &m)
		return w.Code, m, w.Body.String()
	}
	code, rep, body := call("POST", "/api/tickets", "", `{"text":"招工难，想了解稳岗用工政策","enterprise":"某机械公司","contact":"张经理"}`)
	if code != http.StatusCreated {
		t.Fatalf("file = %d %s", code, body)
	}
	id, secret, lead := rep["id"].(string), rep["secret"].(string), rep["lead_unit"].(string)
	for _, u := range [][]string{{"admin", "admin"}, {"ua", "unit", lead}} {
		args := []string{"user", "add", "--name", u[0], "--role", u[1]}
		if len(u) > 2 {
			args = append(args, "--unit", u[2])
		}
		if code, _, errs := runStdin(t, denv, "s3cret-pass\n", args...); code != 0 {
			t.Fatalf("user add %v = %d %s", u, code, errs)
		}
	}
	login := func(name string) string {
		code, m, body := call("POST", "/api/staff/login", "", `{"name":"`+name+`","password":"s3cret-pass"}`)
		if code != 200 {
			t.Fatalf("login %s = %d %s", name, code, body)
		}
		return m["token"].(string)
	}
	admin, unit := login("admin"), login("ua")
	const note = "内部备注：该企业去年有欠薪投诉，负责人电话13912345678"
	const reply = "经核实，已为企业对接稳岗返还政策"
	for _, mv := range []struct{ token, to, note string }{
		{admin, "已派单", note}, {unit, "已签收", note}, {unit, "办理中", note}, {unit, "已办结", reply},
	} {
		if code, _, body := call("POST", "/api/staff/tickets/"+id+"/move", mv.token, `{"to":"`+mv.to+`","note":"`+mv.note+`"}`); code != 200 {
			t.Fatalf("move to %s = %d %s", mv.to, code, body)
		}
	}
	code, _, staff := call("GET", "/api/staff/tickets/"+id, admin, "")
	if code != 200 || !strings.Contains(staff, "admin") || !strings.Contains(staff, note) {
		t.Fatalf("the staff view = %d %s; want the names and the note", code, staff)
	}
	code, _, public := call("GET", "/api/tickets/"+id+"?secret="+secret, "", "")
	if code != 200 {
		t.Fatalf("public lookup = %d %s", code, public)
	}
	for _, hidden := range []string{"admin", "ua", "管理员", "内部备注", "13912345678", "张经理", "某机械公司"} {
		if strings.Contains(public, hidden) {
			t.Errorf("the public ticket JSON holds %q:\n%s", hidden, public)
		}
	}
	for _, shown := range []string{reply, `"status":"已办结"`, `"by":"` + lead + `"`, `"created_at"`, `"due"`} {
		if !strings.Contains(public, shown) {
			t.Errorf("the public ticket JSON lacks %q:\n%s", shown, public)
		}
	}
}
