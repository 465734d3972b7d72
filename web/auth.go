package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"huiqi/intake"
)

const (
	sessionCookie = "huiqi_session"
	loginCookie   = "huiqi_login" // double-submit CSRF token of the sign-in form
)

// sessionFrom finds the request's session: a bearer token, else the cookie.
// viaCookie tells the caller a CSRF token is needed on unsafe methods.
func (s *Server) sessionFrom(r *http.Request) (ss Session, token string, viaCookie bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return Session{}, "", false, ErrNoSession
		}
		ss, err = s.acc.Session(r.Context(), strings.TrimSpace(tok))
		return ss, tok, false, err
	}
	c, cerr := r.Cookie(sessionCookie)
	if cerr != nil {
		return Session{}, "", false, ErrNoSession
	}
	ss, err = s.acc.Session(r.Context(), c.Value)
	return ss, c.Value, true, err
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

// setSessionCookie gives the browser the session for as long as it lasts on
// the server's clock. The lifetime is sent as Max-Age, a duration, not as an
// Expires date: the browser counts it on its own clock, so a server whose
// clock is fixed (HUIQI_NOW, tests) or skewed still hands out cookies that
// live exactly as long as their session.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	maxAge := int(expires.Sub(s.now()) / time.Second)
	if maxAge < 1 {
		maxAge = 1
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// unsafeMethod is a method that changes something and so needs CSRF proof.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

type staffHandler func(w http.ResponseWriter, r *http.Request, ss *Session)

// staffAPI authenticates a staff JSON request: 401 without a session, 403
// for a cookie session's POST without the right X-CSRF-Token.
func (s *Server) staffAPI(h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, _, viaCookie, err := s.sessionFrom(r)
		if errors.Is(err, ErrNoSession) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="huiqi"`)
			writeError(w, r, s.log, errorf(CodeUnauthorized, "请先登录"))
			return
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if viaCookie && unsafeMethod(r.Method) && !equalTokens(r.Header.Get("X-CSRF-Token"), ss.CSRF) {
			writeError(w, r, s.log, errorf(CodeForbidden, "请求缺少有效的 CSRF 令牌，请刷新页面后重试"))
			return
		}
		h(w, r, &ss)
	}
}

// loginAllowed applies the sign-in limits per client IP and per name.
func (s *Server) loginAllowed(r *http.Request, name string) bool {
	okIP := s.logins.Allow("ip:" + limitKey(s.clientIP(r)))
	okName := s.logins.Allow("name:" + strings.ToLower(strings.TrimSpace(name)))
	return okIP && okName
}

var errTooManyLogins = &Error{Code: CodeRateLimited, Message: "登录尝试过于频繁，请稍后再试"}
var errBadLogin = &Error{Code: CodeUnauthorized, Message: "账号或密码不正确"}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token   string    `json:"token"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
	User    userView  `json:"user"`
}

type userView struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Unit string `json:"unit,omitempty"`
}

// login checks the credentials (rate-limited) and starts a session.
func (s *Server) login(ctx context.Context, r *http.Request, name, password string) (string, Session, error) {
	if !s.loginAllowed(r, name) {
		return "", Session{}, errTooManyLogins
	}
	u, err := s.acc.Authenticate(ctx, name, password)
	if errors.Is(err, ErrBadLogin) {
		s.log.InfoContext(ctx, "sign-in refused", "ip", s.clientIP(r))
		return "", Session{}, errBadLogin
	}
	if err != nil {
		return "", Session{}, err
	}
	return s.acc.NewSession(ctx, u)
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	tok, ss, err := s.login(r.Context(), r, req.Name, req.Password)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: tok, CSRF: ss.CSRF, Expires: ss.Expires,
		User: userView{Name: ss.User.Name, Role: ss.User.Role, Unit: ss.User.Unit}})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, ss *Session) {
	_, tok, viaCookie, _ := s.sessionFrom(r)
	if err := s.acc.EndSession(r.Context(), tok); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if viaCookie {
		s.clearCookie(w, r, sessionCookie)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// canSee reports whether the user may see ticket t: unit staff only their
// unit's tickets (leading or co-handling).
func canSee(u User, t intake.Ticket) bool {
	if u.Role != RoleUnit {
		return true
	}
	return t.LeadUnit == u.Unit || slices.Contains(t.CoUnits, u.Unit)
}

// movesFor is what the workflow lets the user do next with t: the desk's
// staff (hotline, admin) make every move intake allows a person, unit staff
// only the handling unit's moves, and only on tickets their unit leads.
func movesFor(u User, t intake.Ticket) []Move {
	if u.Role == RoleUnit && t.LeadUnit != u.Unit {
		return nil
	}
	var out []Move
	for _, tr := range t.Status.Next() {
		m := Move{To: tr.To, ByUnit: tr.By == intake.ActorUnit, Need: tr.Need.Hint()}
		if u.Role != RoleUnit || m.ByUnit {
			out = append(out, m)
		}
	}
	return out
}

// canFile reports whether the user may file tickets for callers.
func canFile(u User) bool { return u.Role == RoleHotline || u.Role == RoleAdmin }

// canReview reports whether the user may review unanswered questions.
func canReview(u User) bool { return u.Role == RoleHotline || u.Role == RoleAdmin }

var errForbiddenTicket = &Error{Code: CodeForbidden, Message: "您没有权限查看这张工单"}
