package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// screenshotDir is where the browser test keeps its screenshots to look
// at: $HUIQI_SCREENSHOTS, else huiqi-screenshots in the temporary
// directory. They are test artefacts, never committed.
func screenshotDir(t testing.TB) string {
	dir := os.Getenv("HUIQI_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "huiqi-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// viewports are the screens the layout must hold on: a phone, an office
// screen, a wide screen.
var viewports = []struct{ w, h int }{{390, 844}, {1280, 800}, {1920, 1080}}

// layoutProblems is run in the page: what would show that the layout broke
// at this width — the page scrolling sideways, or a label that must stay
// on one line (buttons, ids, status badges, table headers, navigation)
// wrapping onto two.
const layoutProblems = `(() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push("page is " + document.documentElement.scrollWidth + "px wide in a " + window.innerWidth + "px window");
  const sel = "button, a.button, .st, td.id a, table.list th, .top nav a, .ref, .brand, .search button";
  for (const e of document.querySelectorAll(sel)) {
    if (e.offsetParent === null) continue;
    const cs = getComputedStyle(e);
    let lines;
    if (cs.display === "inline") {
      lines = e.getClientRects().length;
    } else {
      const lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
      const h = e.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
      lines = Math.round(h / lh);
    }
    if (lines > 1) out.push((e.textContent || "").trim().slice(0, 20) + " wraps onto " + lines + " lines");
  }
  return out;
})()`

// browserEnv is one Chromium over one test server.
type browserEnv struct {
	t     *testing.T
	te    *testEnv
	url   string
	ctx   context.Context
	posts map[string]*atomic.Int64 // POSTs the server received, by path
	slow  time.Duration            // how long each of those takes
}

func newBrowserEnv(t *testing.T) *browserEnv {
	exe := chromePath(t)
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("knowledge.Builtin() = %v", err)
	}
	te := newTestEnv(t, func(c *Config) { c.Knowledge = kb })
	be := &browserEnv{t: t, te: te, posts: map[string]*atomic.Int64{"/console/new": {}}}
	h := te.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := be.posts[r.URL.Path]; c != nil && r.Method == http.MethodPost {
			c.Add(1)
			// A slow server, as when people click twice: the second click
			// lands while the first request is still out.
			time.Sleep(be.slow)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	be.url = ts.URL

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
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	be.ctx = bctx
	return be
}

func (b *browserEnv) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

func (b *browserEnv) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(u, b.url)
}

func (b *browserEnv) signIn(name string) {
	b.t.Helper()
	b.do("sign in as "+name,
		chromedp.Navigate(b.url+"/console/login"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS("header.top nav")),
	)
}

func (b *browserEnv) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(".who button.link")), chromedp.WaitVisible(chromedp.ID("signin")))
}

