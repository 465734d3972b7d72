package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"huiqi/bot"
	"huiqi/intake"
	"huiqi/internal/lazyre"
)

// Input limits, in characters.
const (
	maxQuestion = 500
	maxText     = 2000
	maxField    = 200
)

// readJSON checks the content type and reads the size-limited body.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errorf(CodeUnsupportedMedia, "请以 JSON 格式提交（Content-Type: application/json）")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, errorf(CodeInvalid, "请求内容读取失败")
	}
	return body, nil
}

// decodeJSON reads the body into v (one JSON object, unknown fields refused).
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := s.readJSON(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Code: CodeInvalid, Message: "请求内容不是有效的 JSON：" + jsonProblem(err), Err: err}
	}
	if dec.More() {
		return errorf(CodeInvalid, "请求内容只能是一个 JSON 对象")
	}
	return nil
}

// jsonProblem says in Chinese what is wrong with a body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("字段 %s 的类型不对", te.Field)
	case errors.As(err, &se):
		return fmt.Sprintf("第 %d 字节处格式错误", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "不认识的字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF):
		return "内容为空"
	}
	return "格式错误"
}

// cleanText trims s and checks it is present (when required) and not too long.
func cleanText(s, label string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", errorf(CodeInvalid, "%s含有无效字符", label)
	}
	if required && s == "" {
		return "", errorf(CodeInvalid, "请填写%s", label)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", errorf(CodeInvalid, "%s太长了（%d 字），请控制在 %d 字以内", label, n, max)
	}
	return s, nil
}

type askRequest struct {
	Question string `json:"question"`
	Top      int    `json:"top"`
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	q, err := cleanText(req.Question, "问题", maxQuestion, true)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if req.Top == 0 {
		req.Top = 5
	}
	if req.Top < 1 || req.Top > 20 {
		writeError(w, r, s.log, errorf(CodeInvalid, "top 应在 1 到 20 之间"))
		return
	}
	ans := s.kb.Ask(q, req.Top, s.now())
	// Past the address's daily cap a question is still answered, only no
	// longer kept for review.
	keep := !ans.Answered && (s.cfg.DailyQuestions < 0 || s.underCap(r, func(d intake.Daily) bool { return d.Questions < s.cfg.DailyQuestions }))
	s.countAsk(r.Context(), asked{q, s.origin(r)}, ans.Answered, keep)
	writeJSON(w, http.StatusOK, ans)
}

// countAsk counts an answer and, with keep, keeps an unanswered question
// for review.
func (s *Server) countAsk(ctx context.Context, q asked, answered, keep bool) {
	if answered {
		s.answered.Add(1)
		return
	}
	s.unanswered.Add(1)
	if !keep {
		return
	}
	if s.async.Load() {
		select {
		case s.record <- q:
			return
		default: // the writer is behind: store it here rather than lose it
		}
	}
	if err := s.qs.RecordUnansweredFrom(ctx, q.q, "", q.origin); err != nil {
		s.log.WarnContext(ctx, "record unanswered question", "err", err)
	}
}

func (s *Server) apiAward(w http.ResponseWriter, r *http.Request) {
	body, err := s.readJSON(w, r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if s.cfg.Awarder == nil {
		writeError(w, r, s.log, errorf(CodeInternal, "奖励测算暂不可用"))
		return
	}
	rep, err := s.cfg.Awarder.Award(bytes.NewReader(body))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type routeRequest struct {
	Text     string `json:"text"`
	Location string `json:"location"`
}

func (s *Server) apiRoute(w http.ResponseWriter, r *http.Request) {
	var req routeRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	text, err := cleanText(req.Text, "问题描述", maxText, true)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	loc, err := cleanText(req.Location, "所在地", maxField, false)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if s.cfg.Router == nil {
		writeError(w, r, s.log, errorf(CodeInternal, "分派服务暂不可用"))
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Router.Route(text, loc))
}

// conversationID is the shape of a web chat conversation id: long and random
// enough that nobody guesses another's (the id keys the reporter's tickets).
var conversationID = lazyre.New(`^[A-Za-z0-9_-]{16,64}$`)

type chatRequest struct {
	Conversation string            `json:"conversation"`
	Text         string            `json:"text"`
	Action       string            `json:"action"`
	Form         map[string]string `json:"form"`
}

type chatResponse struct {
	Conversation string      `json:"conversation"`
	Replies      []chatReply `json:"replies"`
}

type chatReply struct {
	Text    string       `json:"text,omitempty"`
	Choices []chatChoice `json:"choices,omitempty"`
	Card    *chatCard    `json:"card,omitempty"`
	Form    *chatForm    `json:"form,omitempty"`
	Private bool         `json:"private,omitempty"`
}

type chatChoice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Style string `json:"style,omitempty"`
}

type chatCard struct {
	Title  string      `json:"title"`
	Body   string      `json:"body,omitempty"`
	Fields []chatField `json:"fields,omitempty"`
	Footer string      `json:"footer,omitempty"`
}

type chatField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type chatForm struct {
	ID     string          `json:"id"`
	Title  string          `json:"title"`
	Fields []chatFormField `json:"fields"`
}

type chatFormField struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Placeholder string `json:"placeholder,omitempty"`
	Long        bool   `json:"long,omitempty"`
	Required    bool   `json:"required,omitempty"`
	MaxLen      int    `json:"max_len,omitempty"`
}

