package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
)

// login signs in through the staff API and returns the bearer token and the
// session's CSRF token.
func (te *testEnv) login(t testing.TB, name string) (token, csrf string) {
	t.Helper()
	w := te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"`+name+`","password":"`+testPassword+`"}`, nil)
	if w.Code != 200 {
		t.Fatalf("login %s = %d %s", name, w.Code, w.Body)
	}
	var lr loginResponse
	if err := json.Unmarshal(w.Body.Bytes(), &lr); err != nil {
		t.Fatal(err)
	}
	return lr.Token, lr.CSRF
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func TestStaffAPI(t *testing.T) {
	te := newTestEnv(t, nil)
	hl, _ := te.login(t, "hl")
	rs, _ := te.login(t, "rs")
	gx, _ := te.login(t, "gx")
	ad, _ := te.login(t, "ad")
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		hdr        map[string]string
		wantStatus int
		wantBody   string
		notBody    string
	}{
		{"queue no auth", "GET", "/api/staff/tickets", "", nil, 401, "请先登录", ""},
		{"queue bad bearer", "GET", "/api/staff/tickets", "", bearer("nope"), 401, "unauthorized", ""},
		{"queue basic auth", "GET", "/api/staff/tickets", "", map[string]string{"Authorization": "Basic eDp5"}, 401, "unauthorized", ""},
		{"queue hotline all", "GET", "/api/staff/tickets", "", bearer(hl), 200, "CQ-20261120-0002", ""},
		{"queue unit own only", "GET", "/api/staff/tickets", "", bearer(rs), 200, "CQ-20261120-0001", "CQ-20261120-0002"},
		{"queue unit overdue first", "GET", "/api/staff/tickets", "", bearer(rs), 200, `"tickets":[{"id":"CQ-20261118-0003"`, ""},
		{"queue unit other unit", "GET", "/api/staff/tickets?unit=区工信局", "", bearer(rs), 403, "forbidden", ""},
		{"queue hotline picks unit", "GET", "/api/staff/tickets?unit=区工信局", "", bearer(hl), 200, "CQ-20261120-0002", "CQ-20261120-0001"},
		{"ticket own unit", "GET", "/api/staff/tickets/CQ-20261120-0001", "", bearer(rs), 200, "阳泉某机械有限公司", ""},
		{"ticket other unit", "GET", "/api/staff/tickets/CQ-20261120-0002", "", bearer(rs), 404, "not_found", "城区某新材料公司"},
		{"ticket unknown", "GET", "/api/staff/tickets/CQ-20990101-0009", "", bearer(hl), 404, "not_found", ""},
		{"ticket no auth", "GET", "/api/staff/tickets/CQ-20261120-0001", "", nil, 401, "unauthorized", "阳泉某机械有限公司"},
		{"ticket moves for unit", "GET", "/api/staff/tickets/CQ-20261120-0001", "", bearer(rs), 200, `"moves":[{"to":"已签收"`, ""},
		{"move by unit", "POST", "/api/staff/tickets/CQ-20261120-0001/move", `{"to":"已签收","note":"收到"}`, bearer(rs), 200, `"status":"已签收"`, ""},
		{"move refused by workflow", "POST", "/api/staff/tickets/CQ-20261120-0001/move", `{"to":"已回访"}`, bearer(hl), 400, "不能改为", ""},
		{"move other unit", "POST", "/api/staff/tickets/CQ-20261120-0002/move", `{"to":"已签收"}`, bearer(rs), 404, "not_found", ""},
		{"hotline may not close a unit's ticket with a reply", "POST", "/api/staff/tickets/CQ-20261118-0003/move", `{"to":"已办结","note":"坐席代答"}`, bearer(hl), 403, "forbidden", ""},
		{"move desk move by unit", "POST", "/api/staff/tickets/CQ-20261118-0003/move", `{"to":"已办结","note":"已答复"}`, bearer(rs), 200, "已办结", ""},
		{"move rating by unit", "POST", "/api/staff/tickets/CQ-20261118-0003/move", `{"to":"已回访","note":"满意"}`, bearer(rs), 403, "forbidden", ""},
		{"hotline may not sign a unit's ticket", "POST", "/api/staff/tickets/CQ-20261120-0002/move", `{"to":"已签收"}`, bearer(hl), 403, "热线坐席不能", ""},
		{"admin closes for the unit", "POST", "/api/staff/tickets/CQ-20261120-0002/move", `{"to":"已签收","note":"代签"}`, bearer(ad), 200, "已签收", ""},
		{"move rating by hotline", "POST", "/api/staff/tickets/CQ-20261118-0003/move", `{"to":"已回访","note":"满意"}`, bearer(hl), 200, "已回访", ""},
		{"move bad json", "POST", "/api/staff/tickets/CQ-20261120-0002/move", `{"to":`, bearer(gx), 400, "invalid", ""},
		{"move 415", "POST", "/api/staff/tickets/CQ-20261120-0002/move", ``, bearer(gx), 415, "unsupported_media_type", ""},
		{"move GET", "GET", "/api/staff/tickets/CQ-20261120-0002/move", ``, bearer(gx), 405, "method_not_allowed", ""},
		{"file by unit", "POST", "/api/staff/tickets", `{"text":"招工难"}`, bearer(rs), 403, "forbidden", ""},
		{"file by hotline", "POST", "/api/staff/tickets", `{"text":"招工难","enterprise":"来电企业"}`, bearer(hl), 201, `"secret"`, ""},
		{"unanswered by unit", "GET", "/api/staff/unanswered", "", bearer(rs), 403, "forbidden", ""},
		{"unanswered by admin", "GET", "/api/staff/unanswered", "", bearer(ad), 200, `"questions":[]`, ""},
		{"stats", "GET", "/api/staff/stats", "", bearer(gx), 200, `"by_unit"`, ""},
		{"stats no auth", "GET", "/api/staff/stats", "", nil, 401, "unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.method == "POST" && tt.name != "move 415" {
				ct = jsonCT
			}
			w := te.do(t, tt.method, tt.path, ct, tt.body, tt.hdr)
			if w.Code != tt.wantStatus {
				t.Fatalf("%s %s = %d, want %d (%s)", tt.method, tt.path, w.Code, tt.wantStatus, w.Body)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s body = %s, want %q", tt.method, tt.path, w.Body, tt.wantBody)
			}
			if tt.notBody != "" && strings.Contains(w.Body.String(), tt.notBody) {
				t.Errorf("%s %s body = %s, must not contain %q", tt.method, tt.path, w.Body, tt.notBody)
			}
		})
	}
}

// TestStaffLogin: wrong names and passwords get one answer; an address
// that keeps failing waits, with Retry-After, and gets in after the wait.
func TestStaffLogin(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.LoginFree = 3 })
	ip := map[string]string{"remote": "198.51.100.7:5555"}
	w := te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"wrong password"}`, ip)
	if w.Code != 401 || !strings.Contains(w.Body.String(), "账号或密码不正确") {
		t.Errorf("wrong password = %d %s, want 401", w.Code, w.Body)
	}
	w = te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"nobody","password":"wrong password"}`, ip)
	if w.Code != 401 || !strings.Contains(w.Body.String(), "账号或密码不正确") {
		t.Errorf("unknown name = %d %s, want the same 401", w.Code, w.Body)
	}
	te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"wrong again"}`, ip)
	w = te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"`+testPassword+`"}`, ip)
	if w.Code != 429 || errCode(t, w) != "rate_limited" || w.Header().Get("Retry-After") != "1" {
		t.Errorf("4th attempt after 3 failures = %d %s (Retry-After %q), want 429 after 1 s", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	*te.now = te.now.Add(2 * time.Second)
	w = te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"`+testPassword+`"}`, ip)
	if w.Code != 200 {
		t.Errorf("after the wait = %d %s, want 200", w.Code, w.Body)
	}
}

