package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/sqlite"
)

// secretLogBuffer is a log sink safe for the engine's goroutines.
type secretLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *secretLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *secretLogBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestSecretNeverLogged files a ticket through the engine and the intake
// with every log at debug level captured, looks it up by its secret from
// another conversation (right and wrong), and checks the secret code never
// reaches the log.
func TestSecretNeverLogged(t *testing.T) {
	var logs secretLogBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "huiqi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := func() time.Time { return fixedNow }
	e, st := engineOn(t, db, now, log, intake.Config{}, bot.Deps{})
	say := func(user, text string) string {
		t.Helper()
		rs, err := e.Handle(ctx, bot.Key{Channel: "web", User: user}, bot.Input{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(replyStrings(rs), "\n")
	}
	say("owner", "反映问题")
	say("owner", "货车拉煤白天被限行，罚款太多")
	say("owner", "阳泉测试机械有限公司")
	say("owner", "13800000000")
	got := say("owner", "确认提交")
	id := regexp.MustCompile(`CQ-\d{8}-\d{4,}`).FindString(got)
	m := regexp.MustCompile(`查询码[：:\s]*([A-Za-z0-9]+)`).FindStringSubmatch(got)
	if id == "" || m == nil {
		t.Fatalf("no ticket id or secret in the filing reply %q", got)
	}
	secret := m[1]
	if got := say("stranger", "查进度 "+id+" "+secret); !strings.Contains(got, id) {
		t.Fatalf("lookup by secret = %q, want the ticket", got)
	}
	say("stranger2", "查进度 "+id+" "+secret+"X")
	// The store's own lookup, as the web API calls it.
	if _, err := st.GetForReporter(ctx, id, "", secret); err != nil {
		t.Logf("GetForReporter: %v", err)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the secret %q appears in the log:\n%s", secret, logs.String())
	}
}
