package knowledge

// The review file: what the parser read from an ingested notice that a
// person should check against it — place, issuer, dates, and per item the
// units, the money and the time limits — as JSON they can correct and load
// back. The items' text is in the file to read against, not to edit: it is
// the notice's.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"huiqi/internal/zhtext"
)

// ReviewHelp is the first field of a review file: what to do with it.
const ReviewHelp = "核对本文件中的发文单位、地区、日期,以及每条措施的责任单位(units)、金额(awards)和时限(windows),改正后用 huiqi notices review ID --load 本文件 --by 姓名 导回。金额 kind: award 奖补金额, range 区间, rate 比例, threshold 门槛条件, fund 资金规模;yuan 为元;per: once 一次性, year 每年。text 与 title 仅供对照,改动不会导回。"

// Review is the review file of a notice.
type Review struct {
	Help     string          `json:"_how"`
	Notice   ReviewNotice    `json:"notice"`
	Measures []ReviewMeasure `json:"measures"`
	Warnings []Warning       `json:"warnings,omitempty"`
}

// ReviewNotice is the notice-level part of a review file.
type ReviewNotice struct {
	ID     int64  `json:"id,omitempty"`
	DocNo  string `json:"doc_no"`
	Title  string `json:"title"`
	Issuer string `json:"issuer"`
	Place  string `json:"place"`
	Level  string `json:"level"`
	Issued string `json:"issued"`
	From   string `json:"from"`
	Until  string `json:"until"`
}

// ReviewMeasure is one item in a review file.
type ReviewMeasure struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Text        string         `json:"text"`
	Units       []string       `json:"units"`
	CoUnitsFrom int            `json:"co_units_from"`
	Awards      []Amount       `json:"awards"`
	Windows     []ReviewWindow `json:"windows"`
}

// ReviewWindow is a time limit written as a date.
type ReviewWindow struct {
	Until string `json:"until"`
	Text  string `json:"text"`
}

// ReviewOf is the review file of a notice (id is its stored id, 0 if none).
func ReviewOf(n *Notice, id int64) Review {
	r := Review{Help: ReviewHelp, Warnings: n.Warnings, Notice: ReviewNotice{
		ID: id, DocNo: n.DocNo, Title: n.Title, Issuer: n.Office, Place: n.Place, Level: n.Level,
		Issued: dateOrEmpty(n.Issued), From: dateOrEmpty(n.Dates.From), Until: dateOrEmpty(n.Dates.Until),
	}}
	for _, p := range n.Packages {
		for _, m := range p.Measures {
			rm := ReviewMeasure{ID: m.ID, Title: m.Title, Text: m.Text, Units: slices.Clone(m.Units), CoUnitsFrom: m.CoUnitsFrom,
				Awards: slices.Clone(m.Awards), Windows: []ReviewWindow{}}
			if rm.Units == nil {
				rm.Units = []string{}
			}
			if rm.Awards == nil {
				rm.Awards = []Amount{}
			}
			for _, w := range m.Windows {
				rm.Windows = append(rm.Windows, ReviewWindow{Until: dateOrEmpty(w.Until), Text: w.Text})
			}
			r.Measures = append(r.Measures, rm)
		}
	}
	return r
}

