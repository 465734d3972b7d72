package web

// The console's policy-notice pages, for the accounts whose role may
// manage notices (admin): the list of notices with their status, a form to
// paste or upload a new one (a draft), its preview — items, units, amounts,
// dates and what the parser skipped — and publishing or withdrawing it,
// each step recorded with who took it.

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"huiqi/intake"
	"huiqi/knowledge"
)

// NoticeDesk is the staff workflow over ingested notices (*knowledge.Desk
// satisfies it): publishing and withdrawing change what is answered.
type NoticeDesk interface {
	List(ctx context.Context) ([]knowledge.NoticeInfo, error)
	Preview(ctx context.Context, id int64) (knowledge.Preview, error)
	Ingest(ctx context.Context, up knowledge.Upload) (int64, error)
	Publish(ctx context.Context, id int64, by string) error
	Withdraw(ctx context.Context, id int64, by, note string) error
}

// maxUpload bounds a notice handed in through the console.
const maxUpload = knowledge.MaxNoticeBytes + 64<<10

type policyListData struct {
	Notices []knowledge.NoticeInfo
	// Form keeps what was typed when an upload is refused.
	Paste, Place, Issuer, Supersedes string
}

type policyData struct {
	P knowledge.Preview
	// Published: the notice is answered from; Withdrawable/Publishable say
	// which button the page shows.
	Publishable, Withdrawable bool
}

// policyDesk guards a notice page: the desk must be wired and the user's role
// may manage notices, else the page does not exist for them.
func (s *Server) policyDesk(h consoleHandler) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, ss *Session) {
		if s.cfg.Notices == nil || !s.may(ss.User, intake.AbilityNotices) {
			s.renderError(w, r, ss, errorf(CodeNotFound, "没有这个页面"))
			return
		}
		h(w, r, ss)
	}
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	s.renderNotices(w, r, ss, policyListData{}, "")
}

func (s *Server) renderNotices(w http.ResponseWriter, r *http.Request, ss *Session, d policyListData, problem string) {
	list, err := s.cfg.Notices.List(r.Context())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d.Notices = list
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "notices.html", page{Title: "政策文件", Nav: "notices", Session: ss, Error: problem, D: d})
}

// noticeUpload is the console's guard for the upload form: a signed-in
// session with the CSRF token, like console, but reading a multipart body
// up to the size of a notice file (console reads forms of MaxBody).
func (s *Server) noticeUpload(h consoleHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.consoleSession(w, r)
		if !ok {
			return
		}
		var err error
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			err = r.ParseMultipartForm(maxUpload)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.renderError(w, r, &ss, errorf(CodeTooLarge, "文件太大（最多 %d MB）", knowledge.MaxNoticeBytes>>20))
				return
			}
			s.renderError(w, r, &ss, classifyForm(err))
			return
		}
		if !s.checkCSRF(w, r, &ss) {
			return
		}
		h(w, r, &ss)
	}
}

// noticeSubmit ingests a pasted text or an uploaded file as a draft and
// shows its preview.
func (s *Server) noticeSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	d := policyListData{Paste: r.PostFormValue("text"), Place: r.PostFormValue("place"),
		Issuer: r.PostFormValue("issuer"), Supersedes: r.PostFormValue("supersedes")}
	up := knowledge.Upload{Place: d.Place, Issuer: d.Issuer, Supersedes: d.Supersedes, By: ss.User.Name}
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		src, err := readUpload(file)
		if err != nil {
			s.renderNotices(w, r, ss, d, "文件无法读取："+err.Error())
			return
		}
		up.Name, up.Source = hdr.Filename, src
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		s.renderNotices(w, r, ss, d, "文件无法读取："+err.Error())
		return
	}
	if len(up.Source) == 0 {
		if strings.TrimSpace(d.Paste) == "" {
			s.renderNotices(w, r, ss, d, "请粘贴文件全文，或选择一个 .txt、.html、.docx 文件。")
			return
		}
		up.Name, up.Source = "粘贴.txt", []byte(d.Paste)
		if looksLikeHTML(d.Paste) {
			up.Name = "粘贴.html"
		}
	}
	id, err := s.cfg.Notices.Ingest(r.Context(), up)
	if err != nil {
		e := classify(err)
		if statusOf(e.Code) >= 500 {
			s.renderError(w, r, ss, err)
			return
		}
		s.renderNotices(w, r, ss, d, "未能导入："+e.Message)
		return
	}
	http.Redirect(w, r, "/console/notices/"+strconv.FormatInt(id, 10)+"?ingested=1", http.StatusSeeOther)
}

func looksLikeHTML(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(t, "<!doctype html") || strings.HasPrefix(t, "<html") || strings.Contains(t[:min(len(t), 2000)], "<body")
}

func readUpload(f multipart.File) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, knowledge.MaxNoticeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > knowledge.MaxNoticeBytes {
		return nil, errors.New("文件太大")
	}
	return b, nil
}

func (s *Server) noticeID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request, ss *Session) {
	id, ok := s.noticeID(r)
	if !ok {
		s.renderError(w, r, ss, errorf(CodeNotFound, "没有这个政策文件"))
		return
	}
	pv, err := s.cfg.Notices.Preview(r.Context(), id)
	if err != nil {
		if errors.Is(err, knowledge.ErrNoNotice) {
			err = errorf(CodeNotFound, "没有这个政策文件")
		}
		s.renderError(w, r, ss, err)
		return
	}
	p := page{Title: "政策文件 " + strconv.FormatInt(id, 10), Nav: "notices", Session: ss,
		D: policyData{P: pv, Publishable: pv.State != knowledge.Published, Withdrawable: pv.State == knowledge.Published}}
	switch q := r.URL.Query(); {
	case q.Get("ingested") != "":
		p.Flash = "已存为草稿。请核对下面的条目、责任单位、金额和日期，确认无误后发布。"
	case q.Get("published") != "":
		p.Flash = "已发布：惠企助手现在按这份文件回答。"
	case q.Get("withdrawn") != "":
		p.Flash = "已撤回：惠企助手不再按这份文件回答（文件仍保留，可再次发布）。"
	}
	s.render(w, r, http.StatusOK, "notice.html", p)
}

// noticeMove publishes or withdraws a notice, as the signed-in user.
func (s *Server) noticeMove(publish bool) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, ss *Session) {
		id, ok := s.noticeID(r)
		if !ok {
			s.renderError(w, r, ss, errorf(CodeNotFound, "没有这个政策文件"))
			return
		}
		var err error
		done := "published"
		if publish {
			err = s.cfg.Notices.Publish(r.Context(), id, ss.User.Name)
		} else {
			done = "withdrawn"
			err = s.cfg.Notices.Withdraw(r.Context(), id, ss.User.Name, strings.TrimSpace(r.PostForm.Get("note")))
		}
		if err != nil {
			if errors.Is(err, knowledge.ErrNoNotice) {
				err = errorf(CodeNotFound, "没有这个政策文件")
			}
			s.renderError(w, r, ss, err)
			return
		}
		http.Redirect(w, r, "/console/notices/"+url.PathEscape(strconv.FormatInt(id, 10))+"?"+done+"=1", http.StatusSeeOther)
	}
}
