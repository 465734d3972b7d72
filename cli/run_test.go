package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{nil, nil, 2, "usage: huiqi"},
		{[]string{"help"}, nil, 0, "usage: huiqi"},
		{[]string{"frobnicate"}, nil, 2, `unknown command "frobnicate"`},
		{[]string{"backup"}, map[string]string{"HUIQI_NOW": "yesterday"}, 2, "HUIQI_NOW must be"},
		{[]string{"backup"}, nil, 2, "usage: huiqi backup"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runArgs(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("run(%q) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, stderr, tt.wantErr)
			}
			if tt.wantCode != 0 && stdout != "" {
				t.Errorf("run(%q) printed %q on stdout on failure", tt.args, stdout)
			}
		})
	}
}

func TestClockFromEnv(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2026-11-27T10:00:00+08:00", "2026-11-27T10:00:00+08:00", false},
		{"2026-11-27", "2026-11-27T00:00:00+08:00", false},
		{"2026-11-27T02:00:00Z", "2026-11-27T10:00:00+08:00", false},
		{"tomorrow", "", true},
		{"", "", false},
	}
	for _, tt := range tests {
		now, fixed, err := clockFromEnv(func(string) string { return tt.in })
		if (err != nil) != tt.wantErr {
			t.Fatalf("clockFromEnv(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
		if err == nil && fixed != (tt.in != "") {
			t.Errorf("clockFromEnv(%q) fixed = %v, want %v", tt.in, fixed, tt.in != "")
		}
		if tt.in == "" {
			continue
		}
		if err == nil {
			if got := now().Format("2006-01-02T15:04:05Z07:00"); got != tt.want {
				t.Errorf("clockFromEnv(%q)() = %s, want %s", tt.in, got, tt.want)
			}
		}
	}
}
