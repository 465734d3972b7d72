package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runAskCmd(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"HUIQI_NOW": "2026-11-27", "HUIQI_DB": filepath.Join(dir, "huiqi.db")}
	code := Run(context.Background(), append([]string{"ask"}, args...), strings.NewReader(""), &out, &errb,
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestAskCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		answered bool
		topID    string
		nResults int
	}{
		{"json first", []string{"--json", "专精特新", "奖励"}, 0, true, "ind-03", 3},
		{"flags after words", []string{"担保费率下降到多少", "--json", "--top", "1"}, 0, true, "ind-12", 1},
		{"out of scope", []string{"--json", "明天会下雨吗"}, 0, false, "", -1},
		{"chitchat", []string{"--json", "你好"}, 0, false, "", 0},
		{"traditional", []string{"--json", "營業收入首次突破三千萬有獎勵嗎"}, 0, true, "ind-15", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runAskCmd(t, dir, tt.args...)
			if code != tt.code {
				t.Fatalf("ask %q exit = %d, want %d; stderr %q", tt.args, code, tt.code, errOut)
			}
			var a struct {
				Answered bool `json:"answered"`
				Results  []struct {
					ID      string   `json:"id"`
					Title   string   `json:"title"`
					Score   float64  `json:"score"`
					Units   []string `json:"units"`
					Snippet string   `json:"snippet"`
				} `json:"results"`
				Answer string `json:"answer"`
			}
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("ask %q output is not one JSON object: %v\n%s", tt.args, err, out)
			}
			if strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("ask --json printed more than one line")
			}
			if a.Answered != tt.answered || a.Answer == "" {
				t.Errorf("ask %q answered = %v (text %q), want %v", tt.args, a.Answered, a.Answer, tt.answered)
			}
			if tt.topID != "" && (len(a.Results) == 0 || a.Results[0].ID != tt.topID) {
				t.Errorf("ask %q results = %+v, want %s first", tt.args, a.Results, tt.topID)
			}
			if tt.nResults >= 0 && len(a.Results) != tt.nResults {
				t.Errorf("ask %q gave %d results, want %d", tt.args, len(a.Results), tt.nResults)
			}
			if !strings.Contains(out, `"results":[`) {
				t.Errorf("ask %q: results must be a JSON list, got %s", tt.args, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "huiqi.db")); !os.IsNotExist(err) {
				t.Errorf("ask created a database file (stat err %v)", err)
			}
		})
	}
}

func TestAskCommandUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--json"}, {"  "}, {"--top", "0", "问题"}, {"--nope", "问题"}} {
		code, out, errOut := runAskCmd(t, t.TempDir(), args...)
		if code != 2 || out != "" || errOut == "" || strings.Contains(errOut, "goroutine") {
			t.Errorf("ask %q = exit %d, stdout %q, stderr %q; want 2, nothing, one line", args, code, out, errOut)
		}
	}
}

func TestAskCommandHuman(t *testing.T) {
	code, out, _ := runAskCmd(t, t.TempDir(), "小微企业贷款延期到什么时候")
	if code != 0 || !strings.Contains(out, "二十条第11条") || !strings.Contains(out, "2023年6月30日") || strings.Contains(out, "{") {
		t.Errorf("ask (human) = %d\n%s", code, out)
	}
}

func TestCacheDirFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/a"}, "/home/a/.cache/huiqi"},
		{map[string]string{"HOME": "/home/a", "XDG_CACHE_HOME": "/var/cache/a"}, "/var/cache/a/huiqi"},
		{map[string]string{"HOME": "/home/a", "HUIQI_CACHE": "/srv/huiqi-cache"}, "/srv/huiqi-cache"},
		{map[string]string{"HOME": "/home/a", "HUIQI_CACHE": "off"}, ""},
		{map[string]string{"XDG_CACHE_HOME": "relative"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := cacheDirFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("cacheDirFromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestAskWritesAndReadsTheIndexSnapshot: huiqi ask writes the snapshot of
// the built-in index in HUIQI_CACHE, and answers the same from it, with a
// damaged one, and with none.
func TestAskWritesAndReadsTheIndexSnapshot(t *testing.T) {
	cache := t.TempDir()
	env := map[string]string{"HUIQI_CACHE": cache, "HUIQI_NOW": "2026-11-27T10:00:00+08:00", "HUIQI_DB": filepath.Join(t.TempDir(), "none.db")}
	ask := func() string {
		t.Helper()
		code, out, errOut := runArgs(t, env, "ask", "--json", "刚评上小巨人区里给多少")
		if code != 0 {
			t.Fatalf("ask: exit %d: %s", code, errOut)
		}
		return out
	}
	first := ask()
	snap := filepath.Join(cache, "builtin-index.bin")
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("no snapshot after huiqi ask: %v", err)
	}
	if got := ask(); got != first {
		t.Errorf("ask from the snapshot = %s, want %s", got, first)
	}
	if err := os.WriteFile(snap, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := ask(); got != first {
		t.Errorf("ask with a damaged snapshot = %s, want %s", got, first)
	}
	env["HUIQI_CACHE"] = "off"
	if got := ask(); got != first {
		t.Errorf("ask without a snapshot = %s, want %s", got, first)
	}
}
