package web

import (
	"strings"
	"testing"
)

// TestEveryStaffRouteRefusesStrangers walks every staff API and console
// route without credentials: the API answers 401 in JSON and the console
// sends the stranger to the sign-in page; none shows a ticket.
func TestEveryStaffRouteRefusesStrangers(t *testing.T) {
	te := newTestEnv(t, nil)
	id := "CQ-20261120-0001"
	tests := []struct {
		method, path, body string
		wantStatus         int
		wantLocation       string
	}{
		{"POST", "/api/staff/logout", `{}`, 401, ""},
		{"POST", "/api/staff/password", `{"current":"x","new":"yyyyyyyy"}`, 401, ""},
		{"GET", "/api/staff/tickets", "", 401, ""},
		{"POST", "/api/staff/tickets", `{"text":"招工难","enterprise":"阳泉某公司","contact":"13800000000"}`, 401, ""},
		{"GET", "/api/staff/tickets/" + id, "", 401, ""},
		{"POST", "/api/staff/tickets/" + id + "/move", `{"to":"已签收"}`, 401, ""},
		{"POST", "/api/staff/tickets/" + id + "/reroute", `{"lead_unit":"区工信局"}`, 401, ""},
		{"GET", "/api/staff/unanswered", "", 401, ""},
		{"POST", "/api/staff/unanswered/1/attach", `{"measure":"ind-07"}`, 401, ""},
		{"GET", "/api/staff/stats", "", 401, ""},
		{"GET", "/console/", "", 303, "/console/login"},
		{"GET", "/console/lookup", "", 303, "/console/login"},
		{"GET", "/console/tickets", "", 303, "/console/login"},
		{"GET", "/console/tickets/" + id, "", 303, "/console/login"},
		{"GET", "/console/find?id=" + id, "", 303, "/console/login"},
		{"GET", "/console/new", "", 303, "/console/login"},
		{"GET", "/console/unanswered", "", 303, "/console/login"},
		{"GET", "/console/dashboard", "", 303, "/console/login"},
		{"GET", "/console/password", "", 303, "/console/login"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := te.do(t, tt.method, tt.path, jsonCT, tt.body, nil)
			if w.Code != tt.wantStatus {
				t.Fatalf("%s %s without credentials = %d, want %d (%s)", tt.method, tt.path, w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantLocation != "" && !strings.HasPrefix(w.Header().Get("Location"), tt.wantLocation) {
				t.Errorf("%s %s redirects to %q, want %s", tt.method, tt.path, w.Header().Get("Location"), tt.wantLocation)
			}
			if strings.Contains(w.Body.String(), "阳泉某机械有限公司") {
				t.Errorf("%s %s shows a ticket to a stranger", tt.method, tt.path)
			}
		})
	}
	// Console form posts without a session are refused too (never 2xx).
	for _, p := range []string{"/console/new", "/console/tickets/" + id + "/move", "/console/tickets/" + id + "/reroute",
		"/console/unanswered/1/attach", "/console/logout"} {
		w := te.do(t, "POST", p, "application/x-www-form-urlencoded", "to=已签收&text=x", nil)
		if w.Code < 300 {
			t.Errorf("POST %s without a session = %d, want a refusal", p, w.Code)
		}
	}
}
