package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const ingestSample = `某某区人民政府办公室
关于印发某某区支持中小企业发展若干措施的通知
某政办发[2024]3号
各乡镇人民政府,区直各单位:
《某某区支持中小企业发展若干措施》已经区政府同意,现印发给你们,请认真执行。
某某区人民政府办公室
2024年3月1日
某某区支持中小企业发展若干措施
一、加大财政支持
（一）设立专项资金。每年安排专项资金500万元。（区发改局牵头，区财政局配合）
（二）降低融资成本。对贷款贴息50%。责任单位：区财政局、区审批局
二、本措施自2024年4月1日起施行，有效期2年。
`

func knowledgeEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "huiqi.db")
	return map[string]string{"HUIQI_NOW": "2026-11-27", "HUIQI_DB": db}, db
}

func TestMeasureCommand(t *testing.T) {
	env, db := knowledgeEnv(t)
	tests := []struct {
		args     []string
		wantCode int
		want     []string // substrings of stdout (or stderr when failing)
	}{
		{[]string{"measure", "ind-11"}, 0, []string{"二十条第11条(ind-11) 缓解小微企业资金周转压力", "责任单位:区政府办公室、区财政局、区中小企业发展中心", "2023年6月30日(已过期)"}},
		{[]string{"measure", "二十条第三条"}, 0, []string{"支持中小微企业发展"}},
		{[]string{"measure", "inv-05"}, 0, []string{"有效期:至2024年2月12日(已期满)", "区发改局、区直有关部门、义井镇人民政府"}},
		{[]string{"measure", "ind-99"}, 2, []string{"huiqi measure: 没有找到措施"}},
		{[]string{"measure"}, 2, []string{"huiqi measure:"}},
		{[]string{"measure", "--bogus", "ind-01"}, 2, []string{"huiqi measure:"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runArgs(t, env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("run(%q) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, stderr)
			}
			got := stdout
			if code != 0 {
				got = stderr
				if stdout != "" {
					t.Errorf("run(%q) printed %q on stdout on failure", tt.args, stdout)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("run(%q) = %q, want it to contain %q", tt.args, got, w)
				}
			}
		})
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("measure created the database %s (stat error %v)", db, err)
	}
}

func TestMeasureJSON(t *testing.T) {
	env, _ := knowledgeEnv(t)
	code, stdout, stderr := runArgs(t, env, "measure", "IND-3", "--json")
	if code != 0 {
		t.Fatalf("measure --json = %d (%s)", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("measure --json printed %q: %v", stdout, err)
	}
	for _, k := range []string{"id", "package", "number", "title", "text", "units", "awards"} {
		if _, ok := got[k]; !ok {
			t.Errorf("measure --json lacks %q: %s", k, stdout)
		}
	}
	if got["id"] != "ind-03" || got["package"] != "二十条" || got["number"] != 3.0 || got["title"] != "支持中小微企业发展" {
		t.Errorf("measure --json = %v", got)
	}
	if units := got["units"].([]any); !reflect.DeepEqual(units, []any{"区中小企业发展中心", "区财政局", "区工信局"}) {
		t.Errorf("measure --json units = %v", units)
	}
}

func TestUnitCommand(t *testing.T) {
	env, db := knowledgeEnv(t)
	tests := []struct {
		args      []string
		wantCode  int
		wantUnit  string
		wantIDs   []string
		wantCands []string
	}{
		{[]string{"unit", "--json", "rsj"}, 0, "区人社局", []string{"ind-07", "ind-13"}, nil},
		{[]string{"unit", "区审批局", "--json"}, 0, "区行政审批局", []string{"ind-08", "inv-07", "inv-10", "inv-13"}, nil},
		{[]string{"unit", "--json", "项目推进"}, 0, "区项目推进中心", []string{"inv-07", "inv-08"}, nil},
		{[]string{"unit", "--json", "中心"}, 0, "", nil, []string{"区中小企业发展中心", "区项目推进中心", "区融媒体中心"}},
		{[]string{"unit", "--json", "天气预报"}, 2, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runArgs(t, env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("run(%q) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, stderr)
			}
			if code != 0 {
				return
			}
			var got unitOut
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("run(%q) printed %q: %v", tt.args, stdout, err)
			}
			if got.Unit != tt.wantUnit || tt.wantIDs != nil && !reflect.DeepEqual(got.Measures, tt.wantIDs) {
				t.Errorf("run(%q) = %+v, want unit %q measures %q", tt.args, got, tt.wantUnit, tt.wantIDs)
			}
			for _, c := range tt.wantCands {
				if !strings.Contains(strings.Join(got.Candidates, ","), c) {
					t.Errorf("run(%q) candidates = %q, want %q among them", tt.args, got.Candidates, c)
				}
			}
			if got.Measures == nil || got.Candidates == nil {
				t.Errorf("run(%q) printed null lists: %s", tt.args, stdout)
			}
		})
	}
	code, stdout, _ := runArgs(t, env, "unit", "人社")
	if code != 0 || !strings.Contains(stdout, "区人社局") || !strings.Contains(stdout, "着力做好稳岗用工工作") {
		t.Errorf("unit 人社 = %d %q", code, stdout)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("unit created the database %s", db)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	env := map[string]string{"HUIQI_NOW": "2026-11-27", "HUIQI_DB": filepath.Join(dir, "huiqi.db")}
	for _, args := range [][]string{{"measure", "ind-01"}, {"unit", "rsj"}} {
		if code, _, stderr := runArgs(t, env, args...); code != 0 {
			t.Errorf("run(%q) in a read-only directory = %d (%s)", args, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("read-only commands created %d files", len(entries))
	}
}

func TestIngestCommand(t *testing.T) {
	env, db := knowledgeEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("关于印发某某办法的通知\n各单位:\n这是一段没有编号的文字。\n"), 0o644)
	jump := filepath.Join(dir, "jump.txt")
	os.WriteFile(jump, []byte("某某办法\n1.甲。\n2.乙。\n4.丁。\n"), 0o644)
	good := filepath.Join(dir, "good.txt")
	os.WriteFile(good, []byte(ingestSample), 0o644)

	code, stdout, stderr := runArgs(t, env, "ingest", bad)
	if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "huiqi ingest: "+bad+" line 2: ") {
		t.Errorf("ingest bad = %d %q %q, want 2 and \"huiqi ingest: FILE line 2: …\"", code, stdout, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a refused file created the database")
	}
	// Numbering that jumps is a warning on its line: the items ingest.
	code, stdout, stderr = runArgs(t, env, "ingest", "--json", jump)
	var jumped ingestOut
	if code != 0 || json.Unmarshal([]byte(stdout), &jumped) != nil || jumped.Measures != 3 ||
		len(jumped.Warnings) != 1 || jumped.Warnings[0].Line != 4 {
		t.Errorf("ingest jump = %d %q %q, want 3 measures and a warning on line 4", code, stdout, stderr)
	}

	code, stdout, stderr = runArgs(t, env, "ingest", "--json", good)
	if code != 0 {
		t.Fatalf("ingest good = %d (%s)", code, stderr)
	}
	var out ingestOut
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Measures != 2 || out.DocNo != "某政办发〔2024〕3号" {
		t.Fatalf("ingest --json = %q (%v)", stdout, err)
	}
	// The ingested measures are now found by measure and unit.
	code, stdout, _ = runArgs(t, env, "measure", "n2024-3-p1-01")
	if code != 0 || !strings.Contains(stdout, "牵头单位:区发改局") || !strings.Contains(stdout, "配合单位:区财政局") {
		t.Errorf("measure of the ingested notice = %d %q", code, stdout)
	}
	code, stdout, _ = runArgs(t, env, "unit", "--json", "区审批局")
	if code != 0 || !strings.Contains(stdout, "n2024-3-p1-02") {
		t.Errorf("unit after ingest = %d %q, want n2024-3-p1-02", code, stdout)
	}
	// Re-ingesting the same document replaces it; the built-in one is refused.
	if code, _, stderr = runArgs(t, env, "ingest", good); code != 0 {
		t.Errorf("re-ingest = %d (%s)", code, stderr)
	}
	official := filepath.Join(dir, "official.txt")
	src, err := os.ReadFile("../knowledge/source/chengzhengbanfa-2023-5.txt")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(official, src, 0o644)
	if code, _, stderr = runArgs(t, env, "ingest", official); code != 2 || !strings.Contains(stderr, "已被 内置文件") {
		t.Errorf("ingest of the built-in notice = %d %q, want 2", code, stderr)
	}
	if code, _, stderr = runArgs(t, env, "ingest"); code != 2 {
		t.Errorf("ingest without a file = %d %q, want 2", code, stderr)
	}
}
