package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultAPI is the base URL of WeChat's official-account API.
const DefaultAPI = "https://api.weixin.qq.com"

// Client calls the official-account API (access token, customer-service
// messages, template and subscribe messages, the menu) with one cached
// access token, refreshed before it expires and when WeChat says it is no
// longer valid. It is safe for concurrent use.
type Client struct {
	api    *url.URL
	appID  string
	secret string
	http   *http.Client
	now    func() time.Time
	log    *slog.Logger
	tmpl   Template

	mu      sync.Mutex // held while a token is fetched, so only one is
	token   string
	expires time.Time
}

// APIError is an errcode WeChat answered.
type APIError struct {
	Op   string // what was called, e.g. "message/custom/send"
	Code int
	Msg  string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("wechat: %s: errcode %d: %s", e.Op, e.Code, e.Msg)
	if hint := errHints[e.Code]; hint != "" {
		s += " (" + hint + ")"
	}
	return s
}

// errHints say what an operator can do about the errcodes they will meet.
var errHints = map[int]string{
	40001: "access token invalid: another process may have fetched a newer one with the same AppID",
	40013: "WECHAT_APPID is not a valid AppID",
	40125: "WECHAT_SECRET is not this account's AppSecret",
	40164: "this server's IP address is not on the account's IP whitelist (IP白名单)",
	45015: "the user has not written to the account in the last 48 hours",
	45047: "the customer-service message quota for this user is used up",
	48001: "the account lacks this API permission (customer-service messages need a verified service account)",
	43101: "the user has not subscribed to, or has refused, this notification",
}

// Permanent reports whether trying the same call again cannot succeed
// (the user is unreachable, the template or OpenID is wrong), so an outbox
// should record the failure instead of retrying.
func (e *APIError) Permanent() bool {
	switch e.Code {
	case 40003, 40037, 43004, 43101, 45015, 47003, 48001:
		return true
	}
	return false
}

// Misconfigured reports whether the error is the operator's to fix in
// the configuration or the back office (the AppID, the AppSecret, the IP
// whitelist), not a passing failure.
func (e *APIError) Misconfigured() bool {
	switch e.Code {
	case 40002, 40013, 40125, 40164, 41002, 41004:
		return true
	}
	return false
}

// tokenError is an errcode that means the access token is to be fetched again.
func tokenError(code int) bool { return code == 40001 || code == 40014 || code == 42001 }

// refreshMargin is how long before its expiry a token is replaced.
const refreshMargin = 5 * time.Minute

// NewClient checks cfg.AppID, cfg.Secret and cfg.API and returns a client.
func NewClient(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := requireEnv(map[string]string{EnvAppID: cfg.AppID, EnvSecret: cfg.Secret},
		"the AppID and AppSecret of the official account's 基本配置 page"); err != nil {
		return nil, err
	}
	api, err := parseBase(cfg.API, EnvAPI)
	if err != nil {
		return nil, err
	}
	return &Client{api: api, appID: strings.TrimSpace(cfg.AppID), secret: strings.TrimSpace(cfg.Secret),
		http: cfg.HTTPClient, now: cfg.Now, log: cfg.Log, tmpl: cfg.TicketTemplate}, nil
}

// parseBase checks an API base URL: http or https, a host, no query.
func parseBase(raw, name string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("wechat: %s %q is not an http(s) base URL such as %s", name, raw, DefaultAPI)
	}
	return u, nil
}

// endpoint is the URL of path under the API base with query q.
func (c *Client) endpoint(path string, q url.Values) string {
	u := *c.api
	u.Path = strings.TrimRight(u.Path, "/") + "/cgi-bin/" + path
	u.RawQuery = q.Encode()
	return u.String()
}

// accessToken returns the cached token, fetching a new one when there is
// none, it is about to expire, or stale is the token just refused.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.token != "" && c.token != stale && now.Before(c.expires.Add(-refreshMargin)) {
		return c.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {c.appID}, "secret": {c.secret}}
	var res struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
	}
	if err := c.do(ctx, http.MethodGet, c.endpoint("token", q), nil, &res); err != nil {
		return "", fmt.Errorf("wechat: get access token: %w", err)
	}
	if res.ErrCode != 0 {
		return "", &APIError{Op: "token", Code: res.ErrCode, Msg: res.ErrMsg}
	}
	if res.AccessToken == "" || res.ExpiresIn <= 0 {
		return "", errors.New("wechat: get access token: the answer holds no token")
	}
	c.token, c.expires = res.AccessToken, now.Add(time.Duration(res.ExpiresIn)*time.Second)
	c.log.Info("wechat: access token fetched", "expires", c.expires.Format(time.RFC3339))
	return c.token, nil
}

// Check fetches an access token unless one is cached, so that a wrong
// AppID or AppSecret, or a server off the IP whitelist, shows at start
// rather than at the first slow answer.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.accessToken(ctx, "")
	return err
}

// post calls an API that takes JSON and answers errcode/errmsg, with the
// access token; when WeChat refuses the token it fetches a new one and
// tries once more.
func (c *Client) post(ctx context.Context, op string, body any) error {
	_, err := c.postMsg(ctx, op, body)
	return err
}

// postMsg is post for the APIs that name what they sent: it returns the
// msgid of the answer (0 when there is none).
func (c *Client) postMsg(ctx context.Context, op string, body any) (int64, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, fmt.Errorf("wechat: %s: %w", op, err)
	}
	stale := ""
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx, stale)
		if err != nil {
			return 0, err
		}
		var res struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
			MsgID   int64  `json:"msgid"`
		}
		if err := c.do(ctx, http.MethodPost, c.endpoint(op, url.Values{"access_token": {tok}}), payload, &res); err != nil {
			return 0, fmt.Errorf("wechat: %s: %w", op, err)
		}
		if res.ErrCode == 0 {
			return res.MsgID, nil
		}
		if tokenError(res.ErrCode) && attempt == 0 {
			c.log.Warn("wechat: access token refused, fetching a new one", "op", op, "errcode", res.ErrCode)
			stale = tok
			continue
		}
		return 0, &APIError{Op: op, Code: res.ErrCode, Msg: res.ErrMsg}
	}
}

// do sends one request and decodes the JSON answer into out.
func (c *Client) do(ctx context.Context, method, u string, body []byte, out any) error {
	return doJSON(ctx, c.http, method, u, body, out)
}

func doJSON(ctx context.Context, hc *http.Client, method, u string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return redact(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// redact drops the URL from a transport error: it holds the secret, the
// access token or a robot's key.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// SendText sends text to a user as customer-service messages (客服消息),
// split under MaxTextBytes. WeChat accepts them only within 48 hours of
// the user's last message to the account.
func (c *Client) SendText(ctx context.Context, openID, text string) error {
	if openID == "" {
		return errors.New("wechat: send text: no OpenID")
	}
	for _, part := range split(clean(text), MaxTextBytes) {
		body := map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": part}}
		if err := c.post(ctx, "message/custom/send", body); err != nil {
			return err
		}
	}
	return nil
}
