package cli

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"huiqi/internal/zhtext"
)

// noticeCheck is a row of a checks.jsonl of notices (the development set's
// format, see its README): after `huiqi ingest --db DB FILE`, q finds the
// item whose title contains title_contains with unit among its units; or
// `huiqi unit --json --db DB unit_query` lists min_measures of the notice.
type noticeCheck struct {
	File          string  `json:"file"`
	Q             string  `json:"q"`
	TitleContains string  `json:"title_contains"`
	Unit          *string `json:"unit"`
	UnitQuery     string  `json:"unit_query"`
	MinMeasures   int     `json:"min_measures"`
}

func readChecks(t *testing.T, path string) []noticeCheck {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []noticeCheck
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r noticeCheck
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// noticeFile is a notice fixture as a file to ingest: a .docx.xml is
// zipped into the Word file it stands for.
func noticeFile(t *testing.T, dir, name string) string {
	t.Helper()
	src := filepath.Join(dir, name)
	base, ok := strings.CutSuffix(name, ".docx.xml")
	if !ok {
		return src
	}
	xml, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write(xml)
	zw.Close()
	out := filepath.Join(t.TempDir(), filepath.Base(base)+".docx")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// runNoticeChecks ingests each notice of a checks file into a fresh
// database and holds each row; it returns how many held.
func runNoticeChecks(t *testing.T, dir string) (held, total int) {
	t.Helper()
	rows := readChecks(t, filepath.Join(dir, "checks.jsonl"))
	dbs := map[string]map[string]string{}
	ids := map[string][]string{}
	for _, r := range rows {
		env, ok := dbs[r.File]
		if !ok {
			env, _ = knowledgeEnv(t)
			env["HUIQI_NOW"] = "2026-12-01"
			code, out, stderr := runArgs(t, env, "ingest", "--json", noticeFile(t, dir, r.File))
			if code != 0 {
				t.Errorf("ingest %s = %d (%s)", r.File, code, stderr)
				continue
			}
			var ing ingestOut
			if err := json.Unmarshal([]byte(out), &ing); err != nil {
				t.Fatal(err)
			}
			for _, it := range ing.Items {
				ids[r.File] = append(ids[r.File], it.ID)
			}
			dbs[r.File] = env
		}
		total++
		if r.UnitQuery != "" {
			code, out, _ := runArgs(t, env, "unit", "--json", r.UnitQuery)
			var u unitOut
			json.Unmarshal([]byte(out), &u)
			n := 0
			for _, id := range u.Measures {
				if slices.Contains(ids[r.File], id) {
					n++
				}
			}
			if code != 0 || n < r.MinMeasures {
				t.Errorf("%s: unit %s = %d %+v, want at least %d of the notice's measures", r.File, r.UnitQuery, code, u, r.MinMeasures)
				continue
			}
			held++
			continue
		}
		_, out, _ := runArgs(t, env, "ask", "--json", r.Q)
		var a struct {
			Results []struct {
				ID    string   `json:"id"`
				Title string   `json:"title"`
				Units []string `json:"units"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Results) == 0 {
			t.Errorf("%s: ask %q = %q, want results", r.File, r.Q, out)
			continue
		}
		top := a.Results[0]
		if !strings.Contains(zhtext.Simplify(top.Title), zhtext.Simplify(r.TitleContains)) || r.Unit != nil && !slices.Contains(top.Units, *r.Unit) {
			want := ""
			if r.Unit != nil {
				want = *r.Unit
			}
			t.Logf("%s: ask %q → %s %q %q, want the item with %q (unit %q)", r.File, r.Q, top.ID, top.Title, top.Units, r.TitleContains, want)
			continue
		}
		held++
	}
	return held, total
}

// Every notice of the development set (a copy of ../shared/eval/notices)
// ingests, and every row of its checks.jsonl holds.
func TestDevelopmentNotices(t *testing.T) {
	held, total := runNoticeChecks(t, "../knowledge/testdata/notices/eval")
	if held != total || total == 0 {
		t.Errorf("development notices: %d of %d checks hold, want all", held, total)
	}
}

// The project's own notices of the genre (excerpts of real ones in other
// formats and numbering styles, and questions written for them): all
// ingest; nine in ten item questions find their item first, as the
// held-out check asks.
func TestFixtureNotices(t *testing.T) {
	held, total := runNoticeChecks(t, "../knowledge/testdata/notices")
	if held*10 < total*9 {
		t.Errorf("fixture notices: %d of %d checks hold, want at least 90%%", held, total)
	}
	t.Logf("fixture notices: %d of %d checks hold", held, total)
}

// The copy of the development set is the shared one, when it is there.
func TestDevelopmentNoticesCopy(t *testing.T) {
	shared := "../../shared/eval/notices"
	entries, err := os.ReadDir(shared)
	if err != nil {
		t.Skip("no shared development set beside the repository")
	}
	for _, e := range entries {
		want, _ := os.ReadFile(filepath.Join(shared, e.Name()))
		got, err := os.ReadFile(filepath.Join("../knowledge/testdata/notices/eval", e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("knowledge/testdata/notices/eval/%s differs from the shared set: copy it again", e.Name())
		}
	}
}

// `huiqi notices` lists the built-in notice with its status and validity;
// ingested ones follow with theirs, drafts and withdrawn ones marked.
func TestNoticesCommand(t *testing.T) {
	env, _ := knowledgeEnv(t)
	env["HUIQI_NOW"] = "2026-12-01"
	code, out, stderr := runArgs(t, env, "notices", "--json")
	if code != 0 {
		t.Fatalf("notices = %d (%s)", code, stderr)
	}
	var res noticesOut
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Notices) != 1 {
		t.Fatalf("notices --json = %q (%v), want the built-in notice", out, err)
	}
	b := res.Notices[0]
	if !b.Builtin || b.ID != "builtin" || b.DocNo != "城政办发〔2023〕5号" || b.Place != "阳泉市城区" || b.Status != "partly_expired" ||
		!strings.Contains(b.Validity, "已到期") || len(b.Packages) != 2 || b.Packages[1].Until != "2024-02-12" || b.Packages[1].Status != "expired" ||
		b.Packages[0].Status != "no_term" || b.Issued != "2023-02-13" {
		t.Errorf("built-in notice = %+v", b)
	}
	dir := "../knowledge/testdata/notices"
	code, out, stderr = runArgs(t, env, "ingest", "--json", "--draft", "--by", "张三", filepath.Join(dir, "guandu-2016.txt"))
	var ing ingestOut
	if code != 0 || json.Unmarshal([]byte(out), &ing) != nil || ing.State != "draft" || len(ing.Items) != 4 {
		t.Fatalf("ingest --draft = %d %s (%s)", code, out, stderr)
	}
	first := ing.Items[0].ID
	if code, out, _ := runArgs(t, env, "ask", "--json", "中介超市什么时候上线"); code != 0 || strings.Contains(out, first) {
		t.Errorf("a draft is answered from: %s", out)
	}
	code, out, _ = runArgs(t, env, "notices")
	if code != 0 || !strings.Contains(out, "【草稿】") || !strings.Contains(out, "昆明市官渡区") || !strings.Contains(out, "[内置]") {
		t.Errorf("notices (text) = %d %q", code, out)
	}
	if code, _, stderr := runArgs(t, env, "notices", "publish", "1"); code != 2 || !strings.Contains(stderr, "--by") {
		t.Errorf("publish without --by = %d %q, want 2", code, stderr)
	}
	if code, _, stderr := runArgs(t, env, "notices", "publish", "1", "--by", "李四"); code != 0 {
		t.Fatalf("publish = %d (%s)", code, stderr)
	}
	if code, out, _ := runArgs(t, env, "ask", "--json", "中介超市什么时候上线"); code != 0 || !strings.Contains(out, `"id":"`+first+`"`) {
		t.Errorf("the published notice is not answered from: %s", out)
	}
	if code, _, stderr := runArgs(t, env, "notices", "publish", "1", "--by", "李四"); code != 2 || !strings.Contains(stderr, "已发布") {
		t.Errorf("publishing twice = %d %q, want 2", code, stderr)
	}
	if code, _, stderr := runArgs(t, env, "notices", "withdraw", "1", "--by", "王五", "--note", "试用"); code != 0 {
		t.Fatalf("withdraw = %d (%s)", code, stderr)
	}
	code, out, _ = runArgs(t, env, "notices", "show", "1", "--json")
	var pv struct {
		State  string `json:"state"`
		Events []struct{ Action, By, Note string }
	}
	json.Unmarshal([]byte(out), &pv)
	if code != 0 || pv.State != "withdrawn" || len(pv.Events) != 3 || pv.Events[1].By != "李四" || pv.Events[2].Note != "试用" {
		t.Errorf("notices show 1 = %d %s", code, out)
	}
	if code, out, _ := runArgs(t, env, "ask", "--json", "中介超市什么时候上线"); code != 0 || strings.Contains(out, first) {
		t.Errorf("a withdrawn notice is answered from: %s", out)
	}
	for _, args := range [][]string{{"notices", "publish", "builtin", "--by", "x"}, {"notices", "show", "99"}, {"notices", "frobnicate", "1"}} {
		if code, _, _ := runArgs(t, env, args...); code != 2 {
			t.Errorf("%q = %d, want 2", args, code)
		}
	}
}

// After a newer notice is ingested with --supersedes, the old one is listed
// as superseded and an answer from it names the new one first.
func TestSupersedes(t *testing.T) {
	env, _ := knowledgeEnv(t)
	env["HUIQI_NOW"] = "2026-12-01"
	dir := t.TempDir()
	old := filepath.Join(dir, "old.txt")
	os.WriteFile(old, []byte(ingestSample), 0o644)
	newer := filepath.Join(dir, "new.txt")
	os.WriteFile(newer, []byte(strings.NewReplacer("某政办发[2024]3号", "某政办发[2026]7号", "2024年3月1日", "2026年3月1日",
		"设立专项资金", "设立企业发展专项资金", "2024年4月1日", "2026年4月1日").Replace(ingestSample)), 0o644)
	if code, _, stderr := runArgs(t, env, "ingest", old); code != 0 {
		t.Fatalf("ingest old = %d (%s)", code, stderr)
	}
	if code, _, stderr := runArgs(t, env, "ingest", "--supersedes", "不存在的文号", newer); code != 2 {
		t.Errorf("--supersedes of no notice = %d (%s), want 2", code, stderr)
	}
	if code, _, stderr := runArgs(t, env, "ingest", "--supersedes", "某政办发〔2024〕3号", newer); code != 0 {
		t.Fatalf("ingest --supersedes = %d (%s)", code, stderr)
	}
	code, out, _ := runArgs(t, env, "notices", "--json")
	var res noticesOut
	json.Unmarshal([]byte(out), &res)
	if code != 0 || len(res.Notices) != 3 || res.Notices[1].Status != "superseded" || res.Notices[1].SupersededBy == nil ||
		res.Notices[1].SupersededBy.DocNo != "某政办发〔2026〕7号" || res.Notices[2].Supersedes == nil {
		t.Fatalf("notices after --supersedes = %s", out)
	}
	// Asked about the superseded measure by its id, the answer names the new notice first.
	code, out, _ = runArgs(t, env, "ask", "--json", "n2024-3-p1-02")
	var a struct {
		Results []struct {
			ID             string `json:"id"`
			ValidityStatus string `json:"validity_status"`
		} `json:"results"`
		Answer string `json:"answer"`
	}
	json.Unmarshal([]byte(out), &a)
	if code != 0 || len(a.Results) == 0 || a.Results[0].ID != "n2024-3-p1-02" || a.Results[0].ValidityStatus != "superseded" ||
		!strings.HasPrefix(a.Answer, "时效提示") || !strings.Contains(a.Answer, "某政办发〔2026〕7号") {
		t.Errorf("ask on a superseded measure = %s", out)
	}
	// On the topic, the new notice's measure answers.
	code, out, _ = runArgs(t, env, "ask", "--json", "降低融资成本贷款贴息")
	if code != 0 || !strings.Contains(out, `"results":[{"id":"n2026-7-p1-02"`) {
		t.Errorf("ask on the topic = %s, want the new notice's measure first", out)
	}
	code, out, _ = runArgs(t, env, "measure", "--json", "n2024-3-p1-02")
	if code != 0 || !strings.Contains(out, `"status":"superseded"`) || !strings.Contains(out, `"expired":true`) {
		t.Errorf("measure of a superseded notice = %s", out)
	}
}

// The review file: written at ingest, corrected by a person, loaded back;
// the corrected money shows in measure --json.
func TestReviewFile(t *testing.T) {
	env, _ := knowledgeEnv(t)
	env["HUIQI_NOW"] = "2026-12-01"
	dir := t.TempDir()
	review := filepath.Join(dir, "review.json")
	code, out, stderr := runArgs(t, env, "ingest", "--review", review, "../knowledge/testdata/notices/eval/zhejiang-shengzhou-2022.txt")
	if code != 0 || !strings.Contains(out, "审核文件已写到") {
		t.Fatalf("ingest --review = %d %q (%s)", code, out, stderr)
	}
	src, err := os.ReadFile(review)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(src, &r); err != nil {
		t.Fatal(err)
	}
	ms := r["measures"].([]any)
	first := ms[0].(map[string]any)
	id := first["id"].(string)
	awards := first["awards"].([]any)
	if len(awards) != 5 {
		t.Fatalf("review awards of %s = %v, want the five 分别给予 sums", id, awards)
	}
	awards[0].(map[string]any)["yuan"] = 1200000
	awards[0].(map[string]any)["text"] = "120万元"
	first["units"] = []string{"市经信局", "市财政局"}
	fixed, _ := json.Marshal(r)
	os.WriteFile(review, fixed, 0o644)
	if code, _, stderr := runArgs(t, env, "notices", "review", "1", "--load", review); code != 2 {
		t.Errorf("loading without --by = %d (%s), want 2", code, stderr)
	}
	if code, _, stderr := runArgs(t, env, "notices", "review", "1", "--load", review, "--by", "审核员"); code != 0 {
		t.Fatalf("review --load = %d (%s)", code, stderr)
	}
	code, out, _ = runArgs(t, env, "measure", "--json", id)
	if code != 0 || !strings.Contains(out, `"yuan":1200000`) || !strings.Contains(out, `"units":["市经信局","市财政局"]`) {
		t.Errorf("measure after review = %s", out)
	}
	os.WriteFile(review, []byte(`{"_how":"","notice":{"doc_no":""},"measures":[{"id":"nope"}]}`), 0o644)
	if code, _, stderr := runArgs(t, env, "notices", "review", "1", "--load", review, "--by", "审核员"); code != 2 || !strings.Contains(stderr, "审核文件有误") {
		t.Errorf("a bad review file = %d %q, want 2", code, stderr)
	}
}

// Money as data in measure --json for an ingested item, shaped like the
// built-in notice's awards.
func TestIngestedAwards(t *testing.T) {
	env, _ := knowledgeEnv(t)
	if code, _, stderr := runArgs(t, env, "ingest", "../knowledge/testdata/notices/eval/zhejiang-shengzhou-2022.txt"); code != 0 {
		t.Fatalf("ingest = %d (%s)", code, stderr)
	}
	code, out, _ := runArgs(t, env, "ask", "--json", "省级未来工厂奖励多少")
	var a struct {
		Results []struct{ ID string } `json:"results"`
		Answer  string                `json:"answer"`
	}
	json.Unmarshal([]byte(out), &a)
	if code != 0 || len(a.Results) == 0 || !strings.Contains(a.Answer, "100万元") || !strings.Contains(a.Answer, "嵊州市") {
		t.Fatalf("ask = %s, want the sums and whose policy it is", out)
	}
	code, out, _ = runArgs(t, env, "measure", "--json", a.Results[0].ID)
	var m struct {
		Awards []struct {
			Text, Condition, Level, Kind string
			Yuan                         int64
		} `json:"awards"`
	}
	json.Unmarshal([]byte(out), &m)
	if code != 0 || len(m.Awards) != 5 || m.Awards[0].Yuan != 1000000 || m.Awards[0].Kind != "award" || m.Awards[0].Level != "city" ||
		m.Awards[0].Condition != "当年评为省级未来工厂" || m.Awards[4].Condition != "当年评为绍兴市级数字化车间" {
		t.Errorf("measure --json awards = %s", out)
	}
	// The built-in notice's amounts carry the same data.
	code, out, _ = runArgs(t, env, "measure", "--json", "ind-02")
	if code != 0 || !strings.Contains(out, `"kind":"award"`) || !strings.Contains(out, `"yuan":20000`) {
		t.Errorf("built-in awards = %s", out)
	}
}
