package bot_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"huiqi/internal/testbin"
	"huiqi/sqlite"
)

// dialogScript starts the award dialog and answers its first questions; each
// line moves the dialog one question on (see TestChatBinary).
var dialogScript = []string{"算奖励", "1", "35%", "12%", "1", "1"}

var questionRE = regexp.MustCompile(`第\d+题：[^\n]*`)

// liveChat is a running `huiqi chat` whose input the test writes line by line.
type liveChat struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *testbin.SyncBuffer
}

func startChat(t *testing.T, bin, dbPath, user string) *liveChat {
	t.Helper()
	cmd := exec.Command(bin, "chat", "--user", user)
	cmd.Env = append(os.Environ(), "HUIQI_NOW=2026-11-27T10:00:00+08:00", "HUIQI_DB="+dbPath)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &liveChat{cmd: cmd, in: in, out: &testbin.SyncBuffer{}}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c
}

// prompts counts the "> " prompts printed: the terminal prints one after
// the engine has stored the turn and its reply has been written, so n
// prompts mean n-1 lines acknowledged.
func (c *liveChat) prompts() int { return strings.Count(c.out.String(), "\n> ") }

// waitPrompts reports false (and an error) if prompt n does not come; it is
// called from goroutines, so it must not call t.Fatal.
func (c *liveChat) waitPrompts(t *testing.T, n int) bool {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for c.prompts() < n {
		if time.Now().After(deadline) {
			t.Errorf("waiting for prompt %d; output so far:\n%s", n, c.out.String())
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

func (c *liveChat) send(t *testing.T, line string) bool {
	t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		t.Errorf("write %q: %v", line, err)
		return false
	}
	return true
}

func lastQuestion(out string) string {
	qs := questionRE.FindAllString(out, -1)
	if len(qs) == 0 {
		return ""
	}
	return qs[len(qs)-1]
}

// TestChatSurvivesSIGKILL runs several `huiqi chat` processes (one user
// each) on one database, kills them with SIGKILL in the middle of the award
// dialog and starts them again.
//
// "Acknowledged" means the reply to a line was printed and the next prompt
// shown. A process killed after its k-th line was acknowledged must resume
// at exactly the question it showed last. A process killed after writing a
// line but before its reply (mid-turn) may resume at that same question or
// at the next one (the turn was stored or it was not), never anywhere else
// and never with a half-stored state. The database passes integrity_check.
func TestChatSurvivesSIGKILL(t *testing.T) {
	bin := testbin.Build(t, t.TempDir())
	dir := t.TempDir()

	// The questions the script shows, in order, from an uninterrupted run.
	ref := chatProcess(t, bin, filepath.Join(dir, "ref.db"), strings.Join(dialogScript, "\n")+"\n")
	seq := questionRE.FindAllString(ref, -1)
	if len(seq) < len(dialogScript) {
		t.Fatalf("reference run shows %d questions, want %d:\n%s", len(seq), len(dialogScript), ref)
	}

	db := filepath.Join(dir, "huiqi.db")
	cases := []struct {
		user     string
		acked    int  // lines of dialogScript acknowledged before the kill
		midTurn  bool // write the next line, then kill without waiting
		killWait time.Duration
	}{
		{"u0", 1, false, 0},
		{"u1", 1, true, 0},
		{"u2", 3, false, 0},
		{"u3", 3, true, time.Millisecond},
		{"u4", 5, false, 0},
		{"u5", 4, true, 3 * time.Millisecond},
	}
	type outcome struct {
		allowed []string
		shown   string
	}
	results := make([]outcome, len(cases))
	chats := make([]*liveChat, len(cases))
	for i, c := range cases {
		chats[i] = startChat(t, bin, db, c.user)
	}
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := chats[i]
			if !ch.waitPrompts(t, 1) {
				return
			}
			for j := 0; j < c.acked; j++ {
				if !ch.send(t, dialogScript[j]) || !ch.waitPrompts(t, j+2) {
					return
				}
			}
			shown := lastQuestion(ch.out.String())
			allowed := []string{seq[c.acked-1]}
			if c.midTurn {
				if !ch.send(t, dialogScript[c.acked]) {
					return
				}
				time.Sleep(c.killWait)
				allowed = append(allowed, seq[c.acked])
			}
			ch.cmd.Process.Signal(syscall.SIGKILL)
			ch.cmd.Wait()
			results[i] = outcome{allowed: allowed, shown: shown}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	for i, c := range cases {
		if results[i].shown != seq[c.acked-1] {
			t.Errorf("%s: last question shown before the kill = %q, want %q", c.user, results[i].shown, seq[c.acked-1])
		}
		out := chatProcessArgs(t, bin, db, "", "--user", c.user)
		if !strings.Contains(out, "欢迎回来") {
			t.Errorf("%s: restart does not resume the dialog:\n%s", c.user, out)
			continue
		}
		got := questionRE.FindString(out[strings.Index(out, "欢迎回来"):])
		ok := false
		for _, a := range results[i].allowed {
			ok = ok || got == a
		}
		if !ok {
			t.Errorf("%s (acked %d, mid-turn %v): resumed at %q, want one of %q", c.user, c.acked, c.midTurn, got, results[i].allowed)
		}
	}

	// The resumed dialogs go on: answering moves to the next question.
	out := chatProcessArgs(t, bin, db, dialogScript[3]+"\n", "--user", "u2")
	if !strings.Contains(out, seq[3]) {
		t.Errorf("u2 after restart: answering %q does not reach %q:\n%s", dialogScript[3], seq[3], out)
	}

	ctx := context.Background()
	sdb, err := sqlite.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := sdb.IntegrityCheck(ctx); err != nil {
		t.Errorf("after SIGKILL: %v", err)
	}
}

// chatProcessArgs is chatProcess with extra arguments to `huiqi chat`.
func chatProcessArgs(t *testing.T, bin, dbPath, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"chat"}, args...)...)
	cmd.Env = append(os.Environ(), "HUIQI_NOW=2026-11-27T10:00:00+08:00", "HUIQI_DB="+dbPath)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("huiqi chat %q: %v\n%s", args, err, out)
	}
	return string(out)
}
