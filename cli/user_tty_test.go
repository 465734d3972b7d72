package cli

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUserAddPromptsWithoutEcho runs the real binary on a terminal
// (util-linux script gives it a pty): user add asks for the password twice
// on the terminal and the typed password never shows; a second pair that
// differs is refused in Chinese and English.
func TestUserAddPromptsWithoutEcho(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("util-linux script is needed to run huiqi on a terminal: %v", err)
	}
	bin := sharedBinary(t)
	db := filepath.Join(t.TempDir(), "tty.db")
	const secret = "tty-Secret-7481"
	run := func(first, second string) (string, error) {
		cmd := exec.Command(scriptBin, "-qec", bin+" user add --name 终端 --role admin --db "+db, "/dev/null")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=dumb", "HUIQI_NOW=2026-11-27T10:00:00+08:00"}
		in, err := cmd.StdinPipe()
		if err != nil {
			return "", err
		}
		outPipe, err := cmd.StdoutPipe()
		if err != nil {
			return "", err
		}
		if err := cmd.Start(); err != nil {
			return "", err
		}
		var mu sync.Mutex
		var out bytes.Buffer
		prompts := make(chan struct{}, 4)
		go func() {
			r := bufio.NewReader(outPipe)
			for {
				b, err := r.ReadByte()
				if err != nil {
					close(prompts)
					return
				}
				mu.Lock()
				out.WriteByte(b)
				if b == ' ' && bytes.HasSuffix(out.Bytes(), []byte(": ")) {
					prompts <- struct{}{}
				}
				mu.Unlock()
			}
		}()
		// Type each answer only once its prompt is up (echo is off by then).
		for _, answer := range []string{first, second} {
			select {
			case <-prompts:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				return out.String(), io.ErrUnexpectedEOF
			}
			io.WriteString(in, answer+"\r")
		}
		err = cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		return out.String(), err
	}
	out, err := run(secret, secret+"x")
	if err == nil || !strings.Contains(out, "两次输入的密码不一致") || !strings.Contains(out, "the two passwords differ") {
		t.Errorf("two different passwords: %v, output %q; want exit 2 saying so in Chinese and English", err, out)
	}
	out, err = run(secret, secret)
	if err != nil {
		t.Fatalf("user add on a terminal = %v, output %q", err, out)
	}
	for _, want := range []string{"终端 的新密码 / new password for 终端: ", "再输一次 / again: ", "已创建账号 终端"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, secret) || strings.Contains(out, "tty-") {
		t.Errorf("the password was echoed: %q", out)
	}
}
