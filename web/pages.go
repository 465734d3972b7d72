package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"huiqi/intake"
	"huiqi/knowledge"
)

type queueData struct {
	Unit     string
	Units    []string
	Tickets  []intake.Ticket
	Overdue  int // on this page
	CanPick  bool
	FixedFor string
	// Next and First link the next page and back to the first.
	Next, First string
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, ss *Session) {
	p, err := pageOf(r.URL.Query())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	tp, unit, err := s.queueFor(r.Context(), ss.User, r.URL.Query().Get("unit"), p)
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := queueData{Unit: unit, Tickets: tp.Tickets, CanPick: s.roles.WholeDistrict(staffOf(ss.User))}
	for _, t := range tp.Tickets {
		if t.Overdue {
			d.Overdue++
		}
	}
	link := func(after string) string {
		v := url.Values{}
		if d.CanPick && unit != "" {
			v.Set("unit", unit)
		}
		if after != "" {
			v.Set("after", after)
		}
		if len(v) == 0 {
			return "/console/tickets"
		}
		return "/console/tickets?" + v.Encode()
	}
	if tp.Next != "" {
		d.Next = link(tp.Next)
	}
	if p.After != "" {
		d.First = link("")
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
	T     intake.Ticket
	Moves []Move
	// Measures are the ticket's measures as people cite them (二十条第6条)
	// with their titles.
	Measures []measureRef
	Reroute  bool // the user may re-route it now
	// RerouteOpen unfolds the re-route form: the ticket was sent back.
	RerouteOpen bool
	Units       []string // for the re-route form
}

// measureRef is a measure as a ticket page names it.
type measureRef struct{ ID, Ref, Title string }

func (s *Server) ticketData(u User, t intake.Ticket) ticketData {
	d := ticketData{T: t, Moves: s.movesFor(u, t)}
	for _, id := range t.Measures {
		mr := measureRef{ID: id, Ref: id}
		if m, ok := s.kb.Measure(id); ok {
			mr.Ref, mr.Title = m.Ref(), m.Title
		}
		d.Measures = append(d.Measures, mr)
	}
	if s.roles.MayReroute(staffOf(u), t) {
		d.Reroute, d.Units = true, s.units()
		// A ticket a unit sent back waits for the desk to send it elsewhere.
		d.RerouteOpen = t.Status == intake.StatusReturned
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
	switch {
	case r.URL.Query().Get("moved") != "":
		p.Flash = "已更新为“" + string(t.Status) + "”"
	case r.URL.Query().Get("stale") != "":
		p.Flash = "这张工单刚刚已有更新（也可能是重复提交），没有再次办理。当前状态是“" + string(t.Status) + "”，请看最新的办理记录。"
	}
	if c, err := r.Cookie(filedCookie); err == nil && c.Value != "" {
		// Shown while the filing's cookie lasts, if it is this ticket's code.
		if _, err := s.tickets.GetForReporter(r.Context(), t.ID, "", c.Value); err == nil {
			p.Flash = "工单已登记。请告诉来电企业：工单编号 " + t.ID + "，查询码 " + c.Value + "（凭编号和查询码可查进度）"
		}
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

// stale reports whether a ticket form was made before the ticket last
// changed (its hidden seen field counts the events it showed): sent twice
// by a double click, or after someone else moved the ticket. It redirects
// to the ticket as it is now rather than act on an old picture of it.
func (s *Server) stale(w http.ResponseWriter, r *http.Request, ss *Session) bool {
	seen, err := strconv.Atoi(r.PostForm.Get("seen"))
	if err != nil {
		return false // a form from before the field: act on it
	}
	t, err := s.loadTicket(r.Context(), ss.User, r.PathValue("id"))
	if err != nil || len(t.Events) <= seen {
		return false
	}
	http.Redirect(w, r, "/console/tickets/"+url.PathEscape(t.ID)+"?stale=1", http.StatusSeeOther)
	return true
}

func (s *Server) moveSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if s.stale(w, r, ss) {
		return
	}
	id := r.PathValue("id")
	f := r.PostForm
	t, err := s.move(r.Context(), ss.User, id, moveRequest{To: f.Get("to"), Told: f.Get("told"), Internal: f.Get("internal")})
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	http.Redirect(w, r, "/console/tickets/"+url.PathEscape(t.ID)+"?moved=1", http.StatusSeeOther)
}

func (s *Server) rerouteSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if s.stale(w, r, ss) {
		return
	}
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
	// Key names this filing: sent twice (a double click, a refresh of a
	// failed page), the form files one ticket.
	Key string
}

// filedCookie carries a new ticket's secret code from the filing to the
// ticket page it redirects to, on that page's path only: the code is shown
// to the hotline once filed and never travels in a URL.
const filedCookie = "huiqi_filed"

func (s *Server) newPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityFile) {
		s.renderError(w, r, ss, errForbiddenFile)
		return
	}
	s.render(w, r, http.StatusOK, "new.html", page{Title: "代企业登记工单", Nav: "new", Session: ss,
		D: newData{Text: r.URL.Query().Get("text"), Key: randomToken(18)}})
}

