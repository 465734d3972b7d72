package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message is one callback from WeChat, decrypted: a message a user sent
// (MsgType text, voice, image…) or an event (MsgType event: subscribe,
// CLICK on a menu button…).
type Message struct {
	ToUserName   string `xml:"ToUserName"`   // the official account's id (gh_…)
	FromUserName string `xml:"FromUserName"` // the user's OpenID
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        string `xml:"MsgId"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	// Recognition is WeChat's transcription of a voice message, when the
	// account has speech recognition on.
	Recognition string `xml:"Recognition"`
}

// envelope is the body of a safe-mode callback.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	Encrypt    string `xml:"Encrypt"`
}

// Limits on what a callback may hold: WeChat's ids are under 64 bytes and
// a text message under 2,048 bytes; the margins are generous.
const (
	maxBody    = 256 << 10
	maxID      = 128
	maxContent = 16 << 10
)

var errMessage = errors.New("wechat: malformed message")

// ParseMessage decodes a callback's XML. It refuses what WeChat never
// sends (no sender, no type, ids too long, text past the limits) with an
// error wrapping errMessage, and never panics.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	if len(b) > maxBody {
		return m, fmt.Errorf("%w: %d bytes", errMessage, len(b))
	}
	if err := strictUnmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("%w: %v", errMessage, err)
	}
	m.FromUserName = strings.TrimSpace(m.FromUserName)
	m.ToUserName = strings.TrimSpace(m.ToUserName)
	m.MsgType = strings.ToLower(strings.TrimSpace(m.MsgType))
	m.Event = strings.TrimSpace(m.Event)
	m.EventKey = strings.TrimSpace(m.EventKey)
	m.MsgID = strings.TrimSpace(m.MsgID)
	switch {
	case m.FromUserName == "" || m.MsgType == "":
		return Message{}, fmt.Errorf("%w: no FromUserName or MsgType", errMessage)
	case len(m.FromUserName) > maxID || len(m.ToUserName) > maxID || len(m.MsgType) > maxID ||
		len(m.Event) > maxID || len(m.MsgID) > maxID || len(m.EventKey) > 1024:
		return Message{}, fmt.Errorf("%w: a field is too long", errMessage)
	case len(m.Content) > maxContent || len(m.Recognition) > maxContent:
		return Message{}, fmt.Errorf("%w: content of %d bytes", errMessage, len(m.Content)+len(m.Recognition))
	case !utf8.ValidString(m.FromUserName) || !utf8.ValidString(m.ToUserName):
		return Message{}, fmt.Errorf("%w: ids are not UTF-8", errMessage)
	}
	if m.MsgID != "" {
		if _, err := strconv.ParseUint(m.MsgID, 10, 64); err != nil {
			return Message{}, fmt.Errorf("%w: MsgId %q", errMessage, m.MsgID)
		}
	}
	return m, nil
}

// parseEnvelope decodes a safe-mode body.
func parseEnvelope(b []byte) (envelope, error) {
	var e envelope
	if len(b) > maxBody {
		return e, fmt.Errorf("%w: %d bytes", errMessage, len(b))
	}
	if err := strictUnmarshal(b, &e); err != nil {
		return envelope{}, fmt.Errorf("%w: %v", errMessage, err)
	}
	e.Encrypt = strings.TrimSpace(e.Encrypt)
	if e.Encrypt == "" {
		return envelope{}, fmt.Errorf("%w: no Encrypt field", errMessage)
	}
	return e, nil
}

// strictUnmarshal decodes one XML document whose root is <xml>, as
// WeChat writes them.
func strictUnmarshal(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("no <xml> element: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "xml" {
		return fmt.Errorf("root element is <%s>, want <xml>", root.Name.Local)
	}
	return d.DecodeElement(v, &root)
}

// cdata marshals as <![CDATA[…]]>, as WeChat's own replies are written.
type cdata struct {
	Text string `xml:",cdata"`
}

// textReply is a passive text reply.
type textReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata
	FromUserName cdata
	CreateTime   int64
	MsgType      cdata
	Content      cdata
}

// encryptedReply is a passive reply in safe mode.
type encryptedReply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata
	MsgSignature cdata
	TimeStamp    int64
	Nonce        cdata
}

// marshalText writes the passive reply to a message from user to account.
func marshalText(user, account, content string, now int64) ([]byte, error) {
	b, err := xml.Marshal(textReply{
		ToUserName: cdata{user}, FromUserName: cdata{account}, CreateTime: now,
		MsgType: cdata{"text"}, Content: cdata{content},
	})
	if err != nil {
		return nil, fmt.Errorf("wechat: marshal reply: %w", err)
	}
	return b, nil
}
