package cli

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/web"
)

// legacyDB rebuilds, in a fresh file, the database of
// testdata/legacy-d4a8a54.sql: made by the code before the migrations moved
// into embedded .sql files, with that code's migrations table.
func legacyDB(t *testing.T) string {
	t.Helper()
	dump, err := os.ReadFile("testdata/legacy-d4a8a54.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "legacy.db")
	raw, err := sql.Open("sqlite", path) // the driver modernc.org/sqlite registers
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(string(dump)); err != nil {
		t.Fatalf("rebuild the legacy database: %v", err)
	}
	return path
}

// schemaOf is the database's schema and migrations table: every object's
// SQL with comments and spacing normalised, and every recorded version.
func schemaOf(t *testing.T, path string) (schema, versions []string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	comment := regexp.MustCompile(`--[^\n]*`)
	rows, err := raw.Query(`SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		text = strings.Join(strings.Fields(comment.ReplaceAllString(text, "")), " ")
		schema = append(schema, typ+" "+name+": "+text)
	}
	rows.Close()
	rows, err = raw.Query(`SELECT component || ' v' || version || ' ' || applied_at FROM schema_migrations ORDER BY component, version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	return schema, versions
}

// TestLegacyDatabaseOpens: a database made by the code before the
// migrations became embedded .sql files opens with the current code: no
// step it ran runs again (its versions keep their times), only the steps
// added since are applied, no object of it changes but those a later step
// changes on purpose (legacyChanges), and its tickets, conversation,
// account, staff question, unanswered question and ingested notice are all
// read. It ends with exactly the schema the current code creates, so the
// .sql files are
// the steps the old code ran plus the new ones.
// legacyChanges are the objects of the legacy database that a later step
// changes on purpose, and why; every other object must stay as it was.
var legacyChanges = map[string]string{
	"table intake_events":                      "intake v5 adds the internal note and the acting unit",
	"index intake_tickets_reporter":            "intake v6 orders it by filing time for 查进度",
	"table intake_counters":                    "intake v6 drops it: ids are random",
	"index sqlite_autoindex_intake_counters_1": "intake v6 drops it with its table",
}

func TestLegacyDatabaseOpens(t *testing.T) {
	path := legacyDB(t)
	schemaBefore, versionsBefore := schemaOf(t, path)
	lenv := withDB(path)

	code, out, stderr := runStdin(t, lenv, "", "ticket", "--json", "CQ-20261127-0001")
	if code != 0 {
		t.Fatalf("ticket: exit %d, %s", code, stderr)
	}
	tk := decodeObject(t, out)
	if tk["status"] != "已签收" || tk["due"] != "2026-12-08" || tk["extended_days"] != float64(2) || len(tk["events"].([]any)) != 4 {
		t.Errorf("legacy ticket = %v, want 已签收, due 2026-12-08 after 2 days' extension, 4 events", out)
	}
	if code, out, _ := runStdin(t, lenv, "", "ticket", "--json", "CQ-20261127-0002"); code != 0 || decodeObject(t, out)["channel"] != intake.ChannelHotline {
		t.Errorf("the hotline's legacy ticket: exit %d, %s", code, out)
	}
	// It still moves along, and a new ticket takes the next id.
	if code, _, stderr := runStdin(t, lenv, "", "ticket", "CQ-20261127-0001", "--set", "办理中", "--by", "区人社局"); code != 0 {
		t.Errorf("moving the legacy ticket: exit %d, %s", code, stderr)
	}
	// Ids are random digits now, never one the legacy counter gave.
	if code, out, _ := runStdin(t, lenv, "", "report", "--json", "企业招不到技术工人"); code != 0 ||
		!regexp.MustCompile(`^CQ-20261127-\d{8}$`).MatchString(fmt.Sprint(decodeObject(t, out)["id"])) {
		t.Errorf("a new ticket in the legacy database: exit %d, %s; want a new id", code, out)
	}
	// The legacy extension's reason was shown to the enterprise; it is an
	// internal note now, and the new deadline is what the enterprise reads.
	if code, out, _ := runStdin(t, lenv, "", "ticket", "--json", "CQ-20261127-0001"); code != 0 ||
		!strings.Contains(out, `"note":"延期2个工作日至2026-12-08","internal":"材料未齐"`) {
		t.Errorf("the legacy extension's note: exit %d, %s", code, out)
	}
	if code, out, _ := runStdin(t, lenv, "", "unanswered", "--json"); code != 0 || decodeObject(t, out)["count"] != float64(1) {
		t.Errorf("legacy unanswered questions: exit %d, %s; want the one kept", code, out)
	}
	if code, out, _ := runStdin(t, lenv, "", "ask", "--json", "用工荒怎么办"); code != 0 || !strings.Contains(out, `"id":"ind-07"`) {
		t.Errorf("the staff question of the legacy lexicon table is not answered: %s", out)
	}
	if code, out, _ := runStdin(t, lenv, "", "measure", "n2024-3-p1-01"); code != 0 || !strings.Contains(out, "设立专项资金") {
		t.Errorf("the notice ingested into the legacy database: exit %d, %s", code, out)
	}
	if code, out, _ := runStdin(t, lenv, "", "user", "list"); code != 0 || !strings.Contains(out, "张坐席") {
		t.Errorf("legacy accounts: exit %d, %s", code, out)
	}
	// The chat resumes the legacy conversation's state.
	if code, out, stderr := runStdin(t, lenv, "你好\n", "chat", "--user", "alice"); code != 0 || out == "" {
		t.Errorf("chat on the legacy database: exit %d, %q, %s", code, out, stderr)
	}
	// The server opens every component and the legacy account signs in.
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, dbPath: path,
		now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) },
		log: slog.New(slog.DiscardHandler)}
	srv, closeAll, err := newWebServer(context.Background(), e, path, false, intake.Config{}, web.Config{RatePerSecond: -1})
	if err != nil {
		t.Fatalf("serve on the legacy database: %v", err)
	}
	req := httptest.NewRequest("POST", "/api/staff/login", strings.NewReader(`{"name":"张坐席","password":"s3cret-pass"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	closeAll()
	if w.Code != http.StatusOK {
		t.Errorf("the legacy account signs in: %d %s", w.Code, w.Body)
	}

	schemaAfter, versionsAfter := schemaOf(t, path)
	// The steps it had are not run again (their stamps are kept); it gains
	// only the steps added since.
	for _, v := range versionsBefore {
		if !slices.Contains(versionsAfter, v) {
			t.Errorf("the legacy step %q was re-run or lost; after: %q", v, versionsAfter)
		}
	}
	// (which steps those are is the fresh database's versions, below)
	stamp := regexp.MustCompile(`(?m) \S+$`)
	for _, o := range schemaBefore {
		name, _, _ := strings.Cut(o, ":")
		if _, planned := legacyChanges[name]; !slices.Contains(schemaAfter, o) && !planned {
			t.Errorf("the legacy object %q changed or was dropped", o)
		}
	}
	for name, why := range legacyChanges {
		if slices.ContainsFunc(schemaBefore, func(o string) bool { return strings.HasPrefix(o, name+":") }) &&
			slices.ContainsFunc(schemaAfter, func(o string) bool { return slices.Contains(schemaBefore, o) && strings.HasPrefix(o, name+":") }) {
			t.Errorf("%s was to change (%s) but is as it was", name, why)
		}
	}
	// A command that stores notices runs their steps added since (the
	// staff workflow's columns and history); the legacy notice stays.
	if code, _, stderr := runStdin(t, lenv, "", "notices", "show", "1"); code != 0 {
		t.Errorf("notices show 1 on the legacy database: exit %d, %s", code, stderr)
	}
	if code, out, _ := runStdin(t, lenv, "", "measure", "n2024-3-p1-01"); code != 0 || !strings.Contains(out, "设立专项资金") {
		t.Errorf("the legacy notice after the upgrade: exit %d, %s", code, out)
	}
	schemaUpgraded, versionsUpgraded := schemaOf(t, path)
	// A database the current code creates: the same objects, the same SQL,
	// the same versions per component as the upgraded legacy one.
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	fenv := withDB(fresh)
	for _, args := range [][]string{{"chat"}, {"user", "list"}, {"ingest", "../knowledge/source/chengzhengbanfa-2023-5.txt"}} {
		if code, _, stderr := runStdin(t, fenv, "", args...); code != 0 && args[0] != "ingest" {
			t.Fatalf("%v on a fresh database: exit %d, %s", args, code, stderr)
		}
	}
	// The built-in notice's ids are taken, so ingest refuses it, after
	// creating its tables; that is all this needs.
	schemaFresh, versionsFresh := schemaOf(t, fresh)
	if strings.Join(schemaFresh, "\n") != strings.Join(schemaUpgraded, "\n") {
		t.Errorf("a fresh database's schema differs from the upgraded legacy one:\nfresh  %q\nlegacy %q", schemaFresh, schemaUpgraded)
	}
	if a, b := stamp.ReplaceAllString(strings.Join(versionsFresh, "\n"), ""), stamp.ReplaceAllString(strings.Join(versionsUpgraded, "\n"), ""); a != b {
		t.Errorf("fresh migrations %q, upgraded legacy %q", versionsFresh, versionsUpgraded)
	}
}