// TestSignInDoesNotLockTheOwnerOut is issue 16 item 5: ten wrong passwords
// for a name from one address, and one more every 6 s, leave the right
// password from another address working.
func TestSignInDoesNotLockTheOwnerOut(t *testing.T) {
	te := newTestEnv(t, func(c *Config) { c.LoginFree = 0 }) // the defaults
	attacker := map[string]string{"remote": "203.0.113.9:4444"}
	for range 10 {
		te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"guess"}`, attacker)
	}
	for i := range 20 {
		*te.now = te.now.Add(6 * time.Second)
		te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"guess"}`, attacker)
		if i%5 != 4 {
			continue
		}
		owner := map[string]string{"remote": fmt.Sprintf("198.51.100.%d:1", 20+i)}
		if w := te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"`+testPassword+`"}`, owner); w.Code != 200 {
			t.Fatalf("the owner from a clean address after %d guesses = %d %s, want 200", 10+i+1, w.Code, w.Body)
		}
	}
	if w := te.do(t, "POST", "/api/staff/login", jsonCT, `{"name":"hl","password":"`+testPassword+`"}`, attacker); w.Code != 429 {
		t.Errorf("the right password from the guessing address = %d, want 429 (it is in its delay)", w.Code)
	}
}

// TestSignInGuardSlowsGuessing is issue 16 item 6: one address guessing
// without pause gets its free attempts and then ever longer waits, however
// many names it cycles through; names it tries while throttled create no
// entries, so it cannot push its own or its victim's record out.
func TestSignInGuardSlowsGuessing(t *testing.T) {
	now := fixedNow
	g := newSigninGuard(func() time.Time { return now }, 5, time.Second, 15*time.Minute, 100)
	checked := 0
	for s := 0; s < 3600; s++ { // an hour, one try a second, a new name each time
		now = fixedNow.Add(time.Duration(s) * time.Second)
		name := fmt.Sprintf("name%d", s)
		if s%2 == 0 {
			name = "victim"
		}
		if ok, _ := g.allow("203.0.113.9", name); ok {
			checked++
			g.failed("203.0.113.9", name)
		}
	}
	// 5 free, then waits of 1, 2, 4 … 512 s, then 900 s: 14 within 1023 s
	// and one per 15 min after.
	if checked > 17 {
		t.Errorf("%d checked guesses in an hour from one address, want at most 17", checked)
	}
	addrs, names := g.sizes()
	if addrs != 1 || names > checked {
		t.Errorf("maps hold %d addresses and %d names after %d checked guesses; want 1 and at most %d", addrs, names, checked, checked)
	}
	// With the victim's name in its delay, an address that failed is
	// refused, a clean one gets its attempt, once.
	for i := range 8 {
		g.failed(fmt.Sprintf("192.0.2.%d", i), "victim")
	}
	g.failed("198.51.100.1", "other")
	if ok, _ := g.allow("198.51.100.1", "victim"); ok {
		t.Error("an address that failed may try a name in its delay")
	}
	if ok, _ := g.allow("198.51.100.2", "victim"); !ok {
		t.Error("a clean address may not try a name in its delay")
	}
	g.failed("198.51.100.2", "victim")
	if ok, _ := g.allow("198.51.100.2", "victim"); ok {
		t.Error("a clean address that failed may try the delayed name again")
	}
}

// TestSignInGuardBounded: the maps never exceed their size, and a full
// name map gives up a record that would let its name through soonest, not
// one in a long delay.
func TestSignInGuardBounded(t *testing.T) {
	now := fixedNow
	g := newSigninGuard(func() time.Time { return now }, 2, time.Second, 15*time.Minute, 10)
	for range 12 { // the victim is deep in its delay
		g.names.bump(g, "victim", now)
	}
	for i := range 50 {
		now = now.Add(time.Second)
		g.failed(fmt.Sprintf("10.0.0.%d", i), fmt.Sprintf("n%d", i))
	}
	addrs, names := g.sizes()
	if addrs > 10 || names > 10 {
		t.Errorf("maps hold %d addresses, %d names; want at most 10 each", addrs, names)
	}
	if g.names.m["victim"] == nil {
		t.Error("the victim's record was pushed out of a full map by fresh failures")
	}
}

func TestStaffCookieNeedsCSRF(t *testing.T) {
	te := newTestEnv(t, nil)
	tok, csrf := te.login(t, "gx")
	cookie := map[string]string{"Cookie": sessionCookie + "=" + tok}
	if w := te.do(t, "GET", "/api/staff/tickets", "", "", cookie); w.Code != 200 {
		t.Fatalf("GET with cookie = %d, want 200", w.Code)
	}
	body := `{"to":"已签收"}`
	w := te.do(t, "POST", "/api/staff/tickets/CQ-20261120-0002/move", jsonCT, body, cookie)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "CSRF") {
		t.Fatalf("cookie POST without X-CSRF-Token = %d %s, want 403", w.Code, w.Body)
	}
	cookie["X-CSRF-Token"] = "wrong"
	if w := te.do(t, "POST", "/api/staff/tickets/CQ-20261120-0002/move", jsonCT, body, cookie); w.Code != 403 {
		t.Fatalf("cookie POST with a wrong token = %d, want 403", w.Code)
	}
	cookie["X-CSRF-Token"] = csrf
	if w := te.do(t, "POST", "/api/staff/tickets/CQ-20261120-0002/move", jsonCT, body, cookie); w.Code != 200 {
		t.Fatalf("cookie POST with the token = %d %s, want 200", w.Code, w.Body)
	}
}

func TestStaffLogoutAndExpiry(t *testing.T) {
	te := newTestEnv(t, nil)
	tok, _ := te.login(t, "hl")
	if w := te.do(t, "POST", "/api/staff/logout", jsonCT, `{}`, bearer(tok)); w.Code != 200 {
		t.Fatalf("logout = %d", w.Code)
	}
	if w := te.do(t, "GET", "/api/staff/stats", "", "", bearer(tok)); w.Code != 401 {
		t.Errorf("after logout = %d, want 401", w.Code)
	}
	tok, _ = te.login(t, "hl")
	*te.now = te.now.Add(13 * time.Hour)
	if w := te.do(t, "GET", "/api/staff/stats", "", "", bearer(tok)); w.Code != 401 {
		t.Errorf("after expiry = %d, want 401", w.Code)
	}
}

func TestAttachQuestion(t *testing.T) {
	te := newTestEnv(t, nil)
	te.do(t, "POST", "/api/ask", jsonCT, `{"question":"用工荒怎么办"}`, nil)
	hl, _ := te.login(t, "hl")
	w := te.do(t, "GET", "/api/staff/unanswered", "", "", bearer(hl))
	if !strings.Contains(w.Body.String(), "用工荒怎么办") {
		t.Fatalf("unanswered = %s, want the question", w.Body)
	}
	var list struct {
		Questions []Question `json:"questions"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Questions) != 1 {
		t.Fatalf("unanswered = %s, %v; want one question", w.Body, err)
	}
	q1 := "/api/staff/unanswered/" + list.Questions[0].ID + "/attach"
	tests := []struct {
		path, body string
		want       int
	}{
		{q1, `{"measure":"ind-99"}`, 400},
		{"/api/staff/unanswered/q9/attach", `{"measure":"ind-07"}`, 404},
		{q1, `{"measure":"ind-07"}`, 200},
		{q1, `{"measure":"ind-07"}`, 404},
	}
	for _, tt := range tests {
		if w := te.do(t, "POST", tt.path, jsonCT, tt.body, bearer(hl)); w.Code != tt.want {
			t.Errorf("POST %s %s = %d %s, want %d", tt.path, tt.body, w.Code, w.Body, tt.want)
		}
	}
	if te.be.resolved["用工荒怎么办"] != "ind-07" {
		t.Errorf("resolved questions = %v, want the question on ind-07", te.be.resolved)
	}
	var stored string
	if err := te.db.QueryRow(`SELECT measure_id FROM knowledge_lexicon_questions WHERE question = ?`, "用工荒怎么办").Scan(&stored); err != nil || stored != "ind-07" {
		t.Errorf("stored attachment = %q, %v; want the question kept on ind-07", stored, err)
	}
	w = te.do(t, "POST", "/api/ask", jsonCT, `{"question":"用工荒怎么办"}`, nil)
	if !strings.Contains(w.Body.String(), `"answered":true`) {
		t.Errorf("asking again = %s, want it answered at once", w.Body)
	}
}

