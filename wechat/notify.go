package wechat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"huiqi/intake"
)

// TicketNotice is what the enterprise that filed a ticket is told when it
// moves (派单, 签收, 办结 with the reply, 退单, 延期 with the new date, 督办):
// an outbox notification as a template's parts, and its wording.
type TicketNotice struct {
	TicketID string      // CQ-20261127-0001
	Status   string      // the status after the move, e.g. 已办结
	Unit     string      // the unit that acted (the lead unit; the escalation office at 督办)
	Reply    string      // the unit's reply (办结); may be empty
	Due      intake.Date // the deadline it names (the new one after 延期); zero when none
	// Text is the wording, intake's Notification.Text (one wording for
	// every channel): what a customer-service notice says.
	Text string
}

// NoticeOf is the notice of an outbox notification to a reporter.
func NoticeOf(n intake.Notification) TicketNotice {
	return TicketNotice{TicketID: n.TicketID, Status: string(n.Status), Unit: n.Unit, Reply: n.Note, Due: n.Due, Text: n.Text()}
}

// Template is a template message (模板消息) or subscribe message (订阅通知)
// chosen in the account's back office for ticket notices, and which of
// its keywords carries which part of the notice.
type Template struct {
	ID        string
	Subscribe bool              // a subscribe message (bizsend) rather than a template message
	Fields    map[string]string // notice part (ticket, status, unit, reply, due) → keyword (character_string1…)
}

// noticeParts are the parts of a TicketNotice a template can carry.
var noticeParts = []string{"ticket", "status", "unit", "reply", "due"}

// validTemplateID: 1 to 128 letters, digits, _ and -.
func validTemplateID(s string) bool { return asciiRun(s, 1, 128, "_-") }

// validKeyword is a template keyword: 1 to 32 letters or _, then up to 3
// digits (character_string1, thing12).
func validKeyword(s string) bool {
	i := strings.TrimRight(s, "0123456789")
	if len(s)-len(i) > 3 || len(i) < 1 || len(i) > 32 {
		return false
	}
	for j := 0; j < len(i); j++ {
		if c := i[j]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// ParseTemplate reads WECHAT_TICKET_TEMPLATE: the template id, optionally
// prefixed "subscribe:" for a subscribe message, then part=keyword pairs
// naming the template's keywords, e.g.
//
//	TEMPLATE_ID ticket=character_string1 status=phrase2 unit=thing3 due=time4 reply=thing5
//
// Parts are ticket, status, unit, reply and due; each at most once.
func ParseTemplate(spec string) (Template, error) {
	words := strings.Fields(spec)
	if len(words) < 2 {
		return Template{}, errors.New("want a template id and at least one part=keyword, e.g. \"ID ticket=character_string1 status=phrase2\"")
	}
	t := Template{ID: words[0], Fields: map[string]string{}}
	if id, ok := strings.CutPrefix(t.ID, "subscribe:"); ok {
		t.ID, t.Subscribe = id, true
	} else if id, ok := strings.CutPrefix(t.ID, "template:"); ok {
		t.ID = id
	}
	if !validTemplateID(t.ID) {
		return Template{}, fmt.Errorf("template id %q: want letters, digits, - and _", t.ID)
	}
	for _, w := range words[1:] {
		part, kw, ok := strings.Cut(w, "=")
		switch {
		case !ok:
			return Template{}, fmt.Errorf("%q: want part=keyword", w)
		case !slices.Contains(noticeParts, part):
			return Template{}, fmt.Errorf("%q: the parts are %s", part, strings.Join(noticeParts, ", "))
		case !validKeyword(kw):
			return Template{}, fmt.Errorf("%q: a keyword is letters then digits, e.g. thing3", kw)
		case t.Fields[part] != "":
			return Template{}, fmt.Errorf("part %s given twice", part)
		}
		t.Fields[part] = kw
	}
	return t, nil
}

// keywordLimit is how many characters a keyword of the template library
// takes, by its type (the letters before its number): WeChat refuses a
// subscribe message (errcode 47003) and cuts a template message that
// exceeds them.
func keywordLimit(keyword string) int {
	switch strings.TrimRight(keyword, "0123456789") {
	case "phrase", "symbol", "short_thing":
		return 5
	case "name":
		return 10
	case "character_string", "number", "letter":
		return 32
	}
	return 20 // thing, const and the rest
}

// SendTicketNotice tells the follower openID that a ticket moved: as the
// configured template or subscribe message, else as customer-service text
// (which WeChat delivers only within 48 hours of the user's last message).
// It returns WeChat's name for the message: "template:MSGID" when WeChat
// gives one, else the API used. An *APIError whose Permanent is true will
// not succeed on a retry.
func (c *Client) SendTicketNotice(ctx context.Context, openID string, n TicketNotice) (receipt string, err error) {
	if openID == "" || n.TicketID == "" || strings.TrimSpace(n.Text) == "" {
		return "", errors.New("wechat: ticket notice: an OpenID, a ticket id and the text are required")
	}
	if c.tmpl.ID == "" {
		return "custom", c.SendText(ctx, openID, NoticeText(n))
	}
	data := map[string]map[string]string{}
	for part, kw := range c.tmpl.Fields {
		if v := noticeValue(n, part, kw); v != "" {
			data[kw] = map[string]string{"value": v}
		}
	}
	body := map[string]any{"touser": openID, "template_id": c.tmpl.ID, "data": data}
	op, kind := "message/template/send", "template"
	if c.tmpl.Subscribe {
		op, kind = "message/subscribe/bizsend", "subscribe"
	}
	id, err := c.postMsg(ctx, op, body)
	if err != nil {
		return "", err
	}
	if id != 0 {
		return kind + ":" + strconv.FormatInt(id, 10), nil
	}
	return kind, nil
}

// noticeValue is one part of a notice as the keyword kw takes it.
func noticeValue(n TicketNotice, part, kw string) string {
	var v string
	switch part {
	case "ticket":
		v = n.TicketID
	case "status":
		v = n.Status
	case "unit":
		v = n.Unit
	case "reply":
		v = n.Reply
	case "due":
		if n.Due.IsZero() {
			return ""
		}
		return n.Due.Format("2006年1月2日")
	}
	v = strings.Join(strings.Fields(clean(v)), " ")
	if v == "" {
		return "无"
	}
	if limit := keywordLimit(kw); utf8.RuneCountInString(v) > limit {
		r := []rune(v)
		v = string(r[:limit-1]) + "…"
	}
	return v
}

// NoticeText is a ticket notice as customer-service text: its wording
// and how to look the ticket up from the account.
func NoticeText(n TicketNotice) string {
	return strings.TrimSpace(n.Text) + "\n回复“查进度 " + n.TicketID + "”可查看详情。"
}
