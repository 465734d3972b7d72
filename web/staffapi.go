package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// staffTicket is a ticket with the details only staff see.
type staffTicket struct {
	Ticket
	Text       string `json:"text"`
	Enterprise string `json:"enterprise"`
	Contact    string `json:"contact"`
	Channel    string `json:"channel"`
	Moves      []Move `json:"moves"` // what this user may do next
}

func staffView(u User, t Ticket) staffTicket {
	t = publicTicket(t)
	t.Secret = ""
	v := staffTicket{Ticket: t, Text: t.Text, Enterprise: t.Enterprise, Contact: t.Contact,
		Channel: t.Channel, Moves: movesFor(u, t)}
	if v.Moves == nil {
		v.Moves = []Move{}
	}
	return v
}

// sortQueue puts overdue tickets first, then the nearest deadline.
func sortQueue(ts []Ticket) {
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Overdue != ts[j].Overdue {
			return ts[i].Overdue
		}
		if ts[i].Due != ts[j].Due {
			return ts[i].Due < ts[j].Due
		}
		return ts[i].ID < ts[j].ID
	})
}

// queueFor returns the queue the user asked for: unit staff get their own
// unit's only, and asking for another unit is forbidden.
func (s *Server) queueFor(ctx context.Context, u User, unit string) ([]Ticket, string, error) {
	unit = strings.TrimSpace(unit)
	if u.Role == RoleUnit {
		if unit != "" && unit != u.Unit {
			return nil, "", &Error{Code: CodeForbidden, Message: "您只能查看本单位的工单"}
		}
		unit = u.Unit
	}
	ts, err := s.be.Queue(ctx, unit)
	if err != nil {
		return nil, "", err
	}
	// Defence in depth: never hand unit staff another unit's ticket.
	out := ts[:0:0]
	for _, t := range ts {
		if canSee(u, t) {
			out = append(out, t)
		}
	}
	sortQueue(out)
	return out, unit, nil
}

