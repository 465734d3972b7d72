package bot_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"huiqi/internal/testbin"
)

// chatProcess runs `huiqi chat` once with stdin, through pipes, and returns
// what it printed.
func chatProcess(t *testing.T, bin, dbPath, stdin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "chat")
	cmd.Env = append(os.Environ(), "HUIQI_NOW=2026-11-27T10:00:00+08:00", "HUIQI_DB="+dbPath)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("huiqi chat: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("huiqi chat wrote to stderr:\n%s", stderr.String())
	}
	return stdout.String()
}

// TestChatBinary drives the real `huiqi chat` through standard input and
// output, then stops it half-way through the award dialog and starts it
// again on the same database: the dialog resumes at the same question.
func TestChatBinary(t *testing.T) {
	bin := testbin.Build(t, t.TempDir())
	db := filepath.Join(t.TempDir(), "huiqi.db")

	out := chatProcess(t, bin, db, "担保费率是多少？\n算奖励\n1\n35%\n")
	for _, want := range []string{"欢迎使用惠企助手", "二十条第12条", "0.8%", "第1题", "第2题", "第3题：2023年3月当月产值同比增长了多少？", "再见"} {
		if !strings.Contains(out, want) {
			t.Errorf("first run: output lacks %q:\n%s", want, out)
		}
	}

	out = chatProcess(t, bin, db, "12%\n退出\n")
	if !strings.Contains(out, "欢迎回来") || !strings.Contains(out, "第3题：2023年3月当月产值同比增长了多少？") {
		t.Errorf("second run does not resume at question 3:\n%s", out)
	}
	if !strings.Contains(out, "第4题") {
		t.Errorf("second run: the answer to question 3 was not taken:\n%s", out)
	}

	out = chatProcess(t, bin, db, "反映问题\n申请用电增容一直没有答复\n阳泉某某公司\n13800000000\n1\n")
	for _, want := range []string{"查询码", "已受理"} {
		if !strings.Contains(out, want) {
			t.Errorf("report: output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`CQ-20261127-\d{8}`).MatchString(out) {
		t.Errorf("report: output lacks a ticket id:\n%s", out)
	}

	// Bad usage: exit status 2 and one line on standard error.
	for _, args := range [][]string{{"chat", "extra"}, {"chat", "--nope"}, {"chat", "--user", " "}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "HUIQI_DB="+db)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || stdout.Len() > 0 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("huiqi %q = %v, stdout %q, stderr %q; want exit 2 and one line on stderr", args, err, stdout.String(), stderr.String())
		}
	}
}
