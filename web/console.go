package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"huiqi/intake"
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
	// Links are the console's pages the signed-in user's role may use.
	Links []navLink
	D     any
}

// navLink is one page in the console's navigation.
type navLink struct {
	Href, Label string
	On          bool
}

// consolePages are the console's pages in the navigation's order, each
// with the ability it needs ("" for every role).
var consolePages = []struct {
	nav, href, label string
	need             intake.Ability
}{
	{"lookup", "/console/lookup", "政策查询", ""},
	{"tickets", "/console/tickets", "工单队列", ""},
	{"new", "/console/new", "代企业登记", intake.AbilityFile},
	{"unanswered", "/console/unanswered", "未答问题", intake.AbilityReview},
	{"dashboard", "/console/dashboard", "数据看板", intake.AbilityDashboard},
	{"notices", "/console/notices", "政策文件", intake.AbilityNotices},
}

// links are the pages u may use, with the current one marked.
func (s *Server) links(u User, current string) []navLink {
	var out []navLink
	for _, p := range consolePages {
		if p.need == intake.AbilityNotices && s.cfg.Notices == nil {
			continue // no notice desk wired
		}
		if p.need == "" || s.may(u, p.need) {
			out = append(out, navLink{Href: p.href, Label: p.label, On: p.nav == current})
		}
	}
	return out
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Docs = s.kb.Scope().Docs()
	if p.Session != nil {
		p.CSRF = p.Session.CSRF
		p.Links = s.links(p.Session.User, p.Nav)
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
		ss, ok := s.consoleSession(w, r)
		if !ok {
			return
		}
		if unsafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
			if err := r.ParseForm(); err != nil {
				s.renderError(w, r, &ss, classifyForm(err))
				return
			}
			if !s.checkCSRF(w, r, &ss) {
				return
			}
		}
		h(w, r, &ss)
	}
}

// consoleSession is the request's signed-in session. Without one it
// answers the request itself — a form sent: 登录已失效; a page: the
// sign-in, coming back here — and reports false.
func (s *Server) consoleSession(w http.ResponseWriter, r *http.Request) (Session, bool) {
	c, err := r.Cookie(sessionCookie)
	var ss Session
	if err == nil {
		ss, err = s.acc.Session(r.Context(), c.Value)
	}
	switch {
	case err == nil:
		return ss, true
	case !errors.Is(err, ErrNoSession) && !errors.Is(err, http.ErrNoCookie):
		s.renderError(w, r, nil, err)
	case unsafeMethod(r.Method):
		s.renderError(w, r, nil, errorf(CodeUnauthorized, "登录已失效，请重新登录"))
	default:
		http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
	return Session{}, false
}

// checkCSRF reports whether the parsed form carries the session's CSRF
// token, and answers the request when it does not.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request, ss *Session) bool {
	if equalTokens(r.PostForm.Get("csrf"), ss.CSRF) {
		return true
	}
	s.renderError(w, r, ss, errorf(CodeForbidden, "表单已过期或来源不明（CSRF 校验失败），请返回刷新后重试"))
	return false
}

func classifyForm(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &Error{Code: CodeInvalid, Message: "表单内容有误", Err: err}
}

// safeNext keeps a post-login redirect on this site's console; "" sends
// the user to their role's home.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && next != "/console/" && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return ""
}

// homePages are the console pages a role's home (roles.json) names.
var homePages = map[string]string{
	"lookup":    "/console/lookup",
	"queue":     "/console/tickets",
	"dashboard": "/console/dashboard",
}

// home is where the user's work starts: unit staff their queue, the
// hotline the lookup, admins the dashboard.
func (s *Server) home(u User) string {
	if r, ok := s.roles.Get(u.Role); ok {
		if p, ok := homePages[r.Home]; ok {
			return p
		}
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
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: loginPath,
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
		setRetryAfter(w, err)
		fresh := randomToken(24)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: fresh, Path: loginPath,
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
		s.render(w, r, statusOf(e.Code), "login.html", page{Title: "登录", CSRF: fresh, Error: e.Message,
			D: loginData{Next: next, Name: name}})
		return
	}
	s.clearCookie(w, r, loginCookie, loginPath)
	s.setSessionCookie(w, r, tok, ss.Expires)
	if next == "" {
		next = s.home(ss.User)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.acc.EndSession(r.Context(), c.Value); err != nil {
			s.renderError(w, r, ss, err)
			return
		}
	}
	s.clearCookie(w, r, sessionCookie, "/")
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	p := page{Title: "修改密码", Nav: "password", Session: ss}
	if r.URL.Query().Get("changed") != "" {
		p.Flash = "密码已修改。这个账号在其他地方的登录都已退出。"
	}
	s.render(w, r, http.StatusOK, "password.html", p)
}

// passwordSubmit changes the signed-in user's password: every session of
// the account ends, and this browser gets a new one (post, redirect, get).
// Wrong current passwords count as failed sign-ins.
func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	f := r.PostForm
	again := func(status int, msg string) {
		s.render(w, r, status, "password.html", page{Title: "修改密码", Nav: "password", Session: ss, Error: msg})
	}
	if f.Get("new") != f.Get("repeat") {
		again(http.StatusBadRequest, "两次输入的新密码不一致")
		return
	}
	tok, ns, err := s.changePassword(r, ss.User, f.Get("current"), f.Get("new"))
	if err != nil {
		e := classify(err)
		if e.Code == CodeInvalid || e.Code == CodeUnauthorized || e.Code == CodeRateLimited {
			setRetryAfter(w, err)
			again(statusOf(e.Code), e.Message)
			return
		}
		s.renderError(w, r, ss, err)
		return
	}
	s.setSessionCookie(w, r, tok, ns.Expires)
	http.Redirect(w, r, "/console/password?changed=1", http.StatusSeeOther)
}
