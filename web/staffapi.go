package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"huiqi/intake"
	"huiqi/knowledge"
)

// staffTicket is a ticket as staff see it (everything intake keeps but the
// secret), with what this user may do next.
type staffTicket struct {
	intake.Ticket
	Moves []Move `json:"moves"`
}

func (s *Server) staffView(u User, t intake.Ticket) staffTicket {
	t.CoUnits, t.Measures = nonNil(t.CoUnits), nonNil(t.Measures)
	if t.Events == nil {
		t.Events = []intake.Event{}
	}
	t.Secret = ""
	v := staffTicket{Ticket: t, Moves: s.movesFor(u, t)}
	if v.Moves == nil {
		v.Moves = []Move{}
	}
	return v
}

func nonNilQ(qs []Question) []Question {
	if qs == nil {
		return []Question{}
	}
	return qs
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// queueFor returns the page p of the queue the user asked for: unit staff
// get their own unit's only, and asking for another unit is forbidden.
func (s *Server) queueFor(ctx context.Context, u User, unit string, p intake.Page) (intake.TicketPage, string, error) {
	unit = strings.TrimSpace(unit)
	if !s.roles.WholeDistrict(staffOf(u)) {
		if unit != "" && !s.roles.SeesUnit(staffOf(u), unit) {
			return intake.TicketPage{}, "", &Error{Code: CodeForbidden, Message: "您只能查看本单位的工单"}
		}
		unit = u.Unit
	}
	tp, err := s.tickets.QueuePage(ctx, unit, p)
	if err != nil {
		return intake.TicketPage{}, "", err
	}
	// Defence in depth: never hand unit staff another unit's ticket.
	out := tp.Tickets[:0:0]
	for _, t := range tp.Tickets {
		if s.canSee(u, t) {
			out = append(out, t)
		}
	}
	tp.Tickets = out
	return tp, unit, nil
}

// queueResponse is a page of GET /api/staff/tickets.
type queueResponse struct {
	Unit    string        `json:"unit"`
	Tickets []staffTicket `json:"tickets"`
	// Next is the cursor of the next page (?after=), "" after the last.
	Next string `json:"next,omitempty"`
}

func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request, ss *Session) {
	p, err := pageOf(r.URL.Query())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	tp, unit, err := s.queueFor(r.Context(), ss.User, r.URL.Query().Get("unit"), p)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	resp := queueResponse{Unit: unit, Tickets: make([]staffTicket, 0, len(tp.Tickets)), Next: tp.Next}
	for _, t := range tp.Tickets {
		resp.Tickets = append(resp.Tickets, s.staffView(ss.User, t))
	}
	writeJSON(w, http.StatusOK, resp)
}

// loadTicket loads a ticket the user may see; one they may not see is not
// found, like one that does not exist.
func (s *Server) loadTicket(ctx context.Context, u User, id string) (intake.Ticket, error) {
	if id == "" || len(id) > 64 {
		return intake.Ticket{}, errNoTicket
	}
	t, err := s.tickets.Get(ctx, id)
	if errors.Is(err, intake.ErrNotFound) {
		return intake.Ticket{}, errNoTicket
	}
	if err != nil {
		return intake.Ticket{}, err
	}
	if !s.canSee(u, t) {
		return intake.Ticket{}, errNoTicket
	}
	return t, nil
}