// TestCanSeeAndMoves: roles.json through the server — the hotline makes
// the desk's moves only, unit staff their unit's moves on tickets it leads,
// admin both; a co-handling unit sees the ticket but moves nothing.
func TestCanSeeAndMoves(t *testing.T) {
	tests := []struct {
		status    intake.Status
		u         User
		wantSee   bool
		wantMoves int
	}{
		{intake.StatusDispatched, User{Role: RoleHotline}, true, 0}, // 签收, 退单 are the unit's
		{intake.StatusDispatched, User{Role: RoleAdmin}, true, 2},
		{intake.StatusDispatched, User{Role: RoleUnit, Unit: "区人社局"}, true, 2},
		{intake.StatusDispatched, User{Role: RoleUnit, Unit: "区财政局"}, true, 0},
		{intake.StatusDispatched, User{Role: RoleUnit, Unit: "区工信局"}, false, 0},
		{intake.StatusClosed, User{Role: RoleHotline}, true, 1},   // 回访 is the desk's
		{intake.StatusHandling, User{Role: RoleHotline}, true, 0}, // 办结 with the reply is the unit's
		{intake.StatusHandling, User{Role: RoleAdmin}, true, 2},
		{intake.StatusClosed, User{Role: RoleUnit, Unit: "区人社局"}, true, 0},
		{intake.StatusSigned, User{Role: RoleUnit, Unit: "区人社局"}, true, 2}, // 办理中, 延期
		{intake.StatusVisited, User{Role: RoleHotline}, true, 0},           // the reopen is automatic
	}
	te := newTestEnv(t, nil)
	for _, tt := range tests {
		tk := intake.Ticket{Summary: intake.Summary{Status: tt.status, LeadUnit: "区人社局", CoUnits: []string{"区财政局"}}}
		if got := te.srv.canSee(tt.u, tk); got != tt.wantSee {
			t.Errorf("canSee(%v) = %v, want %v", tt.u, got, tt.wantSee)
		}
		if got := len(te.srv.movesFor(tt.u, tk)); got != tt.wantMoves {
			t.Errorf("len(movesFor(%v, %s)) = %d, want %d", tt.u, tt.status, got, tt.wantMoves)
		}
	}
}

