package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"huiqi/intake"
	"huiqi/knowledge"
)

// page is what every console template receives.
type page struct {
	Public  bool // an enterprise-facing page, not the staff console
	Title   string
	Nav     string
	Session *Session
	CSRF    string
	Flash   string
	Error   string
	// Notice is an operations notice for staff on every console page (the
	// working-day calendar needing its next year).
	Notice string
	// Docs are the notices huiqi answers from (城政办发〔2023〕5号), for the
	// footer: knowledge's scope, not a sentence of the web's own.
	Docs string
	D    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Docs = s.kb.Scope().Docs()
	if p.Session != nil {
		p.CSRF = p.Session.CSRF
		if s.cfg.StaffNotice != nil {
			p.Notice = s.cfg.StaffNotice(s.now())
		}
	}
	s.renderAs(w, r, status, name, "layout", p)
}

// renderAs executes one named template of a page.
func (s *Server) renderAs(w http.ResponseWriter, r *http.Request, status int, name, entry string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "no template", "name", name)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, data); err != nil {
		s.log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderError shows an error page with the error's status.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, ss *Session, err error) {
	e := classify(err)
	status := statusOf(e.Code)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "console request failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error.html", page{Title: "出错了", Session: ss, Error: e.Message})
}

type consoleHandler func(w http.ResponseWriter, r *http.Request, ss *Session)

// console requires a signed-in session (else redirects to sign-in) and, on
// every POST, the session's CSRF token in the form.
func (s *Server) console(h consoleHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var ss Session
		if err == nil {
			ss, err = s.acc.Session(r.Context(), c.Value)
		}
		if err != nil {
			if !errors.Is(err, ErrNoSession) && !errors.Is(err, http.ErrNoCookie) {
				s.renderError(w, r, nil, err)
				return
			}
			if unsafeMethod(r.Method) {
				s.renderError(w, r, nil, errorf(CodeUnauthorized, "登录已失效，请重新登录"))
				return
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if unsafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
			if err := r.ParseForm(); err != nil {
				s.renderError(w, r, &ss, classifyForm(err))
				return
			}
			if !equalTokens(r.PostForm.Get("csrf"), ss.CSRF) {
				s.renderError(w, r, &ss, errorf(CodeForbidden, "表单已过期或来源不明（CSRF 校验失败），请返回刷新后重试"))
				return
			}
		}
		h(w, r, &ss)
	}
}

func classifyForm(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &Error{Code: CodeInvalid, Message: "表单内容有误", Err: err}
}

// safeNext keeps a post-login redirect on this site's console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/console/lookup"
}

