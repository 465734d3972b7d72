package knowledge

// The notices a base answers from, as a list staff and users can read: each
// with its place, 文号, dates and status on a day — in force, expired,
// superseded by a newer notice — decided from the notices' own dates.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"huiqi/internal/zhtext"
)

// noticeMeta is what the store says of an ingested notice.
type noticeMeta struct {
	id         int64
	supersedes string // 文号 or title
	state      NoticeState
}

// BuiltinID is how the built-in notice is named among the stored ones.
const BuiltinID = "builtin"

// NoticeStatus is what a notice's dates say of it on a day.
type NoticeStatus string

const (
	// NoticeInForce: its term has not ended.
	NoticeInForce NoticeStatus = "in_force"
	// NoticeExpired: its term (every package's) has ended.
	NoticeExpired NoticeStatus = "expired"
	// NoticePartlyExpired: some of its packages' terms have ended.
	NoticePartlyExpired NoticeStatus = "partly_expired"
	// NoticeSuperseded: a newer notice replaces it.
	NoticeSuperseded NoticeStatus = "superseded"
	// NoticeNoTerm: it states no term.
	NoticeNoTerm NoticeStatus = "no_term"
)

// Chinese is the status as people read it.
func (s NoticeStatus) Chinese() string {
	switch s {
	case NoticeInForce:
		return "有效"
	case NoticeExpired:
		return "已到期"
	case NoticePartlyExpired:
		return "部分到期"
	case NoticeSuperseded:
		return "已被替代"
	case NoticeNoTerm:
		return "未写明有效期"
	}
	return string(s)
}

// NoticeRef names a notice: its 文号 and title.
type NoticeRef struct {
	ID    string `json:"id"`
	DocNo string `json:"doc_no,omitempty"`
	Title string `json:"title"`
}

// Cite is how an answer names the notice: 《title》(文号).
func (r NoticeRef) Cite() string {
	if r.Title == "" {
		if r.DocNo != "" {
			return r.DocNo
		}
		return "未写标题的文件(编号 " + r.ID + ")"
	}
	s := "《" + strings.Trim(r.Title, "《》") + "》"
	if r.DocNo != "" {
		s += "(" + r.DocNo + ")"
	}
	return s
}

// NoticeInfo is one notice of the base as `huiqi notices` lists it.
type NoticeInfo struct {
	NoticeRef
	Place     string        `json:"place"`
	Issuer    string        `json:"issuer"`
	Level     string        `json:"level,omitempty"`
	State     NoticeState   `json:"state"` // published for the built-in one
	Builtin   bool          `json:"builtin,omitempty"`
	Issued    string        `json:"issued,omitempty"`
	Published string        `json:"published,omitempty"`
	From      string        `json:"from,omitempty"`
	Until     string        `json:"until,omitempty"`
	Basis     string        `json:"basis,omitempty"` // the sentence that sets the term
	Status    NoticeStatus  `json:"status"`
	Expired   bool          `json:"expired"`
	Validity  string        `json:"validity"` // said in Chinese
	Packages  []PackageInfo `json:"packages"`
	// SupersededBy is the notice that replaces this one; Supersedes the
	// one this replaces.
	SupersededBy *NoticeRef `json:"superseded_by,omitempty"`
	Supersedes   *NoticeRef `json:"supersedes,omitempty"`
	Measures     int        `json:"measures"`
}

// PackageInfo is one package of a listed notice.
type PackageInfo struct {
	Key      string       `json:"key"`
	Name     string       `json:"name"`
	Title    string       `json:"title"`
	Measures int          `json:"measures"`
	From     string       `json:"from,omitempty"`
	Until    string       `json:"until,omitempty"`
	Status   NoticeStatus `json:"status"`
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return civilDay(t).Format(time.DateOnly)
}

// refOf names a notice of the base.
func (b *Base) refOf(n *Notice) NoticeRef {
	r := NoticeRef{ID: BuiltinID, DocNo: n.DocNo, Title: n.Title}
	if m, ok := b.meta[n]; ok {
		r.ID = strconv.FormatInt(m.id, 10)
	}
	if r.Title == "" && len(n.Packages) > 0 {
		r.Title = n.Packages[0].Title
	}
	return r
}