var _ = httptest.NewRecorder
var _ = http.StatusOK

func TestReroute(t *testing.T) {
	te := newTestEnv(t, nil)
	hl, _ := te.login(t, "hl")
	rs, _ := te.login(t, "rs")
	tests := []struct {
		name, id, body, token string
		want                  int
	}{
		{"unit staff", "CQ-20261120-0001", `{"lead_unit":"区工信局","note":"x"}`, rs, 403},
		{"unknown unit", "CQ-20261120-0001", `{"lead_unit":"区外星局","note":"x"}`, hl, 400},
		{"unknown co unit", "CQ-20261120-0001", `{"lead_unit":"区工信局","co_units":["火星局"],"note":"x"}`, hl, 400},
		{"no reason", "CQ-20261120-0001", `{"lead_unit":"区工信局"}`, hl, 400},
		{"accepted already", "CQ-20261118-0003", `{"lead_unit":"区工信局","note":"x"}`, hl, 400},
		{"unknown ticket", "CQ-20990101-0001", `{"lead_unit":"区工信局","note":"x"}`, hl, 404},
		{"ok", "CQ-20261120-0001", `{"lead_unit":"区中小企业发展中心","co_units":["区财政局","区中小企业发展中心"],"note":"职能不符，转中心"}`, hl, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := te.do(t, "POST", "/api/staff/tickets/"+tt.id+"/reroute", jsonCT, tt.body, bearer(tt.token))
			if w.Code != tt.want {
				t.Errorf("reroute %s %s = %d %s, want %d", tt.id, tt.body, w.Code, w.Body, tt.want)
			}
		})
	}
	tk, _ := te.be.Get(t.Context(), "CQ-20261120-0001")
	if tk.LeadUnit != "区中小企业发展中心" || len(tk.CoUnits) != 1 || tk.CoUnits[0] != "区财政局" {
		t.Errorf("after reroute: lead %q co %q, want 区中小企业发展中心 with 区财政局", tk.LeadUnit, tk.CoUnits)
	}
	// 区人社局 no longer sees it.
	if w := te.do(t, "GET", "/api/staff/tickets/CQ-20261120-0001", "", "", bearer(rs)); w.Code != 404 {
		t.Errorf("old unit reads the re-routed ticket = %d, want 404", w.Code)
	}
}