// WriteReview writes a review file.
func WriteReview(w io.Writer, r Review) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("knowledge: write review: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// reviewError is a review file that cannot be applied.
type reviewError struct{ msg string }

func (e reviewError) Error() string      { return "审核文件有误: " + e.msg }
func (e reviewError) InvalidInput() bool { return true }

var amountKinds = []AmountKind{KindAward, KindRange, KindRate, KindThreshold, KindFund}

// ApplyReview reads a corrected review file and returns the notice with its
// corrections: place, issuer, level and dates, and per item units, money
// and time limits. A file for another notice, an unknown field, a bad date
// or figure is refused whole, naming what is wrong.
func ApplyReview(n *Notice, src []byte) (*Notice, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	var r Review
	if err := dec.Decode(&r); err != nil {
		return nil, reviewError{err.Error()}
	}
	out := cloneNotice(n)
	byID := map[string]*Measure{}
	for pi := range out.Packages {
		for mi := range out.Packages[pi].Measures {
			m := &out.Packages[pi].Measures[mi]
			byID[m.ID] = m
		}
	}
	if r.Notice.DocNo != n.DocNo || len(r.Measures) == 0 {
		return nil, reviewError{fmt.Sprintf("这是另一份文件(文号 %q,应为 %q)", r.Notice.DocNo, n.DocNo)}
	}
	date := func(field, s string) (time.Time, error) {
		if strings.TrimSpace(s) == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), zhtext.China())
		if err != nil {
			return time.Time{}, reviewError{fmt.Sprintf("%s 的日期 %q 应写作 YYYY-MM-DD", field, s)}
		}
		return t, nil
	}
	var err error
	out.Place, out.Office = strings.TrimSpace(r.Notice.Place), strings.TrimSpace(r.Notice.Issuer)
	switch l := strings.TrimSpace(r.Notice.Level); l {
	case "district", "county", "city", "province", "national", "":
		out.Level = l
	default:
		return nil, reviewError{fmt.Sprintf("level %q 应为 district、county、city、province 或 national", l)}
	}
	if out.Dates.From, err = date("notice.from", r.Notice.From); err != nil {
		return nil, err
	}
	if out.Dates.Until, err = date("notice.until", r.Notice.Until); err != nil {
		return nil, err
	}
	if out.Issued, err = date("notice.issued", r.Notice.Issued); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, rm := range r.Measures {
		m, ok := byID[rm.ID]
		if !ok {
			return nil, reviewError{fmt.Sprintf("没有措施 %q", rm.ID)}
		}
		if seen[rm.ID] {
			return nil, reviewError{fmt.Sprintf("措施 %q 出现了两次", rm.ID)}
		}
		seen[rm.ID] = true
		var units []string
		for _, u := range rm.Units {
			u = strings.TrimSpace(u)
			if u == "" {
				return nil, reviewError{fmt.Sprintf("%s 有空的责任单位", rm.ID)}
			}
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
		if units == nil {
			units = []string{}
		}
		if rm.CoUnitsFrom < 0 || rm.CoUnitsFrom >= max(1, len(units)) && rm.CoUnitsFrom != 0 {
			return nil, reviewError{fmt.Sprintf("%s 的 co_units_from %d 超出了责任单位的个数", rm.ID, rm.CoUnitsFrom)}
		}
		for i, a := range rm.Awards {
			if !slices.Contains(amountKinds, a.Kind) {
				return nil, reviewError{fmt.Sprintf("%s 第%d项金额的 kind %q 应为 award、range、rate、threshold 或 fund", rm.ID, i+1, a.Kind)}
			}
			if a.Yuan < 0 || a.MinYuan < 0 || a.CapYuan < 0 || a.Percent < 0 || a.MinYuan > a.Yuan && a.Yuan > 0 {
				return nil, reviewError{fmt.Sprintf("%s 第%d项金额的数目不对(负数,或下限大于上限)", rm.ID, i+1)}
			}
			if a.Per != "" && a.Per != "once" && a.Per != "year" {
				return nil, reviewError{fmt.Sprintf("%s 第%d项金额的 per %q 应为 once、year 或空", rm.ID, i+1, a.Per)}
			}
			if strings.TrimSpace(a.Text) == "" {
				return nil, reviewError{fmt.Sprintf("%s 第%d项金额没有 text(原文写法)", rm.ID, i+1)}
			}
		}
		var wins []Window
		for _, w := range rm.Windows {
			t, err := date(rm.ID+" windows", w.Until)
			if err != nil {
				return nil, err
			}
			if !t.IsZero() {
				wins = append(wins, Window{Until: t, Text: w.Text})
			}
		}
		m.Units, m.CoUnitsFrom, m.Awards, m.Windows = units, rm.CoUnitsFrom, slices.Clone(rm.Awards), wins
		if len(m.Awards) == 0 {
			m.Awards = nil
		}
	}
	return out, nil
}