// NoticeOf returns the notice a measure is from.
func (b *Base) NoticeOf(measureID string) (*Notice, bool) {
	n, ok := b.noticeOf[measureID]
	return n, ok
}

// SupersededBy returns the notice replacing the notice of a measure.
func (b *Base) SupersededBy(measureID string) (NoticeRef, bool) {
	n, ok := b.noticeOf[measureID]
	if !ok {
		return NoticeRef{}, false
	}
	if nn := b.supersededBy[n]; nn != nil {
		return b.refOf(nn), true
	}
	return NoticeRef{}, false
}

// linkSupersessions links each notice to the one that replaces it: by the
// store's --supersedes and by the notice's own 同时废止 clause, matched on
// 文号, title or package title. A notice never replaces itself, and the
// later of two claims wins.
func (b *Base) linkSupersessions() {
	for _, n := range b.notices {
		var claims []string
		if m, ok := b.meta[n]; ok && m.supersedes != "" {
			claims = append(claims, m.supersedes)
		}
		claims = append(claims, n.Supersedes...)
		for _, c := range claims {
			if old := b.findNotice(c); old != nil && old != n {
				b.supersededBy[old] = n
			}
		}
	}
}

// findNotice finds a loaded notice by 文号, title, package title or the id
// `huiqi notices` shows.
func (b *Base) findNotice(ref string) *Notice {
	ref = strings.Trim(strings.TrimSpace(simplifiedHalfWidth(ref)), "《》")
	if ref == "" {
		return nil
	}
	for _, n := range b.notices {
		if b.refOf(n).ID == ref || n.DocNo != "" && n.DocNo == normalDocNo(ref) || n.Title == ref {
			return n
		}
		for _, p := range n.Packages {
			if p.Title == ref {
				return n
			}
		}
	}
	return nil
}

// FindNotice resolves a reference to a loaded notice (文号, title, package
// title or its id in `huiqi notices`).
func (b *Base) FindNotice(ref string) (NoticeRef, bool) {
	if n := b.findNotice(ref); n != nil {
		return b.refOf(n), true
	}
	return NoticeRef{}, false
}

// normalDocNo writes a 文号 the way the parser does (城政办发[2023]5号 →
// 城政办发〔2023〕5号).
func normalDocNo(s string) string {
	m := reDocNo.FindStringSubmatch(simplifiedHalfWidth(s))
	if m == nil {
		return s
	}
	return m[1] + "〔" + m[2] + m[3] + "〕" + strings.TrimLeft(m[4], "0") + "号"
}

// Notices lists the notices of the base with their status on the day of
// now: the built-in one first, then the stored ones in the order ingested.
func (b *Base) NoticeList(now time.Time) []NoticeInfo {
	var out []NoticeInfo
	for _, n := range b.notices {
		out = append(out, b.noticeInfo(n, now))
	}
	return out
}

// NoticeInfo describes one notice of the base on the day of now.
func (b *Base) NoticeInfo(n *Notice, now time.Time) NoticeInfo { return b.noticeInfo(n, now) }

func (b *Base) noticeInfo(n *Notice, now time.Time) NoticeInfo {
	today := zhtext.Day(now)
	info := NoticeInfo{
		NoticeRef: b.refOf(n), Place: n.Place, Issuer: n.Office, Level: n.Level, State: Published,
		Issued: dateOrEmpty(n.Issued), Published: dateOrEmpty(n.Published),
		From: dateOrEmpty(n.Dates.From), Until: dateOrEmpty(n.Dates.Until), Basis: n.Dates.Text,
		Packages: []PackageInfo{},
	}
	if info.Place == "" {
		info.Place = placeOfOffice(n.Office)
	}
	if m, ok := b.meta[n]; ok {
		info.State = m.state
		if old := b.findNotice(m.supersedes); old != nil && old != n {
			r := b.refOf(old)
			info.Supersedes = &r
		}
	} else {
		info.Builtin = true
	}
	if info.Supersedes == nil {
		for _, s := range n.Supersedes {
			if old := b.findNotice(s); old != nil && old != n {
				r := b.refOf(old)
				info.Supersedes = &r
				break
			}
		}
	}
	ended, stated := 0, 0
	for _, p := range n.Packages {
		pi := PackageInfo{Key: p.Key, Name: p.Name, Title: p.Title, Measures: len(p.Measures),
			From: dateOrEmpty(p.Dates.From), Until: dateOrEmpty(p.ValidUntil), Status: NoticeNoTerm}
		if !p.ValidUntil.IsZero() {
			stated++
			pi.Status = NoticeInForce
			if today.After(civilDay(p.ValidUntil)) {
				pi.Status = NoticeExpired
				ended++
			}
		}
		info.Measures += len(p.Measures)
		info.Packages = append(info.Packages, pi)
	}
	switch {
	case b.supersededBy[n] != nil:
		r := b.refOf(b.supersededBy[n])
		info.SupersededBy = &r
		info.Status = NoticeSuperseded
	case !n.Dates.Until.IsZero() && today.After(civilDay(n.Dates.Until)) || len(n.Packages) > 0 && ended == len(n.Packages):
		info.Status = NoticeExpired
	case ended > 0:
		info.Status = NoticePartlyExpired
	case stated > 0 || !n.Dates.Until.IsZero():
		info.Status = NoticeInForce
	default:
		info.Status = NoticeNoTerm
	}
	info.Expired = info.Status == NoticeExpired || info.Status == NoticeSuperseded
	info.Validity = noticeValidityText(info)
	return info
}