type loginData struct {
	Next  string
	Name  string
	Token string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := randomToken(24)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/console/login",
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	s.render(w, r, http.StatusOK, "login.html", page{Title: "登录", CSRF: tok,
		D: loginData{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, nil, classifyForm(err))
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !equalTokens(c.Value, r.PostForm.Get("csrf")) {
		s.renderError(w, r, nil, errorf(CodeForbidden, "登录表单已过期（CSRF 校验失败），请刷新登录页后重试"))
		return
	}
	name, next := r.PostForm.Get("name"), safeNext(r.PostForm.Get("next"))
	tok, ss, err := s.login(r.Context(), r, name, r.PostForm.Get("password"))
	if err != nil {
		e := classify(err)
		if e.Code != CodeUnauthorized && e.Code != CodeRateLimited {
			s.renderError(w, r, nil, err)
			return
		}
		fresh := randomToken(24)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: fresh, Path: "/console/login",
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
		s.render(w, r, statusOf(e.Code), "login.html", page{Title: "登录", CSRF: fresh, Error: e.Message,
			D: loginData{Next: next, Name: name}})
		return
	}
	s.clearCookie(w, r, loginCookie)
	s.setSessionCookie(w, r, tok, ss.Expires)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.acc.EndSession(r.Context(), c.Value); err != nil {
			s.renderError(w, r, ss, err)
			return
		}
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// lookupItem is one measure as the hotline reads it out.
type lookupItem struct {
	ID, Ref, Title, Snippet string
	Amounts, Units          []string
	Validity                string
	Expired                 bool
	Score                   int // percent
	Script                  string
}

type lookupData struct {
	Query    string
	Answered bool
	Answer   string
	Unit     string
	Items    []lookupItem
	UnitOnly []lookupItem
}

// ref is how people cite a measure: 二十条第3条.
func ref(m *knowledge.Measure) string {
	if m == nil || m.Package == "" {
		return ""
	}
	return fmt.Sprintf("%s第%d条", m.Package, m.Number)
}

// validity is knowledge's answer to whether m is in force at now (the same
// answer every channel gives), as the lookup shows it.
func (s *Server) validity(m *knowledge.Measure, now time.Time) (string, bool) {
	v := s.kb.Validity(m, now)
	return v.Text, v.Expired
}

// script is what the hotline reads to the caller: only facts of the notice.
func script(it lookupItem) string {
	var b strings.Builder
	b.WriteString("您好，您咨询的事项对应")
	if it.Ref != "" {
		b.WriteString(it.Ref)
	}
	b.WriteString("「" + it.Title + "」。")
	if it.Snippet != "" && it.Snippet != it.Title {
		b.WriteString("政策原文是：" + strings.TrimSuffix(it.Snippet, "。") + "。")
	}
	if len(it.Amounts) > 0 {
		b.WriteString("涉及的标准有：" + strings.Join(it.Amounts, "、") + "。")
	}
	switch len(it.Units) {
	case 0:
	case 1:
		b.WriteString("这项措施由" + it.Units[0] + "负责。")
	default:
		b.WriteString("这项措施由" + it.Units[0] + "牵头，" + strings.Join(it.Units[1:], "、") + "配合。")
	}
	if v := strings.TrimRight(it.Validity, "。 "); v != "" {
		if strings.HasPrefix(v, "有效期") {
			b.WriteString("请注意，这批措施" + v + "。")
		} else {
			b.WriteString("请注意：" + v + "。")
		}
	}
	b.WriteString("具体能否享受、金额多少，以责任单位审核为准。需要的话，我可以帮您登记工单，转给责任单位办理。")
	return b.String()
}

// unitWords mark a query that names a responsible unit (区人社局, 中心, 义井镇).
var unitWords = []string{"局", "中心", "办公室", "委", "院", "大队", "分局", "镇", "街道", "政府", "部门"}

// looksLikeUnit reports whether q names a unit: pinyin initials (rsj), a
// unit word, or exactly the unit the knowledge base found. Other queries are
// about topics, and the base's loose unit match would only add noise.
func looksLikeUnit(q, unit string) bool {
	if q == unit {
		return true
	}
	ascii := q != ""
	for _, r := range q {
		ascii = ascii && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if ascii {
		return true
	}
	for _, w := range unitWords {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	q, err := cleanText(r.URL.Query().Get("q"), "查询内容", maxQuestion, false)
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := lookupData{Query: q}
	if q != "" {
		now := s.now()
		ans := s.kb.Ask(q, 5, now)
		d.Answered, d.Answer = ans.Answered, ans.Text
		seen := map[string]bool{}
		// A unit query lists the unit's own measures first.
		if u := s.kb.Unit(q); u.Unit != "" && looksLikeUnit(q, u.Unit) {
			d.Unit = u.Unit
			d.Answer = ""
			for _, id := range u.Measures {
				m, ok := s.kb.Measure(id)
				if !ok || seen[id] {
					continue
				}
				it := lookupItem{ID: m.ID, Ref: ref(m), Title: m.Title, Units: m.Units}
				for _, res := range ans.Results {
					if res.ID == m.ID {
						it.Snippet, it.Amounts = res.Snippet, res.Amounts
					}
				}
				it.Validity, it.Expired = s.validity(m, now)
				it.Script = script(it)
				d.Items = append(d.Items, it)
				seen[id] = true
			}
		}
		for _, res := range ans.Results {
			if seen[res.ID] {
				continue
			}
			it := lookupItem{ID: res.ID, Ref: res.Ref, Title: res.Title, Snippet: res.Snippet,
				Amounts: res.Amounts, Units: res.Units, Validity: res.Validity, Expired: res.Expired,
				Score: int(res.Score*100 + 0.5)}
			if it.Ref == "" || it.Validity == "" {
				if m, ok := s.kb.Measure(res.ID); ok {
					if it.Ref == "" {
						it.Ref = ref(m)
					}
					if it.Validity == "" {
						it.Validity, it.Expired = s.validity(m, now)
					}
				}
			}
			it.Script = script(it)
			if d.Unit != "" {
				d.UnitOnly = append(d.UnitOnly, it) // other matches, after the unit's own
			} else {
				d.Items = append(d.Items, it)
			}
			seen[res.ID] = true
		}
	}
	p := page{Title: "政策查询", Nav: "lookup", Session: ss, D: d}
	if r.URL.Query().Get("partial") == "1" {
		// The live search of lookup.js swaps in just the results.
		s.renderAs(w, r, http.StatusOK, "lookup.html", "results", d)
		return
	}
	s.render(w, r, http.StatusOK, "lookup.html", p)
}

type queueData struct {
	Unit     string
	Units    []string
	Tickets  []intake.Ticket
	Overdue  int
	CanPick  bool
	FixedFor string
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, ss *Session) {
	ts, unit, err := s.queueFor(r.Context(), ss.User, r.URL.Query().Get("unit"))
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := queueData{Unit: unit, Tickets: ts, CanPick: ss.User.Role != RoleUnit}
	for _, t := range ts {
		if t.Overdue {
			d.Overdue++
		}
	}
	if d.CanPick {
		st, err := s.tickets.Stats(r.Context())
		if err != nil {
			s.renderError(w, r, ss, err)
			return
		}
		for u := range st.ByUnit {
			d.Units = append(d.Units, u)
		}
		sort.Strings(d.Units)
	}
	s.render(w, r, http.StatusOK, "queue.html", page{Title: "工单队列", Nav: "tickets", Session: ss, D: d})
}

type ticketData struct {
	T       intake.Ticket
	Moves   []Move
	Reroute bool     // the user may re-route it now
	Units   []string // for the re-route form
}

func (s *Server) ticketData(u User, t intake.Ticket) ticketData {
	d := ticketData{T: t, Moves: movesFor(u, t)}
	if t.Status.CanReroute() && u.Role != RoleUnit {
		d.Reroute, d.Units = true, s.units()
	}
	return d
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	t, err := s.loadTicket(r.Context(), ss.User, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	p := page{Title: "工单 " + t.ID, Nav: "tickets", Session: ss, D: s.ticketData(ss.User, t)}
	if r.URL.Query().Get("moved") != "" {
		p.Flash = "已更新为“" + string(t.Status) + "”"
	}
	s.render(w, r, http.StatusOK, "ticket.html", p)
}

// findTicket jumps to the ticket whose id a caller reads out.
func (s *Server) findTicket(w http.ResponseWriter, r *http.Request, ss *Session) {
	id := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("id")))
	if id == "" || len(id) > 64 {
		http.Redirect(w, r, "/console/tickets", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/console/tickets/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) moveSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	id := r.PathValue("id")
	t, err := s.move(r.Context(), ss.User, id, r.PostForm.Get("to"), r.PostForm.Get("note"))
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	http.Redirect(w, r, "/console/tickets/"+url.PathEscape(t.ID)+"?moved=1", http.StatusSeeOther)
}

func (s *Server) rerouteSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	f := r.PostForm
	t, err := s.reroute(r.Context(), ss.User, r.PathValue("id"),
		rerouteRequest{LeadUnit: f.Get("lead_unit"), CoUnits: f["co_units"], Note: f.Get("note")})
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	http.Redirect(w, r, "/console/tickets/"+url.PathEscape(t.ID)+"?moved=1", http.StatusSeeOther)
}

type newData struct {
	Text, Enterprise, Contact, Location string
}

func (s *Server) newPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !canFile(ss.User) {
		s.renderError(w, r, ss, errForbiddenFile)
		return
	}
	s.render(w, r, http.StatusOK, "new.html", page{Title: "代企业登记工单", Nav: "new", Session: ss,
		D: newData{Text: r.URL.Query().Get("text")}})
}

func (s *Server) newSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !canFile(ss.User) {
		s.renderError(w, r, ss, errForbiddenFile)
		return
	}
	f := r.PostForm
	req := fileRequest{Text: f.Get("text"), Enterprise: f.Get("enterprise"), Contact: f.Get("contact"), Location: f.Get("location")}
	nt, err := req.ticket(intake.ChannelHotline, byName(ss.User))
	if err == nil {
		var t intake.Ticket
		t, err = s.tickets.File(r.Context(), nt)
		if err == nil {
			// Rendered here rather than redirected, so the secret never
			// travels in a URL (history, logs).
			p := page{Title: "工单 " + t.ID, Nav: "tickets", Session: ss, D: s.ticketData(ss.User, t),
				Flash: "工单已登记。请告诉来电企业：工单编号 " + t.ID + "，查询码 " + t.Secret + "（凭编号和查询码可查进度）"}
			s.render(w, r, http.StatusCreated, "ticket.html", p)
			return
		}
	}
	e := classify(err)
	if e.Code != CodeInvalid {
		s.renderError(w, r, ss, err)
		return
	}
	s.render(w, r, http.StatusBadRequest, "new.html", page{Title: "代企业登记工单", Nav: "new", Session: ss, Error: e.Message,
		D: newData(req)})
}

type reviewItem struct {
	Q           Question
	Suggestions []lookupItem
}

type reviewData struct {
	Items    []reviewItem
	Measures []*knowledge.Measure
}

func (s *Server) unansweredPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !canReview(ss.User) {
		s.renderError(w, r, ss, errForbiddenReview)
		return
	}
	qs, err := s.reviewList(r.Context())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := reviewData{Measures: s.kb.Measures()}
	now := s.now()
	for _, q := range qs {
		it := reviewItem{Q: q}
		for _, res := range s.kb.Ask(q.Text, 3, now).Results {
			it.Suggestions = append(it.Suggestions, lookupItem{ID: res.ID, Ref: res.Ref, Title: res.Title,
				Score: int(res.Score*100 + 0.5)})
		}
		d.Items = append(d.Items, it)
	}
	p := page{Title: "未答问题", Nav: "unanswered", Session: ss, D: d}
	if m := r.URL.Query().Get("attached"); m != "" && len(m) < 64 {
		p.Flash = "已把问题挂到措施 " + m + "，下次有人这样问就能答上了"
	}
	s.render(w, r, http.StatusOK, "unanswered.html", p)
}

func (s *Server) attachSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	_, mid, err := s.attach(r.Context(), ss.User, r.PathValue("id"), r.PostForm.Get("measure"))
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	http.Redirect(w, r, "/console/unanswered?attached="+url.QueryEscape(mid), http.StatusSeeOther)
}

type dashData struct {
	S     Stats
	Chart chart
	Ask   chart
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	st, err := s.stats(r.Context())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := dashData{S: st, Chart: ticketChart(st), Ask: askChart(st)}
	s.render(w, r, http.StatusOK, "dashboard.html", page{Title: "数据看板", Nav: "dashboard", Session: ss, D: d})
}