func chatReplies(rs []bot.Reply) []chatReply {
	out := make([]chatReply, 0, len(rs))
	for _, r := range rs {
		cr := chatReply{Text: r.Text, Private: r.Private}
		for _, c := range r.Choices {
			cr.Choices = append(cr.Choices, chatChoice{ID: c.ID, Label: c.Label, Style: c.Style})
		}
		if r.Card != nil {
			cr.Card = &chatCard{Title: r.Card.Title, Body: r.Card.Body, Footer: r.Card.Footer}
			for _, f := range r.Card.Fields {
				cr.Card.Fields = append(cr.Card.Fields, chatField{Name: f.Name, Value: f.Value})
			}
		}
		if r.Form != nil {
			cr.Form = &chatForm{ID: r.Form.ID, Title: r.Form.Title}
			for _, f := range r.Form.Fields {
				cr.Form.Fields = append(cr.Form.Fields, chatFormField{Name: f.Name, Label: f.Label,
					Placeholder: f.Placeholder, Long: f.Long, Required: f.Required, MaxLen: f.MaxLen})
			}
		}
		out = append(out, cr)
	}
	return out
}

func (s *Server) apiChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if req.Conversation == "" {
		req.Conversation = randomToken(18)
	} else if !conversationID.MatchString(req.Conversation) {
		writeError(w, r, s.log, errorf(CodeInvalid, "会话编号格式不对（16 到 64 位字母、数字、-、_）"))
		return
	}
	text, err := cleanText(req.Text, "消息", maxText, false)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	action, err := cleanText(req.Action, "操作", maxField, false)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if text == "" && action == "" {
		writeError(w, r, s.log, errorf(CodeInvalid, "请输入消息内容"))
		return
	}
	if len(req.Form) > 20 {
		writeError(w, r, s.log, errorf(CodeInvalid, "表单字段太多"))
		return
	}
	for k, v := range req.Form {
		if _, err := cleanText(v, "表单字段 "+k, maxText, false); err != nil {
			writeError(w, r, s.log, err)
			return
		}
	}
	if s.cfg.Engine == nil {
		writeError(w, r, s.log, errorf(CodeInternal, "在线对话暂不可用"))
		return
	}
	key := bot.Key{Channel: "web", User: req.Conversation}
	// The conversation id is the client's to choose: tickets are budgeted
	// per client address (bot.Input.Source), not per id.
	replies, err := s.cfg.Engine.Handle(r.Context(), key, bot.Input{Text: text, Action: action, Form: req.Form, Source: s.clientIP(r)})
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, chatResponse{Conversation: req.Conversation, Replies: chatReplies(replies)})
}

type fileRequest struct {
	Text       string `json:"text"`
	Enterprise string `json:"enterprise"`
	Contact    string `json:"contact"`
	Location   string `json:"location"`
}

