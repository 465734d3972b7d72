package wechattest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Platform is WeChat's side of the callback: it sends a user's messages
// and events to the account's server URL the way WeChat does (signed;
// encrypted too when AESKey is set) and opens the passive replies.
type Platform struct {
	URL     string // the server URL, e.g. http://127.0.0.1:PORT/wechat
	Token   string
	AppID   string
	AESKey  string // the EncodingAESKey: set means safe mode
	Account string // the account's id, ToUserName of every message (gh_…)
	Now     func() time.Time
	Client  *http.Client // default http.DefaultClient

	seq *counters // shared by copies, so nonces and MsgIds stay unique
}

type counters struct {
	mu    sync.Mutex
	nonce int
	msgID int64
}

func (c *counters) next() (nonce int, msgID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nonce++
	c.msgID++
	return c.nonce, c.msgID
}

// NewPlatform plays WeChat for the account (id gh_…) whose server URL is
// url; set AESKey for safe mode.
func NewPlatform(url, token, appID, account string, now func() time.Time) *Platform {
	return &Platform{URL: url, Token: token, AppID: appID, Account: account, Now: now, seq: &counters{}}
}

// Copy is a platform with the same settings and counters, to change one
// setting (a clock, a key) for a few deliveries.
func (p *Platform) Copy() *Platform {
	c := *p
	return &c
}

// Delivery is one callback, ready to send (and to send again, or to
// tamper with).
type Delivery struct {
	XML   []byte     // the message before encryption
	Query url.Values // signature, timestamp, nonce (and msg_signature, encrypt_type)
	Body  []byte     // what is posted: XML, or the encrypted envelope
}

// Response is the server's answer to a callback.
type Response struct {
	Status int
	Body   string
	// Reply is the passive reply, decrypted and its signature checked in
	// safe mode; nil when the server answered "success" or nothing.
	Reply *Reply
}

// Reply is a passive text reply.
type Reply struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
}

// Text is a user's text message with a fresh MsgId.
func (p *Platform) Text(from, content string) Delivery {
	_, n := p.seq.next()
	id := n + 7200000000000000000
	return p.Sign(p.message(from, "text", "<Content>"+cdata(content)+"</Content><MsgId>"+strconv.FormatInt(id, 10)+"</MsgId>"))
}

// Click is a click on the menu button key.
func (p *Platform) Click(from, key string) Delivery {
	return p.Sign(p.message(from, "event", "<Event><![CDATA[CLICK]]></Event><EventKey>"+cdata(key)+"</EventKey>"))
}

// Subscribe is a user following the account.
func (p *Platform) Subscribe(from string) Delivery {
	return p.Sign(p.message(from, "event", "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>"))
}

// Image is a picture message (which the account cannot read).
func (p *Platform) Image(from string) Delivery {
	return p.Sign(p.message(from, "image", "<PicUrl><![CDATA[http://127.0.0.1/pic.jpg]]></PicUrl><MediaId><![CDATA[media1]]></MediaId><MsgId>1</MsgId>"))
}

func (p *Platform) message(from, typ, rest string) []byte {
	return []byte("<xml><ToUserName>" + cdata(p.Account) + "</ToUserName><FromUserName>" + cdata(from) +
		"</FromUserName><CreateTime>" + strconv.FormatInt(p.Now().Unix(), 10) + "</CreateTime><MsgType>" +
		cdata(typ) + "</MsgType>" + rest + "</xml>")
}

func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

// Sign makes a delivery of msg with a fresh timestamp and nonce, as
// WeChat does for every attempt (a retry is Sign of the same XML).
func (p *Platform) Sign(msg []byte) Delivery {
	n, _ := p.seq.next()
	nonce := strconv.Itoa(100000 + n)
	ts := strconv.FormatInt(p.Now().Unix(), 10)
	d := Delivery{XML: msg, Query: url.Values{
		"timestamp": {ts}, "nonce": {nonce}, "signature": {sign(p.Token, ts, nonce)},
		"openid": {openIDOf(msg)},
	}, Body: msg}
	if p.AESKey != "" {
		enc := p.encrypt(msg)
		d.Query.Set("encrypt_type", "aes")
		d.Query.Set("msg_signature", sign(p.Token, ts, nonce, enc))
		d.Body = []byte("<xml><ToUserName>" + cdata(p.Account) + "</ToUserName><Encrypt>" + cdata(enc) + "</Encrypt></xml>")
	}
	return d
}