func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request, ss *Session) {
	ts, unit, err := s.queueFor(r.Context(), ss.User, r.URL.Query().Get("unit"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	views := make([]staffTicket, 0, len(ts))
	for _, t := range ts {
		views = append(views, staffView(ss.User, t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"unit": unit, "tickets": views})
}

// staffTicket loads a ticket the user may see.
func (s *Server) loadTicket(ctx context.Context, u User, id string) (Ticket, error) {
	if id == "" || len(id) > 64 {
		return Ticket{}, errorf(CodeNotFound, "没有找到这张工单")
	}
	t, err := s.be.Get(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	if !canSee(u, t) {
		return Ticket{}, errForbiddenTicket
	}
	return t, nil
}

func (s *Server) apiStaffTicket(w http.ResponseWriter, r *http.Request, ss *Session) {
	t, err := s.loadTicket(r.Context(), ss.User, r.PathValue("id"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, staffView(ss.User, t))
}

type moveRequest struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

// move checks the user may make the move and makes it.
func (s *Server) move(ctx context.Context, u User, id, to, note string) (Ticket, error) {
	t, err := s.loadTicket(ctx, u, id)
	if err != nil {
		return Ticket{}, err
	}
	note, err = cleanText(note, "办理说明", maxText, false)
	if err != nil {
		return Ticket{}, err
	}
	to = strings.TrimSpace(to)
	allowed := false
	for _, m := range movesFor(u, t) {
		allowed = allowed || m.To == to
	}
	if !allowed {
		if u.Role == RoleUnit && (t.LeadUnit != u.Unit || hasMove(t.Next, to)) {
			return Ticket{}, &Error{Code: CodeForbidden, Message: "这一步不由您所在单位办理"}
		}
		return Ticket{}, errorf(CodeInvalid, "工单当前状态为“%s”，不能改为“%s”", t.Status, to)
	}
	return s.be.Move(ctx, id, to, byName(u), note)
}

func hasMove(ms []Move, to string) bool {
	for _, m := range ms {
		if m.To == to {
			return true
		}
	}
	return false
}

// byName is how a staff member appears in a ticket's history.
func byName(u User) string {
	if u.Unit != "" {
		return u.Name + "（" + u.Unit + "）"
	}
	return u.Name + "（" + RoleLabel(u.Role) + "）"
}

func (s *Server) apiMove(w http.ResponseWriter, r *http.Request, ss *Session) {
	var req moveRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	t, err := s.move(r.Context(), ss.User, r.PathValue("id"), req.To, req.Note)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, staffView(ss.User, t))
}

func (s *Server) apiStaffFile(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !canFile(ss.User) {
		writeError(w, r, s.log, &Error{Code: CodeForbidden, Message: "只有热线坐席和管理员可以代为登记工单"})
		return
	}
	var req fileRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	nt, err := req.ticket(ChannelHotline, byName(ss.User))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	t, err := s.be.File(r.Context(), nt)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, reportOf(t))
}

var errForbiddenReview = &Error{Code: CodeForbidden, Message: "只有热线坐席和管理员可以处理未答问题"}

func (s *Server) apiUnanswered(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !canReview(ss.User) {
		writeError(w, r, s.log, errForbiddenReview)
		return
	}
	qs, err := s.be.Unanswered(r.Context())
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if qs == nil {
		qs = []Question{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"questions": qs})
}

type attachRequest struct {
	Measure string `json:"measure"`
}

// attach finds the question, adds it to the live knowledge base and stores it.
func (s *Server) attach(ctx context.Context, u User, questionID, measure string) (Question, string, error) {
	if !canReview(u) {
		return Question{}, "", errForbiddenReview
	}
	m, ok := s.kb.Measure(strings.TrimSpace(measure))
	if !ok {
		return Question{}, "", errorf(CodeInvalid, "没有这条措施：%s", measure)
	}
	qs, err := s.be.Unanswered(ctx)
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
	if err := s.be.Attach(ctx, q.ID, m.ID, q.Text); err != nil {
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

// stats are the backend's counts plus the web's own ask counts.
func (s *Server) stats(ctx context.Context) (Stats, error) {
	st, err := s.be.Stats(ctx)
	if err != nil {
		return Stats{}, err
	}
	a, u, err := s.acc.AskCounts(ctx)
	if err != nil {
		return Stats{}, err
	}
	st.Answered += a + int(s.answered.Load())
	st.Unanswered += u + int(s.unanswered.Load())
	if st.ByUnit == nil {
		st.ByUnit = map[string]map[string]int{}
	}
	return st, nil
}

func (s *Server) apiStats(w http.ResponseWriter, r *http.Request, ss *Session) {
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
func (s *Server) reroute(ctx context.Context, u User, id string, req rerouteRequest) (Ticket, error) {
	if u.Role == RoleUnit {
		return Ticket{}, &Error{Code: CodeForbidden, Message: "改派由平台坐席办理；如职能不符，请用“退单”并写明原因"}
	}
	t, err := s.loadTicket(ctx, u, id)
	if err != nil {
		return Ticket{}, err
	}
	if !t.CanReroute {
		return Ticket{}, errorf(CodeInvalid, "工单已由单位签收，不能再改派")
	}
	known := s.units()
	lead := strings.TrimSpace(req.LeadUnit)
	if !slices.Contains(known, lead) {
		return Ticket{}, errorf(CodeInvalid, "请选择牵头单位（“%s”不是已知的责任单位）", lead)
	}
	var co []string
	for _, c := range req.CoUnits {
		c = strings.TrimSpace(c)
		if c == "" || c == lead || slices.Contains(co, c) {
			continue
		}
		if !slices.Contains(known, c) {
			return Ticket{}, errorf(CodeInvalid, "“%s”不是已知的责任单位", c)
		}
		co = append(co, c)
	}
	note, err := cleanText(req.Note, "改派原因", maxText, true)
	if err != nil {
		return Ticket{}, err
	}
	return s.be.Reroute(ctx, id, lead, co, byName(u), note)
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
	writeJSON(w, http.StatusOK, staffView(ss.User, t))
}