func (s *Server) apiStaffTicket(w http.ResponseWriter, r *http.Request, ss *Session) {
	t, err := s.loadTicket(r.Context(), ss.User, r.PathValue("id"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, s.staffView(ss.User, t))
}

// moveRequest is a move of the staff API: note alone takes intake's
// default (the reply of 已办结 and the rating of 已回访 are told to the
// enterprise, other notes stay with staff); told and internal say it
// apart.
type moveRequest struct {
	To       string `json:"to"`
	Note     string `json:"note"`
	Told     string `json:"told"`
	Internal string `json:"internal"`
}

// move checks the user may make the move and makes it.
func (s *Server) move(ctx context.Context, u User, id string, req moveRequest) (intake.Ticket, error) {
	t, err := s.loadTicket(ctx, u, id)
	if err != nil {
		return intake.Ticket{}, err
	}
	for _, f := range []*string{&req.Note, &req.Told, &req.Internal} {
		if *f, err = cleanText(*f, "办理说明", maxText, false); err != nil {
			return intake.Ticket{}, err
		}
	}
	st := intake.Status(strings.TrimSpace(req.To))
	if !s.roles.MayMove(staffOf(u), t, st) {
		if t.Status.Allows(st) {
			return intake.Ticket{}, &Error{Code: CodeForbidden, Message: "这一步不由您办理（" + s.roles.Label(u.Role) + "不能把这张工单改为“" + string(st) + "”）"}
		}
		return intake.Ticket{}, errorf(CodeInvalid, "工单当前状态为“%s”，不能改为“%s”", t.Status, st)
	}
	switch {
	case req.Told == "" && req.Internal == "":
		return s.tickets.Move(ctx, t.ID, st, s.byName(u), req.Note)
	case st == intake.Extend:
		// The enterprise is told the new deadline; the reason stays inside.
		return s.tickets.Move(ctx, t.ID, st, s.byName(u), strings.TrimSpace(req.Internal+" "+req.Told))
	}
	return s.tickets.MoveWith(ctx, t.ID, st, s.byName(u), intake.Remark{Told: req.Told, Internal: req.Internal})
}

// byName is how a staff member appears in a ticket's history.
func (s *Server) byName(u User) string {
	if u.Unit != "" {
		return u.Name + "（" + u.Unit + "）"
	}
	return u.Name + "（" + s.roles.Label(u.Role) + "）"
}

func (s *Server) apiMove(w http.ResponseWriter, r *http.Request, ss *Session) {
	var req moveRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	t, err := s.move(r.Context(), ss.User, r.PathValue("id"), req)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, s.staffView(ss.User, t))
}

func (s *Server) apiStaffFile(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityFile) {
		writeError(w, r, s.log, errForbiddenFile)
		return
	}
	s.file(w, r, intake.ChannelHotline, s.byName(ss.User), staffScope(ss.User))
}

// staffScope scopes a staff member's filing keys to their account, on the
// staff API and in the console alike.
func staffScope(u User) string { return "staff:" + strconv.FormatInt(u.ID, 10) }

var errForbiddenFile = &Error{Code: CodeForbidden, Message: "只有热线坐席和管理员可以代为登记工单"}

var errForbiddenDashboard = &Error{Code: CodeForbidden, Message: "您的角色不能查看数据看板"}

var errForbiddenReview = &Error{Code: CodeForbidden, Message: "只有热线坐席和管理员可以处理未答问题"}

func (s *Server) apiUnanswered(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityReview) {
		writeError(w, r, s.log, errForbiddenReview)
		return
	}
	p, err := pageOf(r.URL.Query())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	qs, next, err := s.reviewPage(r.Context(), p)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"questions": nonNilQ(qs), "next": next})
}

type attachRequest struct {
	Measure string `json:"measure"`
}

// attach finds the question, adds it to the live knowledge base and stores it.
func (s *Server) attach(ctx context.Context, u User, questionID, measure string) (Question, string, error) {
	if !s.may(u, intake.AbilityReview) {
		return Question{}, "", errForbiddenReview
	}
	m, ok := s.kb.Measure(strings.TrimSpace(measure))
	if !ok {
		return Question{}, "", errorf(CodeInvalid, "没有这条措施：%s", measure)
	}
	qs, err := s.reviewList(ctx)
	if err != nil {
		return Question{}, "", err
	}
	var q Question
	for _, x := range qs {
		if x.ID == questionID {
			q = x
		}
	}
	if q.ID == "" {
		return Question{}, "", errorf(CodeNotFound, "没有找到这个问题，可能已经处理过了")
	}
	// Kept in knowledge's table, which the knowledge base reads at every
	// start, then off the review list.
	if err := knowledge.SaveQuestion(ctx, s.db.DB, m.ID, q.Text); err != nil {
		return Question{}, "", err
	}
	if err := s.qs.ResolveUnanswered(ctx, q.Text, m.ID); err != nil {
		return Question{}, "", err
	}
	if err := s.kb.AddQuestion(m.ID, q.Text); err != nil {
		return Question{}, "", err
	}
	return q, m.ID, nil
}