// TestBrowserConsole drives the console in headless Chromium: the hotline
// looks up a measure and an out-of-scope question, files for a caller with
// a double click and refreshes the result, unit staff land on their queue
// and move a ticket, and the chat widget answers.
func TestBrowserConsole(t *testing.T) {
	b := newBrowserEnv(t)
	b.do("viewport", chromedp.EmulateViewport(1280, 800))
	b.signIn("hl")
	if got := b.location(); got != "/console/lookup" {
		t.Errorf("the hotline lands on %s, want /console/lookup", got)
	}

	// Live search: the results arrive as the hotline types.
	b.do("search",
		chromedp.SendKeys(chromedp.ID("q"), "招工难 稳岗"),
		chromedp.WaitVisible(chromedp.CSS("#results article.measure")),
		chromedp.Click(chromedp.CSS("#results details.script summary")),
	)
	if found := b.text("#results"); !strings.Contains(found, "区人社局") || !strings.Contains(found, "您好，您问的是二十条第7条") {
		t.Errorf("search results = %q, want 区人社局's measure and its 话术", found)
	}
	// Out of scope: the referral and 登记工单 first, the cards folded.
	b.do("out-of-scope search",
		chromedp.Navigate(b.url+"/console/lookup?q="+"%E5%B7%A5%E4%BC%A4%E6%80%8E%E4%B9%88%E8%B5%94"), // 工伤怎么赔
		chromedp.WaitVisible(chromedp.ID("file-it")),
	)
	cardsShown, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("#results article")].some(a => a.checkVisibility())`))
	if err != nil {
		t.Fatal(err)
	}
	if cardsShown {
		t.Error("the out-of-scope lookup shows measure cards unfolded")
	}

	// Filing for a caller: a double click files one ticket; a refresh of
	// the result files nothing.
	before := b.te.be.count()
	b.do("file with a double click",
		chromedp.Click(chromedp.ID("file-it")),
		chromedp.WaitVisible(chromedp.ID("text")),
		chromedp.SendKeys(chromedp.ID("enterprise"), "阳泉测试机械有限公司"),
		chromedp.SendKeys(chromedp.ID("contact"), "13800000000"),
		chromedp.SendKeys(chromedp.ID("location"), "义井镇"),
	)
	b.slow = 400 * time.Millisecond
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => {
		const f = document.getElementById("file");
		f.click();
		setTimeout(() => f.click(), 150);
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	b.do("the ticket page", chromedp.WaitVisible(chromedp.ID("status")))
	b.slow = 0
	posts := b.posts["/console/new"].Load()
	if posts != 2 {
		t.Errorf("the double click sent %d POSTs, want 2 (else this test proves nothing)", posts)
	}
	ticketURL := b.location()
	flash := b.text("p.flash")
	b.do("refresh the filed ticket", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("status")))
	facts := b.text("dl.facts")
	if n := b.te.be.count() - before; n != 1 {
		t.Errorf("%d tickets after a double click (%d POSTs reached the server) and a refresh, want 1", n, posts)
	}
	if !strings.HasPrefix(ticketURL, "/console/tickets/CQ-") || strings.Contains(ticketURL, "SECRET") {
		t.Errorf("after filing the browser is at %s, want the ticket's page without its secret", ticketURL)
	}
	if !strings.Contains(flash, "查询码 SECRET") {
		t.Errorf("flash after filing = %q, want the secret to tell the caller", flash)
	}
	if !strings.Contains(facts, "义井镇") || !strings.Contains(facts, "工伤怎么赔") {
		t.Errorf("ticket facts = %q, want everything entered", facts)
	}
	b.signOut()

	// Unit staff land on their queue and move their ticket.
	ticket := "CQ-20261120-0001"
	b.signIn("rs")
	if got := b.location(); got != "/console/tickets" {
		t.Errorf("unit staff land on %s, want /console/tickets", got)
	}
	b.do("open and move the ticket",
		chromedp.Click(chromedp.CSS(`a[href="/console/tickets/`+ticket+`"]`)),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.SendKeys(chromedp.ID("told"), "已收到，今天联系企业"),
		chromedp.Click(chromedp.CSS(`button[value="已签收"]`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if status := b.text("#status"); status != "已签收" {
		t.Errorf("status after the move = %q, want 已签收", status)
	}
	if history := b.text("ol.history"); !strings.Contains(history, "已收到，今天联系企业") {
		t.Errorf("history = %q, want the note", history)
	}
	if tk, _ := b.te.be.Get(context.Background(), ticket); tk.Status != "已签收" {
		t.Errorf("stored status = %q, want 已签收", tk.Status)
	}

	b.do("chat widget",
		chromedp.Navigate(b.url+"/chat"),
		chromedp.WaitVisible(chromedp.ID("msg")),
		chromedp.SendKeys(chromedp.ID("msg"), "你好"),
		chromedp.Click(chromedp.CSS("#say button")),
		chromedp.WaitVisible(chromedp.CSS("#log .bot .choices button")),
	)
	if got := b.text("#log"); !strings.Contains(got, "您好，你好") {
		t.Errorf("chat log = %q, want the engine's reply", got)
	}
}

// TestBrowserLayout opens every page at a phone's, an office screen's and
// a wide screen's size, checks that nothing scrolls sideways and no label
// wraps, and keeps a screenshot of each in the directory it logs.
func TestBrowserLayout(t *testing.T) {
	b := newBrowserEnv(t)
	dir := screenshotDir(t)
	t.Logf("screenshots in %s", dir)
	chat := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.ID("msg"), "你好"),
		chromedp.Click(chromedp.CSS("#say button")),
		chromedp.WaitVisible(chromedp.CSS("#log .bot .choices button")),
	}
	pages := []struct {
		name, path, wait string
		then             []chromedp.Action[chromedp.Void]
	}{
		{"login", "/console/login", "#signin", nil},
		{"lookup", "/console/lookup?q=" + "%E5%B0%8F%E5%8D%87%E8%A7%84", "#results article.measure", nil},                // 小升规
		{"lookup-out-of-scope", "/console/lookup?q=" + "%E5%B7%A5%E4%BC%A4%E6%80%8E%E4%B9%88%E8%B5%94", "#file-it", nil}, // 工伤怎么赔
		{"queue", "/console/tickets", "table.list", nil},
		{"ticket", "/console/tickets/CQ-20261120-0002", "#status", nil},
		{"new", "/console/new", "#file", nil},
		{"unanswered", "/console/unanswered", "main", nil},
		{"dashboard", "/console/dashboard", "svg.chart", nil},
		{"chat", "/chat", "#msg", chat},
	}
	b.te.do(t, "POST", "/api/ask", jsonCT, `{"question":"用工荒怎么办才好呢，有没有什么办法"}`, nil)
	signedIn := false
	for _, vp := range viewports {
		b.do("viewport", chromedp.EmulateViewport(int64(vp.w), int64(vp.h)))
		for _, p := range pages {
			b.do(p.name, chromedp.Navigate(b.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			b.do(p.name, p.then...)
			problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](layoutProblems))
			if err != nil {
				t.Fatalf("layout of %s: %v", p.name, err)
			}
			for _, pr := range problems {
				t.Errorf("%s at %d×%d: %s", p.name, vp.w, vp.h, pr)
			}
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100 is a PNG
			if err != nil {
				t.Fatalf("screenshot %s: %v", p.name, err)
			}
			if len(png) < 1000 || !bytes.HasPrefix(png, pngMagic) {
				t.Errorf("%s: %d bytes, want a PNG", p.name, len(png))
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%dx%d-%s.png", vp.w, vp.h, p.name)), png, 0o644); err != nil {
				t.Fatal(err)
			}
			if !signedIn { // the sign-in page comes first
				b.signIn("hl")
				signedIn = true
			}
		}
	}
}
