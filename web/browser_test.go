package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"huiqi/knowledge"
)

// chromePath is Debian's chromium, or $CHROME_PATH.
func chromePath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("CHROME_PATH")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		// A real-browser test that silently skips proves nothing: fail.
		t.Fatalf("chromium not found at %s (apt-get install chromium, or set CHROME_PATH): %v", p, err)
	}
	return p
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// TestBrowserConsole drives the console in headless Chromium: sign in,
// search, open a ticket, move it, and take screenshots at 1366×768.
func TestBrowserConsole(t *testing.T) {
	exe := chromePath(t)
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("knowledge.Builtin() = %v", err)
	}
	te := newTestEnv(t, func(c *Config) { c.Knowledge = kb })
	ts := httptest.NewServer(te.srv.Handler())
	defer ts.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	dir := t.TempDir()
	if d := os.Getenv("HUIQI_SCREENSHOTS"); d != "" {
		dir = d // keep them to look at
	}
	ticket := "CQ-20261120-0001"
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return s
	}
	// Quality 100 gives a PNG; anything lower a JPEG.
	shot := func() []byte {
		t.Helper()
		b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("browser: screenshot: %v", err)
		}
		return b
	}

	step("sign in",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(ts.URL+"/console/tickets"),
		// Redirected to sign-in, then back to the queue.
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "rs"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
	)
	queuePNG := shot()
	// Live search: the results arrive as the hotline types.
	step("search",
		chromedp.Navigate(ts.URL+"/console/lookup"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "招工难 稳岗"),
		chromedp.WaitVisible(chromedp.CSS("#results article.measure")),
		chromedp.Click(chromedp.CSS("#results details.script summary")),
	)
	found := text("#results")
	lookupPNG := shot()

	step("open and move the ticket",
		chromedp.Navigate(ts.URL+"/console/tickets"),
		chromedp.Click(chromedp.CSS(`a[href="/console/tickets/`+ticket+`"]`)),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.SendKeys(chromedp.ID("note"), "已收到，今天联系企业"),
		chromedp.Click(chromedp.CSS(`button[value="已签收"]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	status := text("#status")
	history := text("ol.history")
	ticketPNG := shot()

	step("chat widget",
		chromedp.Navigate(ts.URL+"/chat"),
		chromedp.WaitVisible(chromedp.ID("msg")),
		chromedp.SendKeys(chromedp.ID("msg"), "你好"),
		chromedp.Click(chromedp.CSS("#say button")),
		chromedp.WaitVisible(chromedp.CSS("#log .bot .choices button")),
	)
	if got := text("#log"); !strings.Contains(got, "您好，你好") {
		t.Errorf("chat log = %q, want the engine's reply", got)
	}
	chatPNG := shot()

	step("dashboard",
		chromedp.Navigate(ts.URL+"/console/dashboard"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
	)
	dashPNG := shot()

	if !strings.Contains(found, "区人社局") {
		t.Errorf("search results = %q, want 区人社局's measure", found)
	}
	if status != "已签收" {
		t.Errorf("status after the move = %q, want 已签收", status)
	}
	if !strings.Contains(history, "已收到，今天联系企业") {
		t.Errorf("history = %q, want the note", history)
	}
	if tk, _ := te.be.Get(context.Background(), ticket); tk.Status != "已签收" {
		t.Errorf("stored status = %q, want 已签收", tk.Status)
	}
	for name, png := range map[string][]byte{"lookup.png": lookupPNG, "ticket.png": ticketPNG, "dashboard.png": dashPNG, "queue.png": queuePNG, "chat.png": chatPNG} {
		if len(png) < 1000 || !bytes.HasPrefix(png, pngMagic) {
			t.Errorf("%s: %d bytes, want a non-empty PNG", name, len(png))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