// newSubmit files for a caller and redirects to the ticket (post, redirect,
// get): a refresh shows the ticket again, and the form's key makes a second
// submission of the same form answer with the same ticket.
func (s *Server) newSubmit(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityFile) {
		s.renderError(w, r, ss, errForbiddenFile)
		return
	}
	f := r.PostForm
	d := newData{Text: f.Get("text"), Enterprise: f.Get("enterprise"), Contact: f.Get("contact"), Location: f.Get("location"), Key: f.Get("key")}
	if !validKey(d.Key) {
		d.Key = randomToken(18) // a form from before keys: file it once, now
	}
	req := fileRequest{Text: d.Text, Enterprise: d.Enterprise, Contact: d.Contact, Location: d.Location}
	nt, err := req.ticket(intake.ChannelHotline, s.byName(ss.User))
	if err == nil {
		nt.Key = staffScope(ss.User) + ":" + d.Key
		var t intake.Ticket
		if t, err = s.tickets.File(r.Context(), nt); err == nil {
			path := "/console/tickets/" + url.PathEscape(t.ID)
			http.SetCookie(w, &http.Cookie{Name: filedCookie, Value: t.Secret, Path: path, MaxAge: 600,
				HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, path+"?filed=1", http.StatusSeeOther)
			return
		}
	}
	e := classify(err)
	if e.Code != CodeInvalid {
		s.renderError(w, r, ss, err)
		return
	}
	if errors.Is(err, intake.ErrKeyReused) {
		// The form came back changed after it was filed: submitting it
		// again files the new content as a ticket of its own.
		d.Key = randomToken(18)
		e = &Error{Code: CodeInvalid, Message: "这张表单已经登记过，内容却改了。若要把改过的内容另行登记，请再点一次“登记并分派”。"}
	}
	s.render(w, r, http.StatusBadRequest, "new.html", page{Title: "代企业登记工单", Nav: "new", Session: ss, Error: e.Message, D: d})
}

type reviewItem struct {
	Q           Question
	Suggestions []lookupItem
}

type reviewData struct {
	Items       []reviewItem
	Measures    []*knowledge.Measure
	Total       int
	Next, First string
}

func (s *Server) unansweredPage(w http.ResponseWriter, r *http.Request, ss *Session) {
	if !s.may(ss.User, intake.AbilityReview) {
		s.renderError(w, r, ss, errForbiddenReview)
		return
	}
	p, err := pageOf(r.URL.Query())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	qs, next, err := s.reviewPage(r.Context(), p)
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	st, err := s.tickets.Stats(r.Context())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := reviewData{Measures: s.kb.Measures(), Total: st.Unanswered}
	if next != "" {
		d.Next = "/console/unanswered?after=" + url.QueryEscape(next)
	}
	if p.After != "" {
		d.First = "/console/unanswered"
	}
	now := s.now()
	for _, q := range qs {
		it := reviewItem{Q: q}
		for _, res := range s.kb.Ask(q.Text, 3, now).Results {
			it.Suggestions = append(it.Suggestions, lookupItem{ID: res.ID, Ref: res.Ref, Title: res.Title,
				Score: int(res.Score*100 + 0.5)})
		}
		d.Items = append(d.Items, it)
	}
	pg := page{Title: "未答问题", Nav: "unanswered", Session: ss, D: d}
	if m := r.URL.Query().Get("attached"); m != "" && len(m) < 64 {
		pg.Flash = "已把问题挂到措施 " + m + "，下次有人这样问就能答上了"
	}
	s.render(w, r, http.StatusOK, "unanswered.html", pg)
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
	if !s.may(ss.User, intake.AbilityDashboard) {
		s.renderError(w, r, ss, errForbiddenDashboard)
		return
	}
	st, err := s.stats(r.Context())
	if err != nil {
		s.renderError(w, r, ss, err)
		return
	}
	d := dashData{S: st, Chart: ticketChart(st), Ask: askChart(st)}
	s.render(w, r, http.StatusOK, "dashboard.html", page{Title: "数据看板", Nav: "dashboard", Session: ss, D: d})
}