// cnDate writes a YYYY-MM-DD date as people read it: 2024年2月12日.
func cnDate(iso string) string {
	t, err := time.ParseInLocation(time.DateOnly, iso, zhtext.China())
	if err != nil {
		return iso
	}
	return zhtext.Date(t)
}

// noticeValidityText says a notice's status in Chinese.
func noticeValidityText(info NoticeInfo) string {
	cite := info.Cite()
	switch info.Status {
	case NoticeSuperseded:
		return fmt.Sprintf("%s已被%s替代,请以新文件为准。", cite, info.SupersededBy.Cite())
	case NoticeExpired:
		until := info.Until
		if until == "" {
			for _, p := range info.Packages {
				if p.Until > until {
					until = p.Until
				}
			}
		}
		return fmt.Sprintf("%s有效期至%s,已到期。", cite, cnDate(until))
	case NoticePartlyExpired:
		var gone, open []string
		for _, p := range info.Packages {
			name := "《" + p.Name + "》"
			if p.Status == NoticeExpired {
				gone = append(gone, name+"有效期至"+cnDate(p.Until)+",已到期")
			} else if p.Status == NoticeNoTerm {
				open = append(open, name+"未写明有效期")
			} else {
				open = append(open, name+"有效期至"+cnDate(p.Until))
			}
		}
		return cite + "中" + strings.Join(slices.Concat(gone, open), ";") + "。"
	case NoticeInForce:
		if info.Until != "" {
			return fmt.Sprintf("%s有效期至%s。", cite, cnDate(info.Until))
		}
		return cite + "在有效期内。"
	}
	return cite + "没有写明有效期。"
}

// validityFirst reports whether an answer from m must open with its 时效提示:
// its notice as a whole has expired or been replaced.
func (b *Base) validityFirst(m *Measure, now time.Time) bool {
	n := b.noticeOf[m.ID]
	if n == nil {
		return false
	}
	if b.supersededBy[n] != nil {
		return true
	}
	if _, ok := b.meta[n]; !ok {
		return false // the built-in notice's packages say it per measure
	}
	st := b.noticeInfo(n, now).Status
	return st == NoticeExpired
}

// sourceNote says where an answer is from: （出自《…》）, with whose policy it
// is when the notice is not the home place's (（出自南昌市人民政府《…》）).
func (b *Base) sourceNote(m *Measure) string {
	p := b.pkgOf[m.ID]
	n := b.noticeOf[m.ID]
	if p == nil || p.Title == "" {
		return ""
	}
	whose := ""
	if n != nil && !isHomePlace(n.Place) {
		whose = n.Office
		if whose == "" {
			whose = n.Place
		}
		if whose != "" && (strings.HasPrefix(p.Title, whose) || strings.HasPrefix(p.Title, n.Place) && n.Office == "") {
			whose = ""
		}
		if whose == "" && n.Place != "" && !strings.HasPrefix(p.Title, n.Place) {
			whose = n.Place
		}
	}
	return "（出自" + whose + "《" + p.Title + "》）"
}