// ticket checks the request and makes it an issue to file by channel, by
// whom (the enterprise, or the staff member filing for a caller).
func (req fileRequest) ticket(channel, by string) (intake.NewTicket, error) {
	var nt intake.NewTicket
	var err error
	if nt.Text, err = cleanText(req.Text, "问题描述", maxText, true); err != nil {
		return nt, err
	}
	if nt.Enterprise, err = cleanText(req.Enterprise, "企业名称", maxField, false); err != nil {
		return nt, err
	}
	if nt.Contact, err = cleanText(req.Contact, "联系方式", maxField, false); err != nil {
		return nt, err
	}
	if nt.Location, err = cleanText(req.Location, "所在地", maxField, false); err != nil {
		return nt, err
	}
	nt.Channel, nt.By = channel, by
	return nt, nil
}

// origin is the request's address as the store's daily counts and
// duplicate folding name it.
func (s *Server) origin(r *http.Request) string { return "ip:" + limitKey(s.clientIP(r)) }

// underCap reports whether the request's address is still under today's
// cap (ok says so of its counts); when the count cannot be read, it is (the
// cap is a brake on spam, not a reason to turn a real enterprise away).
func (s *Server) underCap(r *http.Request, ok func(intake.Daily) bool) bool {
	if s.cfg.Daily == nil {
		return true
	}
	d, err := s.cfg.Daily.DailyCount(r.Context(), s.origin(r))
	if err != nil {
		s.log.WarnContext(r.Context(), "daily count", "err", err)
		return true
	}
	return ok(d)
}

func errDailyTickets(n int) *Error {
	return errorf(CodeRateLimited, "今天从您所在的网络已经提交了 %d 件工单，达到每日上限。请明天再提交；情况紧急的，请联系平台坐席。", n)
}

// idempotencyKey is the request's Idempotency-Key header ("" without one),
// as a string or as the structured-field string ("…") of the IETF draft.
func idempotencyKey(r *http.Request) (string, error) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" && r.Header.Get("Idempotency-Key") == "" {
		return "", nil
	}
	if !validKey(k) {
		return "", errorf(CodeInvalid, "Idempotency-Key 应为 1 到 %d 个可见 ASCII 字符", maxKey)
	}
	return k, nil
}

// maxKey is the longest filing key a client may send.
const maxKey = 128

// validKey reports whether k is 1 to maxKey visible ASCII characters.
func validKey(k string) bool {
	if k == "" || len(k) > maxKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return false
		}
	}
	return true
}

// file files the request's issue and answers 201 with the reporter's
// receipt (the report object of cli.md plus the secret): the public API
// for the enterprise itself, the staff API for a caller (channel 热线).
// With an Idempotency-Key, scoped to scope (the public API, one staff
// account), the same request again files nothing and answers with the
// same receipt, marked Idempotent-Replayed.
func (s *Server) file(w http.ResponseWriter, r *http.Request, channel, by, scope string) {
	key, err := idempotencyKey(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var req fileRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	nt, err := req.ticket(channel, by)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if key != "" {
		nt.Key = scope + ":" + key
	}
	if scope == "api" {
		// A public filing is counted and folded by its address.
		nt.Origin = s.origin(r)
		if s.cfg.DailyTickets >= 0 && !s.underCap(r, func(d intake.Daily) bool { return d.Tickets < s.cfg.DailyTickets }) {
			writeError(w, r, s.log, errDailyTickets(s.cfg.DailyTickets))
			return
		}
	}
	t, err := s.tickets.File(r.Context(), nt)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if t.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Cache-Control", "no-store") // the receipt carries the secret
	status := http.StatusCreated
	if t.Duplicate {
		status = http.StatusOK // the same text again: the ticket filed before, nothing new
	}
	writeJSON(w, status, t.Receipt())
}

func (s *Server) apiFile(w http.ResponseWriter, r *http.Request) {
	s.file(w, r, intake.ChannelOnline, "企业", "api")
}

// apiTicket is the reporter's lookup: without the right secret every answer
// is the same 404, so nobody learns which ids exist.
func (s *Server) apiTicket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	secret := r.URL.Query().Get("secret")
	notFound := errorf(CodeNotFound, "没有找到这张工单，请核对工单编号和查询码")
	if secret == "" || len(secret) > 128 || len(id) > 64 {
		writeError(w, r, s.log, notFound)
		return
	}
	t, err := s.tickets.GetForReporter(r.Context(), id, "", secret)
	if errors.Is(err, intake.ErrNotFound) {
		writeError(w, r, s.log, notFound)
		return
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	// Only what intake lets the enterprise see: no reporter names, no
	// filing text, no internal routing remarks.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, t.Public())
}
