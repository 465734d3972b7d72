package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/knowledge"
)

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, te *testEnv) *browser {
	ts := httptest.NewServer(te.srv.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, base: ts.URL, c: c}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in %s", body)
	}
	return m[1]
}

// signIn signs in through the console's form and returns the session's CSRF token.
func (b *browser) signIn(name string) string {
	b.t.Helper()
	_, body := b.get("/console/login")
	resp, _ := b.post("/console/login", url.Values{"csrf": {csrfOf(b.t, body)}, "name": {name}, "password": {testPassword}, "next": {"/console/tickets"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/tickets" {
		b.t.Fatalf("sign in = %d to %q, want 303 to /console/tickets", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/console/lookup")
	return csrfOf(b.t, body)
}

func TestConsoleSignIn(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	resp, _ := b.get("/console/tickets")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/login?next=") {
		t.Fatalf("signed-out console = %d to %q, want a redirect to sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := b.get("/console/login")
	tok := csrfOf(t, body)
	// No CSRF token, a wrong one: refused.
	for _, c := range []string{"", "forged"} {
		resp, body = b.post("/console/login", url.Values{"csrf": {c}, "name": {"hl"}, "password": {testPassword}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Errorf("sign-in with csrf %q = %d, want 403", c, resp.StatusCode)
		}
	}
	resp, body = b.post("/console/login", url.Values{"csrf": {tok}, "name": {"hl"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "账号或密码不正确") {
		t.Errorf("wrong password = %d, want 401 with a message", resp.StatusCode)
	}
	tok = csrfOf(t, body)
	resp, _ = b.post("/console/login", url.Values{"csrf": {tok}, "name": {"hl"}, "password": {testPassword}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/lookup" {
		t.Errorf("sign-in with an outside next = %d to %q, want /console/lookup", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure on plain HTTP", sc)
	}
	if n, err := te.acc.db.QueryContext(t.Context(), `SELECT 1 FROM web_sessions WHERE token_hash = ?`, sc.Value); err == nil {
		if n.Next() {
			t.Error("the raw session token is stored; want only its hash")
		}
		n.Close()
	}
}

func TestConsoleSecureCookie(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.SecureCookies = true })
	w := te.do(t, "GET", "/console/login", "", "", nil)
	for _, c := range w.Result().Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s not Secure with --secure-cookies", c.Name)
		}
	}
}

func TestConsolePages(t *testing.T) {
	te := newTestEnv(t, nil)
	te.do(t, "POST", "/api/ask", jsonCT, `{"question":"用工荒怎么办"}`, nil)
	b := newBrowser(t, te)
	b.signIn("hl")
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/console/", 303, nil},
		{"/console/lookup", 200, []string{`id="q"`, "政策查询"}},
		{"/console/lookup?q=稳岗", 200, []string{"二十条第7条", "着力做好稳岗用工工作", "1000元", "区人社局", "已过期", "话术", "您好，您问的是二十条第7条，着力做好稳岗用工工作。"}},
		// A unit's own measures carry knowledge's validity too.
		{"/console/lookup?q=rsj", 200, []string{"责任单位：<strong>区人社局</strong>", "着力做好稳岗用工工作", "有效期至2024年2月12日，已过期", "依据 城政办发〔2023〕5号"}},
		{"/console/lookup?q=天气", 200, []string{"不在惠企措施范围内", `id="file-it"`, "/console/new?text=%e5%a4%a9%e6%b0%94"}},
		{"/console/lookup?q=稳岗&partial=1", 200, []string{"二十条第7条"}},
		{"/console/tickets", 200, []string{"CQ-20261118-0003", "CQ-20261120-0002", "超期 1 件"}},
		{"/console/tickets?unit=区工信局", 200, []string{"CQ-20261120-0002"}},
		{"/console/tickets/CQ-20261120-0001", 200, []string{"阳泉某机械有限公司", "张经理", "所在镇街</dt><dd>义井镇", "二十条第7条</span> 着力做好稳岗用工工作", "办理记录", "当前没有您可以办理的下一步"}},
		{"/console/tickets/CQ-20990101-0001", 404, []string{"没有找到"}},
		{"/console/new", 200, []string{"代企业登记工单"}},
		{"/console/unanswered", 200, []string{"用工荒怎么办", "一键挂到措施"}},
		{"/console/dashboard", 200, []string{"<svg", "区人社局", "超期工单", "未能回答", "待审的未答问题"}},
		{"/console/nothing", 404, nil},
		{"/console/find?id=cq-20261120-0001", 303, nil},
	}
	for _, tt := range tests {
		resp, body := b.get(tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in the page", tt.path, w)
			}
		}
	}
	if resp, _ := b.get("/console/find?id=+cq-20261120-0001+"); resp.Header.Get("Location") != "/console/tickets/CQ-20261120-0001" {
		t.Errorf("find = %q, want the ticket's page", resp.Header.Get("Location"))
	}
	// Overdue tickets come first in the queue.
	_, body := b.get("/console/tickets")
	if i, j := strings.Index(body, "CQ-20261118-0003"), strings.Index(body, "CQ-20261120-0001"); i < 0 || j < 0 || i > j {
		t.Errorf("queue order: overdue ticket at %d, other at %d; want overdue first", i, j)
	}
	// The partial is only the results.
	_, body = b.get("/console/lookup?q=稳岗&partial=1")
	if strings.Contains(body, "<html") {
		t.Error("partial lookup renders the whole page")
	}
}

func TestConsoleUnitStaff(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("rs")
	resp, body := b.get("/console/tickets")
	if resp.StatusCode != 200 || !strings.Contains(body, "CQ-20261120-0001") || strings.Contains(body, "CQ-20261120-0002") {
		t.Errorf("unit queue = %d, want only 区人社局's tickets", resp.StatusCode)
	}
	resp, body = b.get("/console/tickets/CQ-20261120-0002")
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "城区某新材料公司") {
		t.Errorf("other unit's ticket page = %d, want 404 without the enterprise", resp.StatusCode)
	}
	if resp, _ := b.get("/console/tickets?unit=区工信局"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("other unit's queue = %d, want 403", resp.StatusCode)
	}
	for _, p := range []string{"/console/new", "/console/unanswered"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as unit staff = %d, want 403", p, resp.StatusCode)
		}
	}
	resp, _ = b.post("/console/tickets/CQ-20261120-0002/move", url.Values{"csrf": {csrf}, "to": {"已签收"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("moving another unit's ticket = %d, want 404", resp.StatusCode)
	}
	// Own ticket: only the unit's moves are offered.
	_, body = b.get("/console/tickets/CQ-20261120-0001")
	if !strings.Contains(body, `value="已签收"`) || !strings.Contains(body, `value="退单"`) {
		t.Errorf("unit's ticket page lacks its moves")
	}
}

func TestConsoleMoveNeedsCSRF(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("rs")
	for _, c := range []string{"", "forged"} {
		resp, body := b.post("/console/tickets/CQ-20261120-0001/move", url.Values{"csrf": {c}, "to": {"已签收"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Errorf("move with csrf %q = %d, want 403", c, resp.StatusCode)
		}
	}
	if tk, _ := te.be.Get(t.Context(), "CQ-20261120-0001"); tk.Status != "已派单" {
		t.Fatalf("status after refused moves = %s, want 已派单", tk.Status)
	}
	resp, _ := b.post("/console/tickets/CQ-20261120-0001/move", url.Values{"csrf": {csrf}, "to": {"已签收"}, "internal": {"收到，马上办"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move = %d, want 303", resp.StatusCode)
	}
	_, body := b.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "已更新为“已签收”") || !strings.Contains(body, "收到，马上办") || !strings.Contains(body, "rs（区人社局）") {
		t.Errorf("ticket page after the move lacks the new status, note or who")
	}
	resp, _ = b.post("/console/tickets/CQ-20261120-0001/move", url.Values{"csrf": {csrf}, "to": {"已回访"}})
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusForbidden {
		t.Errorf("a move the workflow refuses = %d, want 400 or 403", resp.StatusCode)
	}
	// Logging out needs the token too, and ends the session.
	if resp, _ := b.post("/console/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without csrf = %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.post("/console/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d, want 303", resp.StatusCode)
	}
	if resp, _ := b.get("/console/tickets"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout = %d, want a redirect to sign-in", resp.StatusCode)
	}
	if resp, _ := b.post("/console/tickets/CQ-20261120-0001/move", url.Values{"csrf": {csrf}, "to": {"办理中"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST after logout = %d, want 401", resp.StatusCode)
	}
}

func TestConsoleFileAndAttach(t *testing.T) {
	te := newTestEnv(t, nil)
	te.do(t, "POST", "/api/ask", jsonCT, `{"question":"用工荒怎么办"}`, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("hl")
	resp, body := b.post("/console/new", url.Values{"csrf": {csrf}, "text": {""}, "enterprise": {"来电企业"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请填写问题描述") || !strings.Contains(body, "来电企业") {
		t.Errorf("filing without text = %d, want 400 with the form kept", resp.StatusCode)
	}
	resp, _ = b.post("/console/new", url.Values{"csrf": {csrf}, "text": {"招工难，来电咨询"}, "enterprise": {"来电企业"}, "contact": {"赵先生"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/tickets/CQ-20261127-0001?filed=1" {
		t.Fatalf("filing = %d to %q, want 303 to the ticket", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body = b.get(resp.Header.Get("Location")); !strings.Contains(body, "查询码 SECRET0001") || !strings.Contains(body, "来电企业") {
		t.Errorf("the ticket page after filing does not show the secret: %s", body)
	}
	if tk, err := te.be.Get(t.Context(), "CQ-20261127-0001"); err != nil || tk.Channel != intake.ChannelHotline {
		t.Errorf("filed ticket channel = %q, %v, want %s", tk.Channel, err, intake.ChannelHotline)
	}
	resp, _ = b.post("/console/unanswered/"+questionID("用工荒怎么办")+"/attach", url.Values{"csrf": {csrf}, "measure": {"ind-07"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("attach = %d, want 303", resp.StatusCode)
	}
	_, body = b.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "已把问题挂到措施 ind-07") || strings.Contains(body, "<td class=\"q\">用工荒怎么办") {
		t.Errorf("review page after attaching still lists the question or lacks the notice")
	}
	_, body = b.get("/console/tickets/CQ-20261120-0002")
	if !strings.Contains(body, `name="lead_unit"`) {
		t.Error("hotline's ticket page lacks the re-route form")
	}
	resp, _ = b.post("/console/tickets/CQ-20261120-0002/reroute", url.Values{"csrf": {csrf}, "lead_unit": {"区人社局"}, "note": {"转人社"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-route = %d, want 303", resp.StatusCode)
	}
	if resp, _ := b.post("/console/tickets/CQ-20261120-0002/reroute", url.Values{"lead_unit": {"区工信局"}, "note": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("re-route without csrf = %d, want 403", resp.StatusCode)
	}
	if tk, _ := te.be.Get(t.Context(), "CQ-20261120-0002"); tk.LeadUnit != "区人社局" {
		t.Errorf("lead after re-route = %q, want 区人社局", tk.LeadUnit)
	}
	if resp, _ := b.post("/console/unanswered/"+questionID("用工荒怎么办")+"/attach", url.Values{"measure": {"ind-07"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("attach without csrf = %d, want 403", resp.StatusCode)
	}
}

func TestConsoleFormTooLarge(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("hl")
	resp, _ := b.post("/console/new", url.Values{"csrf": {csrf}, "text": {strings.Repeat("长", 40000)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form = %d, want 413", resp.StatusCode)
	}
}

func TestConsoleMethodNotAllowed(t *testing.T) {
	te := newTestEnv(t, nil)
	for _, c := range []struct{ method, path, allow string }{
		{"POST", "/console/lookup", "GET, HEAD"},
		{"DELETE", "/console/tickets/CQ-20261120-0001", "GET, HEAD"},
		{"GET", "/console/tickets/CQ-20261120-0001/move", "POST"},
		{"PUT", "/console/login", "GET, HEAD, POST"},
	} {
		w := te.do(t, c.method, c.path, "", "", nil)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s = %d Allow %q, want 405 Allow %q", c.method, c.path, w.Code, w.Header().Get("Allow"), c.allow)
		}
	}
}

func TestLooksLikeUnit(t *testing.T) {
	tests := []struct {
		q, unit string
		want    bool
	}{
		{"rsj", "区人社局", true},
		{"人社局", "区人社局", true},
		{"区审批局", "区行政审批局", true},
		{"义井镇", "义井镇人民政府", true},
		{"区人社局", "区人社局", true},
		{"贴息", "区工信局", false},
		{"招工难", "区人社局", false},
		{"rsj补贴", "区人社局", false},
	}
	for _, tt := range tests {
		if got := looksLikeUnit(tt.q, tt.unit); got != tt.want {
			t.Errorf("looksLikeUnit(%q, %q) = %v, want %v", tt.q, tt.unit, got, tt.want)
		}
	}
}

func TestScript(t *testing.T) {
	until := time.Date(2024, 2, 12, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   spoken
		want []string
	}{
		{"amounts with their conditions, district first", spoken{Ref: "二十条第3条", Title: "支持中小微企业发展", Snippet: "在省市分别给予30万元…区级分别配套奖励2万元…",
			Amounts: []knowledge.Amount{
				{Text: "30万元", Condition: "2020年以来首次认定的省级“专精特新”企业（省市奖励）", Level: "province"},
				{Text: "2万元", Condition: "2020年以来首次认定的省级“专精特新”企业，区级配套奖励", Level: "district"},
				{Text: "1万元", Condition: "营业收入首次突破3000万元", Level: "district"}},
			Units: []string{"区中小企业发展中心", "区财政局"}, V: knowledge.Validity{Status: knowledge.NoTerm}},
			[]string{"您好，您问的是二十条第3条，支持中小微企业发展。2020年以来首次认定的省级“专精特新”企业，区级配套奖励2万元。营业收入首次突破3000万元，区级1万元。2020年以来",
				"（省市奖励），省级30万元。", "能不能享受、具体金额", "这项由区中小企业发展中心牵头，区财政局配合。", "文件没有写明有效期，现在是否仍在执行，请向区中小企业发展中心确认。",
				"以区中小企业发展中心审核为准"}},
		{"a condition quoting its figure is read as it stands", spoken{Title: "t", Amounts: []knowledge.Amount{
			{Text: "最高5万元", Condition: "按采购额的1%奖励，最高不超过5万元", Level: "district"}}},
			[]string{"按采购额的1%奖励，最高不超过5万元。能不能享受"}},
		{"the amounts the caller asked about first", spoken{Query: "小升规给多少", Title: "t", Amounts: []knowledge.Amount{
			{Text: "2万元", Condition: "规上工业企业每月产值均正增长", Level: "district"},
			{Text: "2万元", Condition: "“小升规”重点培育企业当年度实现“小升规”", Level: "district"}}},
			[]string{"t。“小升规”重点培育企业当年度实现“小升规”，区级2万元。规上"}},
		{"more amounts than are read out", spoken{Title: "t", Amounts: []knowledge.Amount{{Text: "1万元", Level: "district"}, {Text: "2万元", Level: "district"},
			{Text: "3万元", Level: "district"}, {Text: "4万元", Level: "district"}, {Text: "5万元", Level: "district"}}},
			[]string{"区级3万元。另外还有两项标准"}},
		{"no amounts: the clause, cut at its last whole sentence", spoken{Title: "缓解小微企业资金周转压力", Units: []string{"区政府办公室", "区财政局", "区中小企业发展中心", "区人社局"},
			Snippet: "还本付息日期原则上最长可延至2023年6月30日,延期贷款正常计息;免收罚息,相关征信记录按照…",
			V:       knowledge.Validity{Status: knowledge.Passed, Windows: []knowledge.WindowState{{Window: knowledge.Window{Until: time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)}, Passed: true}}}},
			[]string{"政策内容是：还本付息日期原则上最长可延至2023年6月30日，延期贷款正常计息。免收罚息。",
				"这项由区政府办公室牵头，区财政局、区中小企业发展中心等三个单位配合。",
				"这条写明的时限到2023年6月30日，已经过了，现在有没有接续政策，请向区政府办公室确认。"}},
		{"a package's term ended", spoken{Title: "设立审批绿色通道", Units: []string{"区行政审批局"}, V: knowledge.Validity{Status: knowledge.Passed, Until: until, Expired: true}},
			[]string{"这项由区行政审批局负责。", "这批措施的有效期到2024年2月12日，已经结束，现在有没有接续政策，请向区行政审批局确认。"}},
		{"in force to a date", spoken{Title: "x", V: knowledge.Validity{Status: knowledge.InForce, Until: until}}, []string{"这批措施的有效期到2024年2月12日。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.script()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("script() = %q\nwant it to contain %q", got, w)
				}
			}
			checkSpoken(t, got)
		})
	}
}

// checkSpoken holds a 话术 to being read aloud: whole sentences, no labels
// or marks a reader would stumble on.
func checkSpoken(t *testing.T, got string) {
	t.Helper()
	for _, bad := range []string{"。。", "…", "时效提示", "请注意：", "：。", ",", ";"} {
		if strings.Contains(got, bad) {
			t.Errorf("script %q contains %q", got, bad)
		}
	}
	if !strings.HasSuffix(got, "。") {
		t.Errorf("script %q does not end a sentence", got)
	}
}

// TestScriptsOfTheNotice reads every measure of the built-in notice as the
// lookup shows it (testdata/scripts.golden, rewritten by go test -update):
// each a script to read aloud, its date warning one sentence.
func TestScriptsOfTheNotice(t *testing.T) {
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t, func(c *Config) { c.Knowledge = kb })
	var out strings.Builder
	for _, m := range kb.Measures() {
		it := te.srv.item(m.ID, "", nil, fixedNow)
		checkSpoken(t, it.Script)
		v := kb.Validity(m, fixedNow)
		lead := "责任单位"
		if len(m.Units) > 0 {
			lead = m.Units[0]
		}
		if ds := dateSentence(v, lead); strings.Count(ds, "。") > 1 || v.Status != knowledge.InForce && ds == "" {
			t.Errorf("%s: the date warning %q is not one sentence", m.ID, ds)
		}
		fmt.Fprintf(&out, "%s\n%s\n\n", m.ID, it.Script)
	}
	golden := filepath.Join("testdata", "scripts.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != out.String() {
		t.Errorf("the scripts differ from %s (run go test -update to accept):\n%s", golden, out.String())
	}
}

// TestLookupOutOfScopeLeadsWithReferral: a question huiqi does not answer
// (工伤怎么赔) shows where to turn and the 登记工单 action first, and the
// loose matches only folded below them.
func TestLookupOutOfScopeLeadsWithReferral(t *testing.T) {
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t, func(c *Config) { c.Knowledge = kb })
	b := newBrowser(t, te)
	b.signIn("hl")
	_, body := b.get("/console/lookup?q=" + url.QueryEscape("工伤怎么赔"))
	refer, action, fold, card := strings.Index(body, `id="refer"`), strings.Index(body, `id="file-it"`),
		strings.Index(body, `<details class="loose">`), strings.Index(body, `<article`)
	if refer < 0 || action < refer || (card >= 0 && (fold < 0 || card < fold)) {
		t.Errorf("out-of-scope lookup: referral at %d, 登记工单 at %d, fold at %d, first card at %d; want the referral and the action first, cards only inside the fold", refer, action, fold, card)
	}
	if !strings.Contains(body, "不在惠企助手能回答的范围内") {
		t.Error("no referral text")
	}
	// Unit staff, who do not file, get the referral without the action.
	u := newBrowser(t, te)
	u.signIn("rs")
	if _, body := u.get("/console/lookup?q=" + url.QueryEscape("工伤怎么赔")); strings.Contains(body, `id="file-it"`) {
		t.Error("unit staff are offered 登记工单, which their role may not do")
	}
}

// TestLookupPlaceholderIsInTheNotice: the search box suggests only words
// the notice has (it once suggested 贷款贴息, which it lacks).
func TestLookupPlaceholderIsInTheNotice(t *testing.T) {
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("..", "knowledge", "source", "chengzhengbanfa-2023-5.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range lookupExamples {
		u := kb.Unit(ex)
		if !strings.Contains(string(src), ex) && !(looksLikeUnit(ex, u.Unit) && u.Unit != "") {
			t.Errorf("the placeholder suggests %q, which is neither in the notice nor a unit's initials", ex)
		}
		if !strings.Contains(lookupPlaceholder(), ex) {
			t.Errorf("the placeholder lacks %q", ex)
		}
	}
	if strings.Contains(string(src), "贴息") {
		t.Log("the notice now mentions 贴息") // the check above still holds each example to it
	}
}

// clocks are the server clocks the date-sensitive paths are tried at: the
// real day, the end of a year whose holidays roll into the next, a date
// inside the 2027 Spring Festival, and a year past the reviewed calendar.
func clocks() map[string]time.Time {
	cst := time.FixedZone("CST", 8*3600)
	return map[string]time.Time{
		"today":      time.Now().In(cst),
		"2026-12-28": time.Date(2026, 12, 28, 10, 0, 0, 0, cst),
		"2027-02-03": time.Date(2027, 2, 3, 10, 0, 0, 0, cst),
		"2029-06-01": time.Date(2029, 6, 1, 10, 0, 0, 0, cst),
	}
}

// TestSessionAtAnyClock signs in with a real cookie jar (which reads the
// real clock) against a server whose clock is fixed far from it: the
// session cookie is sent as Max-Age, so it lives as long as its session on
// the server's clock, whatever the day the test runs.
func TestSessionAtAnyClock(t *testing.T) {
	cases := clocks()
	cases["a year ago"] = time.Now().AddDate(-1, 0, 0)
	for name, at := range cases {
		t.Run(name, func(t *testing.T) {
			te := newTestEnvAt(t, at, nil)
			b := newBrowser(t, te)
			b.signIn("hl")
			resp, _ := b.get("/console/tickets")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("console after sign-in at %s = %d, want 200", name, resp.StatusCode)
			}
			// In use every 20 minutes (within the idle timeout) to the end.
			end := te.now.Add(te.acc.TTL - time.Minute)
			for te.now.Before(end) {
				*te.now = te.now.Add(20 * time.Minute)
				if te.now.After(end) {
					*te.now = end
				}
				if resp, _ := b.get("/console/tickets"); resp.StatusCode != http.StatusOK {
					t.Fatalf("%s before the session ends = %d, want 200", end.Sub(*te.now)+time.Minute, resp.StatusCode)
				}
			}
			*te.now = te.now.Add(2 * time.Minute)
			if resp, _ := b.get("/console/tickets"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("a minute after the session ended = %d, want a redirect to sign in", resp.StatusCode)
			}
		})
	}
}

func TestSessionCookieIsMaxAge(t *testing.T) {
	te := newTestEnvAt(t, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	b := newBrowser(t, te)
	_, body := b.get("/console/login")
	resp, _ := b.post("/console/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {"hl"}, "password": {testPassword}})
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil {
		t.Fatal("no session cookie")
	}
	if want := int(te.acc.TTL / time.Second); sc.MaxAge != want || !sc.Expires.IsZero() {
		t.Errorf("session cookie Max-Age %d, Expires %v; want Max-Age %d and no Expires", sc.MaxAge, sc.Expires, want)
	}
}

// TestConsoleShowsStaffNotice: the operations notice (the calendar needing
// its next year) is on every console page for staff, not on public pages.
func TestConsoleShowsStaffNotice(t *testing.T) {
	const notice = "工作日历只收录到2027年的法定节假日安排"
	te := newTestEnv(t, func(c *Config) {
		c.StaffNotice = func(time.Time) string { return notice }
	})
	b := newBrowser(t, te)
	b.signIn("hl")
	for _, p := range []string{"/console/lookup", "/console/tickets", "/console/dashboard"} {
		if _, body := b.get(p); !strings.Contains(body, notice) {
			t.Errorf("%s does not show the staff notice", p)
		}
	}
	if _, body := b.get("/chat"); strings.Contains(body, notice) {
		t.Error("the public chat page shows the staff notice")
	}
}

// TestEachRoleLandsOnItsWork: signing in without a page to return to, and
// the console's front door, lead unit staff to their queue, the hotline to
// the lookup and admins to the dashboard (roles.json's home).
func TestEachRoleLandsOnItsWork(t *testing.T) {
	te := newTestEnv(t, nil)
	for _, c := range []struct{ name, want string }{
		{"rs", "/console/tickets"}, {"hl", "/console/lookup"}, {"ad", "/console/dashboard"},
	} {
		b := newBrowser(t, te)
		_, body := b.get("/console/login")
		resp, _ := b.post("/console/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {c.name}, "password": {testPassword}})
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != c.want {
			t.Errorf("%s signs in = %d to %q, want 303 to %s", c.name, resp.StatusCode, got, c.want)
		}
		if resp, _ := b.get("/console/"); resp.Header.Get("Location") != c.want {
			t.Errorf("%s at /console/ goes to %q, want %s", c.name, resp.Header.Get("Location"), c.want)
		}
	}
}

// TestLoginCookieClearedOnItsPath: the sign-in form's CSRF cookie lives on
// /console/login, and only a Set-Cookie with that path removes it.
func TestLoginCookieClearedOnItsPath(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	_, body := b.get("/console/login")
	resp, _ := b.post("/console/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {"hl"}, "password": {testPassword}})
	var cleared *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loginCookie {
			cleared = c
		}
	}
	if cleared == nil || cleared.MaxAge >= 0 || cleared.Path != "/console/login" {
		t.Fatalf("after sign-in the login cookie is %+v, want it cleared with Path=/console/login", cleared)
	}
	u, _ := url.Parse(b.base + "/console/login")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == loginCookie {
			t.Errorf("the browser still holds %s after signing in", loginCookie)
		}
	}
}

// TestConsoleFilingIsPostRedirectGet: the filing form answers with a
// redirect to the ticket, a refresh of that page files nothing, and the
// same form sent twice (a double click, a browser's retry) files one
// ticket and leads to it both times; the same form changed is refused once
// and then filed as a ticket of its own.
func TestConsoleFilingIsPostRedirectGet(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("hl")
	_, page := b.get("/console/new")
	m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the filing form has no key: %s", page)
	}
	before := te.be.count()
	form := url.Values{"csrf": {csrf}, "key": {m[1]}, "text": {"招工难，来电咨询"}, "enterprise": {"来电企业"}, "contact": {"赵先生"}, "location": {"义井镇"}}
	first, _ := b.post("/console/new", form)
	second, _ := b.post("/console/new", form)
	if first.StatusCode != http.StatusSeeOther || second.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("the form sent twice = %d to %q, then %d to %q; want both 303 to one ticket",
			first.StatusCode, first.Header.Get("Location"), second.StatusCode, second.Header.Get("Location"))
	}
	for range 2 { // the page and its refresh
		resp, body := b.get(first.Header.Get("Location"))
		if resp.StatusCode != 200 || !strings.Contains(body, "查询码 SECRET") || !strings.Contains(body, "义井镇") {
			t.Errorf("ticket page after filing = %d, want the secret and every field entered", resp.StatusCode)
		}
	}
	if n := te.be.count() - before; n != 1 {
		t.Errorf("%d tickets filed by one form sent twice and refreshed, want 1", n)
	}
	form.Set("text", "招工难，来电咨询（补充：还缺电工）")
	resp, body := b.post("/console/new", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "已经登记过") || strings.Contains(body, `value="`+m[1]+`"`) {
		t.Fatalf("the filed form sent again changed = %d, want 400 with a fresh key", resp.StatusCode)
	}
	form.Set("key", regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(body)[1])
	if resp, _ := b.post("/console/new", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the changed form confirmed = %d, want 303", resp.StatusCode)
	}
	if n := te.be.count() - before; n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
}

// TestConsoleMoveTwiceActsOnce: a move form sent twice (a double click on
// 申请延期 would extend twice) acts once; the second lands on the ticket as
// it is now.
func TestConsoleMoveTwiceActsOnce(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	csrf := b.signIn("rs")
	_, page := b.get("/console/tickets/CQ-20261120-0001")
	seen := regexp.MustCompile(`name="seen" value="(\d+)"`).FindStringSubmatch(page)
	if seen == nil {
		t.Fatalf("the move form does not say what it saw: %s", page)
	}
	form := url.Values{"csrf": {csrf}, "seen": {seen[1]}, "to": {"已签收"}, "internal": {"收到"}}
	first, _ := b.post("/console/tickets/CQ-20261120-0001/move", form)
	second, _ := b.post("/console/tickets/CQ-20261120-0001/move", form)
	if first.StatusCode != http.StatusSeeOther || second.StatusCode != http.StatusSeeOther || !strings.Contains(second.Header.Get("Location"), "stale=1") {
		t.Fatalf("the move sent twice = %d, %d to %q; want both 303, the second to the ticket as it is", first.StatusCode, second.StatusCode, second.Header.Get("Location"))
	}
	if _, body := b.get(second.Header.Get("Location")); !strings.Contains(body, "没有再次办理") {
		t.Error("the ticket page does not say the second submission did nothing")
	}
	tk, _ := te.be.Get(t.Context(), "CQ-20261120-0001")
	if n := len(tk.Events); n != 2 || tk.Status != intake.StatusSigned {
		t.Errorf("after the move sent twice: %d events, status %s; want 2 and 已签收", n, tk.Status)
	}
}

// TestConsolePasswordChange: the console's password change ends every
// session of the account but the browser's own new one, refuses a wrong
// current password and a repeat that differs, and answers with a redirect.
func TestConsolePasswordChange(t *testing.T) {
	te := newTestEnv(t, nil)
	mine, elsewhere := newBrowser(t, te), newBrowser(t, te)
	csrf := mine.signIn("hl")
	elsewhere.signIn("hl")
	form := func(cur, nw, rep string) url.Values {
		return url.Values{"csrf": {csrf}, "current": {cur}, "new": {nw}, "repeat": {rep}}
	}
	if resp, body := mine.post("/console/password", form("wrong", "a new password", "a new password")); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "原密码不正确") {
		t.Errorf("wrong current password = %d, want 401 saying so", resp.StatusCode)
	}
	if resp, body := mine.post("/console/password", form(testPassword, "a new password", "another one")); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "不一致") {
		t.Errorf("repeat differs = %d, want 400 saying so", resp.StatusCode)
	}
	if resp, body := mine.post("/console/password", form(testPassword, "short", "short")); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "密码太短") || strings.Contains(body, "at least") {
		t.Errorf("short new password = %d, want 400 in Chinese", resp.StatusCode)
	}
	resp, _ := mine.post("/console/password", form(testPassword, "a new password", "a new password"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/password?changed=1" {
		t.Fatalf("password change = %d to %q, want 303", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := mine.get(resp.Header.Get("Location")); resp.StatusCode != 200 || !strings.Contains(body, "密码已修改") {
		t.Errorf("after the change this browser = %d, want still signed in with a note", resp.StatusCode)
	}
	if resp, _ := elsewhere.get("/console/tickets"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other browser after the change = %d, want signed out", resp.StatusCode)
	}
	if _, err := te.acc.Authenticate(t.Context(), "hl", "a new password"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// TestStaffAPIPasswordChange: the staff API's password change answers with
// a new token; the old one stops working.
func TestStaffAPIPasswordChange(t *testing.T) {
	te := newTestEnv(t, nil)
	tok, _ := te.login(t, "hl")
	w := te.do(t, "POST", "/api/staff/password", jsonCT, `{"current":"`+testPassword+`","new":"a new password"}`, bearer(tok))
	var got loginResponse
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil || got.Token == "" || got.Token == tok {
		t.Fatalf("password change = %d %s, want 200 with a new token", w.Code, w.Body)
	}
	if w := te.do(t, "GET", "/api/staff/stats", "", "", bearer(tok)); w.Code != 401 {
		t.Errorf("the old token after the change = %d, want 401", w.Code)
	}
	if w := te.do(t, "GET", "/api/staff/stats", "", "", bearer(got.Token)); w.Code != 200 {
		t.Errorf("the new token = %d, want 200", w.Code)
	}
}

// TestTicketPageSaysWhoReadsNotes: the move form has a field the
// enterprise reads and one it never sees, each said so; the history labels
// each note; a reply goes where the enterprise reads it.
func TestTicketPageSaysWhoReadsNotes(t *testing.T) {
	te := newTestEnv(t, nil)
	rs := newBrowser(t, te)
	csrf := rs.signIn("rs")
	_, body := rs.get("/console/tickets/CQ-20261118-0003")
	for _, want := range []string{"告知企业（企业可见）", "企业查进度、收到通知时会读到这一栏", "内部备注（企业看不到）", `name="told"`, `name="internal"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the move form lacks %q", want)
		}
	}
	resp, _ := rs.post("/console/tickets/CQ-20261118-0003/move", url.Values{"csrf": {csrf}, "to": {"已办结"},
		"told": {"材料清单已发给贵企业"}, "internal": {"该企业去年有欠薪投诉"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close with a reply = %d", resp.StatusCode)
	}
	tk, _ := te.be.Get(t.Context(), "CQ-20261118-0003")
	last := tk.Events[len(tk.Events)-1]
	if last.Note != "材料清单已发给贵企业" || last.Internal != "该企业去年有欠薪投诉" {
		t.Errorf("the move stored told %q, internal %q", last.Note, last.Internal)
	}
	if p := tk.Public(); strings.Contains(fmt.Sprint(p), "欠薪") {
		t.Error("the internal note reaches the enterprise's view")
	}
	_, body = rs.get("/console/tickets/CQ-20261118-0003")
	i := strings.Index(body, "内部备注（企业看不到）</b>该企业去年有欠薪投诉")
	j := strings.Index(body, "告知企业</b>材料清单已发给贵企业")
	if i < 0 || j < 0 {
		t.Error("the history does not label the told and the internal note")
	}
}
