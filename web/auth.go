package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"huiqi/intake"
)

const (
	sessionCookie = "huiqi_session"
	loginCookie   = "huiqi_login" // double-submit CSRF token of the sign-in form
	loginPath     = "/console/login"
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

// clearCookie tells the browser to drop cookie name, which was set on path:
// a cookie is only replaced by one of the same name and path.
func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
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
		// Staff answers carry enterprises' names and contacts: no cache,
		// shared or private, may keep them.
		w.Header().Set("Cache-Control", "no-store")
		if viaCookie && unsafeMethod(r.Method) && !equalTokens(r.Header.Get("X-CSRF-Token"), ss.CSRF) {
			writeError(w, r, s.log, errorf(CodeForbidden, "请求缺少有效的 CSRF 令牌，请刷新页面后重试"))
			return
		}
		h(w, r, &ss)
	}
}

// tooManyLogins says how long to wait, in Chinese.
func tooManyLogins(wait time.Duration) *Error {
	secs := int(wait.Round(time.Second) / time.Second)
	when := fmt.Sprintf("%d 秒", max(secs, 1))
	if secs >= 90 {
		when = fmt.Sprintf("%d 分钟", (secs+59)/60)
	}
	return &Error{Code: CodeRateLimited, Message: "密码错误次数较多，为保护账号，请 " + when + "后再试"}
}

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

// login checks the credentials (slowed by the sign-in guard) and starts a
// session.
func (s *Server) login(ctx context.Context, r *http.Request, name, password string) (string, Session, error) {
	addr := limitKey(s.clientIP(r))
	if ok, wait := s.signins.allow(addr, name); !ok {
		return "", Session{}, &retryAfter{tooManyLogins(wait), wait}
	}
	u, err := s.acc.Authenticate(ctx, name, password)
	if errors.Is(err, ErrBadLogin) {
		s.signins.failed(addr, name)
		s.log.InfoContext(ctx, "sign-in refused", "ip", s.clientIP(r))
		return "", Session{}, errBadLogin
	}
	if err != nil {
		return "", Session{}, err
	}
	s.signins.succeeded(addr)
	return s.acc.NewSession(ctx, u)
}

var errBadCurrent = &Error{Code: CodeUnauthorized, Message: "原密码不正确"}

// changePassword changes u's password when current is right (checked under
// the sign-in guard), ends all of u's sessions and starts a new one.
func (s *Server) changePassword(r *http.Request, u User, current, password string) (string, Session, error) {
	ctx := r.Context()
	addr := limitKey(s.clientIP(r))
	if ok, wait := s.signins.allow(addr, u.Name); !ok {
		return "", Session{}, &retryAfter{tooManyLogins(wait), wait}
	}
	err := s.acc.ChangePassword(ctx, u, current, password)
	if errors.Is(err, ErrBadLogin) {
		s.signins.failed(addr, u.Name)
		return "", Session{}, errBadCurrent
	}
	if err != nil {
		return "", Session{}, err
	}
	s.log.InfoContext(ctx, "password changed", "user", u.Name, "ip", s.clientIP(r))
	return s.acc.NewSession(ctx, u)
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// apiPassword changes the caller's password; the answer carries the new
// session, the old token (and every other) no longer works.
func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request, ss *Session) {
	var req passwordRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	tok, ns, err := s.changePassword(r, ss.User, req.Current, req.New)
	if err != nil {
		setRetryAfter(w, err)
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: tok, CSRF: ns.CSRF, Expires: ns.Expires,
		User: userView{Name: ns.User.Name, Role: ns.User.Role, Unit: ns.User.Unit}})
}

// retryAfter is an error that tells the client when to come back.
type retryAfter struct {
	err  *Error
	wait time.Duration
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }

// setRetryAfter sets the Retry-After header of an error that carries one.
func setRetryAfter(w http.ResponseWriter, err error) {
	var ra *retryAfter
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((ra.wait+time.Second-1)/time.Second))))
	}
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // the answer is a token
	var req loginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	tok, ss, err := s.login(r.Context(), r, req.Name, req.Password)
	if err != nil {
		setRetryAfter(w, err)
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
		s.clearCookie(w, r, sessionCookie, "/")
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// staffOf is the user as intake's roles see them.
func staffOf(u User) intake.Staff { return intake.Staff{Role: u.Role, Unit: u.Unit} }

// canSee reports whether the user may see ticket t (roles.json's sees).
func (s *Server) canSee(u User, t intake.Ticket) bool { return s.roles.Sees(staffOf(u), t) }

// may reports whether the user's role grants a.
func (s *Server) may(u User, a intake.Ability) bool { return s.roles.May(staffOf(u), a) }

// movesFor is what the user may do next with t: intake's workflow moves
// that the user's role makes on this ticket.
func (s *Server) movesFor(u User, t intake.Ticket) []Move {
	var out []Move
	for _, tr := range s.roles.Moves(staffOf(u), t) {
		out = append(out, Move{To: tr.To, ByUnit: tr.By == intake.ActorUnit, Need: tr.Need.Hint(), Extend: tr.To == intake.Extend})
	}
	return out
}

// errNoTicket is what a user hears of a ticket that does not exist and of
// one they may not see alike, so ids of other units' tickets tell nothing.
var errNoTicket = &Error{Code: CodeNotFound, Message: "没有找到这张工单"}
