package bot_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"huiqi/internal/testbin"
)

// openPTY opens a pseudo-terminal: the test holds the master, the chat
// gets the slave as its terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// TestChatOnATerminal drives `huiqi chat` on a pseudo-terminal, as a person
// at the keyboard: the up arrow recalls the last question instead of
// sending ^[[A, and a paste longer than the terminal's own line limit
// (4096 bytes, ~1,365 Chinese characters) arrives whole and is refused with
// the engine's message rather than cut.
func TestChatOnATerminal(t *testing.T) {
	bin := testbin.Build(t, t.TempDir())
	master, slave := openPTY(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "chat", "--db", filepath.Join(t.TempDir(), "huiqi.db"))
	cmd.Env = append(os.Environ(), "HUIQI_NOW=2026-11-27T10:00:00+08:00", "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close() // the child holds it now
	var out testbin.SyncBuffer
	go io.Copy(&out, master)

	// wait blocks until the screen shows want n times (a liveness guard,
	// not a timing assertion).
	wait := func(want string, n int) {
		t.Helper()
		for strings.Count(out.String(), want) < n {
			if ctx.Err() != nil {
				t.Fatalf("the terminal never showed %q %d times:\n%s", want, n, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	type_ := func(s string) {
		t.Helper()
		if _, err := io.WriteString(master, s); err != nil {
			t.Fatal(err)
		}
	}
	wait("> ", 1)
	type_("担保费率是多少？\r")
	wait("二十条第12条", 1)
	wait("> ", 2)
	type_("\x1b[A\r") // up arrow, then Enter: the same question again
	wait("二十条第12条", 2)
	if strings.Contains(out.String(), "不在惠企助手能回答的范围") {
		t.Errorf("the up arrow reached the engine as text:\n%s", out.String())
	}
	wait("> ", 3)
	long := strings.Repeat("长", 3000)
	type_(long + "\r")
	wait("内容太长了（3000字）", 1)
	wait("> ", 4)
	type_("\x04") // Ctrl-D on an empty line ends the chat
	if err := cmd.Wait(); err != nil {
		t.Fatalf("huiqi chat: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "再见") {
		t.Errorf("the chat did not say goodbye:\n%s", out.String())
	}
}