func (s *Server) apiAttach(w http.ResponseWriter, r *http.Request, ss *Session) {
	var req attachRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	q, mid, err := s.attach(r.Context(), ss.User, r.PathValue("id"), req.Measure)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"question": q.Text, "measure": mid})
}

// stats are intake's ticket counts plus the questions asked (stored and
// not yet flushed).
func (s *Server) stats(ctx context.Context) (Stats, error) {
	is, err := s.tickets.Stats(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{ByUnit: map[string]map[string]int{}, Overdue: is.Overdue, Total: is.Total,
		Escalated: is.Escalated, PendingReview: is.Unanswered}
	for u, by := range is.ByUnit {
		m := map[string]int{}
		for status, n := range by {
			m[string(status)] = n
		}
		st.ByUnit[u] = m
	}
	a, u, err := s.acc.AskCounts(ctx)
	if err != nil {
		return Stats{}, err
	}
	st.Answered += a + int(s.answered.Load())
	st.Unanswered += u + int(s.unanswered.Load())
	return st, nil
}

// reviewList lists the questions waiting for review, each named by a hash
// of its text (intake keys them by text; the id goes in URLs).
func (s *Server) reviewList(ctx context.Context) ([]Question, error) {
	list, err := s.qs.Unanswered(ctx)
	if err != nil {
		return nil, err
	}
	return questions(list), nil
}

// reviewPage is one page of the review list and the cursor of the next.
func (s *Server) reviewPage(ctx context.Context, p intake.Page) ([]Question, string, error) {
	qp, err := s.qs.UnansweredPage(ctx, p)
	if err != nil {
		return nil, "", err
	}
	return questions(qp.Questions), qp.Next, nil
}

func questions(list []intake.Unanswered) []Question {
	out := make([]Question, 0, len(list))
	for _, q := range list {
		out = append(out, Question{ID: questionID(q.Question), Text: q.Question, At: q.LastAt, Count: q.Count})
	}
	return out
}

func questionID(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:8])
}

func (s *Server) apiStats(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityDashboard) {
		writeError(w, r, s.log, errForbiddenDashboard)
		return
	}
	st, err := s.stats(r.Context())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

type rerouteRequest struct {
	LeadUnit string   `json:"lead_unit"`
	CoUnits  []string `json:"co_units"`
	Note     string   `json:"note"`
}

// units are the responsible units the knowledge base knows, sorted.
func (s *Server) units() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range s.kb.Measures() {
		for _, u := range m.Units {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	sort.Strings(out)
	return out
}

// reroute lets the desk (hotline, admin) send a ticket to other known units.
func (s *Server) reroute(ctx context.Context, u User, id string, req rerouteRequest) (intake.Ticket, error) {
	if !s.may(u, intake.AbilityReroute) {
		return intake.Ticket{}, &Error{Code: CodeForbidden, Message: "改派由平台坐席办理；如职能不符，请用“退单”并写明原因"}
	}
	t, err := s.loadTicket(ctx, u, id)
	if err != nil {
		return intake.Ticket{}, err
	}
	if !t.Status.CanReroute() {
		return intake.Ticket{}, errorf(CodeInvalid, "工单已由单位签收，不能再改派")
	}
	known := s.units()
	lead := strings.TrimSpace(req.LeadUnit)
	if !slices.Contains(known, lead) {
		return intake.Ticket{}, errorf(CodeInvalid, "请选择牵头单位（“%s”不是已知的责任单位）", lead)
	}
	var co []string
	for _, c := range req.CoUnits {
		c = strings.TrimSpace(c)
		if c == "" || c == lead || slices.Contains(co, c) {
			continue
		}
		if !slices.Contains(known, c) {
			return intake.Ticket{}, errorf(CodeInvalid, "“%s”不是已知的责任单位", c)
		}
		co = append(co, c)
	}
	note, err := cleanText(req.Note, "改派原因", maxText, true)
	if err != nil {
		return intake.Ticket{}, err
	}
	return s.tickets.Reroute(ctx, t.ID, intake.Route{Matched: true, LeadUnit: lead, CoUnits: co}, s.byName(u), note)
}

func (s *Server) apiReroute(w http.ResponseWriter, r *http.Request, ss *Session) {
	var req rerouteRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	t, err := s.reroute(r.Context(), ss.User, r.PathValue("id"), req)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, s.staffView(ss.User, t))
}
