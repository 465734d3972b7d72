package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHTTP sends arbitrary paths, queries and bodies to the whole handler,
// as a stranger and as two kinds of staff (bearer tokens): never a 5xx or
// a panic, and the API always answers in JSON.
func FuzzHTTP(f *testing.F) {
	seeds := []struct {
		method uint8
		path   string
		ctype  uint8
		body   string
		who    uint8
	}{
		{0, "/api/tickets/CQ-20261120-0001?secret=S1", 0, "", 0},
		{1, "/api/staff/tickets/CQ-20261120-0001/move", 0, `{"to":"已签收","note":"收到"}`, 2},
		{1, "/api/staff/tickets/CQ-20261120-0002/reroute", 0, `{"lead_unit":"区工信局","co_units":["区财政局"]}`, 1},
		{1, "/api/staff/tickets", 0, `{"text":"招工难","enterprise":"某公司","contact":"13800000000"}`, 1},
		{1, "/api/staff/unanswered/1/attach", 0, `{"measure":"ind-07","question":"x"}`, 1},
		{0, "/api/staff/tickets?unit=区工信局", 0, "", 2},
		{0, "/api/staff/stats", 0, "", 1},
		{1, "/api/staff/login", 0, `{"name":"hl","password":"x"}`, 0},
		{1, "/console/new", 1, "csrf=x&text=%3Cscript%3E", 0},
		{0, "/console/lookup?q=%ff", 0, "", 0},
		{1, "/api/chat", 0, `{"conversation":"abcdefghijklmnop","action":"report:form","form":{"a":"\u0000"}}`, 0},
		{2, "/api/ask", 0, `{"question":"稳岗"}`, 0},
		{3, "/api/tickets/%2e%2e%2f%2e%2e", 2, "", 0},
		{0, "/static/../../etc/passwd", 0, "", 0},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.ctype, s.body, s.who)
	}
	te := newTestEnv(f, nil)
	hl, _ := te.login(f, "hl")
	rs, _ := te.login(f, "rs")
	methods := []string{"GET", "POST", "OPTIONS", "DELETE", "HEAD", "PUT"}
	ctypes := []string{jsonCT, "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=gbk"}
	tokens := []string{"", hl, rs, "not-a-token"}
	h := te.srv.Handler()
	f.Fuzz(func(t *testing.T, method uint8, path string, ctype uint8, body string, who uint8) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(methods[int(method)%len(methods)], "http://huiqi.test"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.RemoteAddr = "192.0.2.1:1234"
		if ct := ctypes[int(ctype)%len(ctypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if tok := tokens[int(who)%len(tokens)]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q %q = %d %s", req.Method, path, body, w.Code, w.Body)
		}
		if strings.HasPrefix(req.URL.Path, "/api/") && req.Method != "HEAD" && req.Method != "OPTIONS" && w.Code != http.StatusNoContent &&
			!json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q = %d, body is not JSON: %.300s", req.Method, path, w.Code, w.Body)
		}
	})
}