func openIDOf(msg []byte) string {
	var m struct {
		From string `xml:"FromUserName"`
	}
	_ = xml.Unmarshal(msg, &m)
	return m.From
}

// Verify is WeChat's check of the server URL: the status and body of the GET.
func (p *Platform) Verify(echostr string) (int, string, error) {
	ts := strconv.FormatInt(p.Now().Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"424242"}, "echostr": {echostr}, "signature": {sign(p.Token, ts, "424242")}}
	return p.get(q)
}

// VerifyQuery sends a URL verification with the given query.
func (p *Platform) VerifyQuery(q url.Values) (int, string, error) { return p.get(q) }

func (p *Platform) get(q url.Values) (int, string, error) {
	resp, err := p.client().Get(p.URL + "?" + q.Encode())
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (p *Platform) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return http.DefaultClient
}

// Send posts a delivery and opens the answer.
func (p *Platform) Send(d Delivery) (Response, error) {
	resp, err := p.client().Post(p.URL+"?"+d.Query.Encode(), "text/xml", bytes.NewReader(d.Body))
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	r := Response{Status: resp.StatusCode, Body: string(b)}
	body := strings.TrimSpace(r.Body)
	if resp.StatusCode != http.StatusOK || body == "" || body == "success" {
		return r, nil
	}
	plain := []byte(body)
	if p.AESKey != "" {
		var env struct {
			Encrypt      string `xml:"Encrypt"`
			MsgSignature string `xml:"MsgSignature"`
			TimeStamp    string `xml:"TimeStamp"`
			Nonce        string `xml:"Nonce"`
		}
		if err := xml.Unmarshal(plain, &env); err != nil {
			return r, fmt.Errorf("wechattest: encrypted reply: %w", err)
		}
		if env.Encrypt == "" || sign(p.Token, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
			return r, fmt.Errorf("wechattest: the reply's MsgSignature is wrong: %s", body)
		}
		if plain, err = p.decrypt(env.Encrypt); err != nil {
			return r, err
		}
	}
	var rep Reply
	if err := xml.Unmarshal(plain, &rep); err != nil {
		return r, fmt.Errorf("wechattest: reply: %w: %s", err, plain)
	}
	r.Reply = &rep
	return r, nil
}

// sign is WeChat's signature: SHA-1 of the sorted parts.
func sign(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	return fmt.Sprintf("%x", sha1.Sum([]byte(strings.Join(s, ""))))
}

func (p *Platform) key() []byte {
	k, err := base64.StdEncoding.DecodeString(p.AESKey + "=")
	if err != nil || len(k) != 32 {
		panic("wechattest: AESKey is not an EncodingAESKey")
	}
	return k
}

// encrypt is safe mode's encryption: random(16) · len(4) · msg · appid,
// PKCS#7-padded to 32 bytes, AES-256-CBC with IV = key[:16].
func (p *Platform) encrypt(msg []byte) string {
	k := p.key()
	var buf bytes.Buffer
	n, _ := p.seq.next()
	fmt.Fprintf(&buf, "%016d", n)
	binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(p.AppID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, _ := aes.NewCipher(k)
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, k[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}

func (p *Platform) decrypt(text string) ([]byte, error) {
	k := p.key()
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw)%16 != 0 || len(raw) == 0 {
		return nil, fmt.Errorf("wechattest: the reply's Encrypt is not base64 AES blocks")
	}
	block, _ := aes.NewCipher(k)
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, k[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 {
		return nil, fmt.Errorf("wechattest: the reply's padding is %d, want 1..32", pad)
	}
	plain = plain[:len(plain)-pad]
	n := binary.BigEndian.Uint32(plain[16:20])
	if int(n) > len(plain)-20 {
		return nil, fmt.Errorf("wechattest: the reply's length field is wrong")
	}
	if app := string(plain[20+n:]); app != p.AppID {
		return nil, fmt.Errorf("wechattest: the reply is for appid %q, want %q", app, p.AppID)
	}
	return plain[20 : 20+n], nil
}
