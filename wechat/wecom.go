package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"huiqi/internal/zhtext"
	"huiqi/knowledge"
)

// WeChat Work (企业微信) group robots: each unit's staff group has a robot
// whose webhook takes text and Markdown messages.
const (
	// DefaultWeComAPI is the base URL of WeChat Work's API, used for
	// webhooks given as a bare key.
	DefaultWeComAPI = "https://qyapi.weixin.qq.com"
	// EnvWebhookPrefix + a unit's spelling (WebhookEnvName) is the
	// variable holding that unit's webhook.
	EnvWebhookPrefix = "WECOM_WEBHOOK_"
	// EnvWebhookFile names a JSON file mapping unit names to webhooks.
	EnvWebhookFile = "WECOM_WEBHOOK_FILE"
	// EnvWeComAPI overrides DefaultWeComAPI (tests point it at a fake).
	EnvWeComAPI = "WECOM_API"

	// A robot's text message holds at most 2,048 bytes, a Markdown one
	// 4,096 (WeChat Work's robot documentation); a robot takes at most 20
	// messages a minute.
	maxRobotText     = 2048
	maxRobotMarkdown = 4096
)

// WeComRobot sends messages to WeChat Work group robots.
type WeComRobot struct {
	http *http.Client
	log  *slog.Logger
}

// NewWeComRobot returns a robot client; a nil client has a 10 s timeout.
func NewWeComRobot(hc *http.Client, log *slog.Logger) *WeComRobot {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WeComRobot{http: hc, log: log}
}

// Send posts text to the group of webhookURL, split into messages of at
// most 2,048 bytes. A robot over its rate limit answers errcode 45009: the
// error is then worth retrying later.
func (r *WeComRobot) Send(ctx context.Context, webhookURL, text string) error {
	return r.send(ctx, webhookURL, "text", text, maxRobotText)
}

// SendMarkdown posts WeChat Work Markdown (its own subset) to the group.
func (r *WeComRobot) SendMarkdown(ctx context.Context, webhookURL, markdown string) error {
	return r.send(ctx, webhookURL, "markdown", markdown, maxRobotMarkdown)
}

func (r *WeComRobot) send(ctx context.Context, webhookURL, msgType, content string, limit int) error {
	if _, err := checkWebhook(webhookURL); err != nil {
		return fmt.Errorf("wechat: robot: %w", err)
	}
	parts := split(strings.ToValidUTF8(content, "\uFFFD"), limit)
	if len(parts) == 0 {
		return errors.New("wechat: robot: nothing to send")
	}
	for _, part := range parts {
		payload, err := json.Marshal(map[string]any{"msgtype": msgType, msgType: map[string]string{"content": part}})
		if err != nil {
			return fmt.Errorf("wechat: robot: %w", err)
		}
		var res struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := doJSON(ctx, r.http, http.MethodPost, webhookURL, payload, &res); err != nil {
			return fmt.Errorf("wechat: robot: %w", err)
		}
		if res.ErrCode != 0 {
			return &APIError{Op: "webhook/send", Code: res.ErrCode, Msg: res.ErrMsg}
		}
	}
	return nil
}

// Webhooks maps canonical unit names to their robots' webhook URLs.
type Webhooks map[string]string

// For returns the webhook of a unit given by any of its names.
func (w Webhooks) For(unit string) (string, bool) {
	u, ok := w[knowledge.CanonicalUnit(unit)]
	return u, ok
}

// WebhookEnvName is the environment variable that holds unit's webhook:
// WECOM_WEBHOOK_ and the capital pinyin initials of the canonical name,
// letters and digits kept (区工信局 → WECOM_WEBHOOK_QGXJ).
func WebhookEnvName(unit string) string {
	var b strings.Builder
	b.WriteString(EnvWebhookPrefix)
	for _, r := range knowledge.CanonicalUnit(unit) {
		switch {
		case unicode.Is(unicode.Han, r):
			if p := zhtext.PinyinInitial(r); p != "" {
				b.WriteString(strings.ToUpper(p[:1]))
			}
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// validRobotKey: a robot webhook's key, 8 to 128 letters, digits and -.
func validRobotKey(s string) bool { return asciiRun(s, 8, 128, "-") }

// LoadWebhooks builds the units' webhooks from a JSON file (an object of
// unit name → webhook URL or bare robot key; nil for none) and then the
// environment (KEY=VALUE entries, as os.Environ; WECOM_WEBHOOK_<UNIT>
// wins over the file). units are the canonical units huiqi knows; a name
// that is none of them, two units sharing one variable name, or a
// malformed webhook is an error, so an alert never goes to the wrong group.
// A bare key is completed with api (DefaultWeComAPI when empty).
func LoadWebhooks(environ []string, file []byte, units []string, api string) (Webhooks, error) {
	if api == "" {
		api = DefaultWeComAPI
	}
	base, err := parseBase(api, EnvWeComAPI)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	byEnv := map[string][]string{}
	for _, u := range units {
		u = knowledge.CanonicalUnit(u)
		if known[u] {
			continue
		}
		known[u] = true
		byEnv[WebhookEnvName(u)] = append(byEnv[WebhookEnvName(u)], u)
	}
	out := Webhooks{}
	if len(file) > 0 {
		var m map[string]string
		if err := json.Unmarshal(file, &m); err != nil {
			return nil, fmt.Errorf("wechat: %s: want a JSON object of unit name to webhook: %w", EnvWebhookFile, err)
		}
		for name, hook := range m {
			u := knowledge.CanonicalUnit(name)
			if !known[u] {
				return nil, fmt.Errorf("wechat: %s: %q is not a unit huiqi knows", EnvWebhookFile, name)
			}
			if out[u], err = webhookURL(hook, base); err != nil {
				return nil, fmt.Errorf("wechat: %s: %s: %w", EnvWebhookFile, name, err)
			}
		}
	}
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvWebhookPrefix) || name == EnvWebhookFile || strings.TrimSpace(val) == "" {
			continue
		}
		us := byEnv[name]
		switch len(us) {
		case 0:
			return nil, fmt.Errorf("wechat: %s names no unit (the names are %s)", name, strings.Join(envNames(byEnv), ", "))
		case 1:
		default:
			return nil, fmt.Errorf("wechat: %s would name %s: give their webhooks in %s instead", name, strings.Join(us, " and "), EnvWebhookFile)
		}
		if out[us[0]], err = webhookURL(val, base); err != nil {
			return nil, fmt.Errorf("wechat: %s: %w", name, err)
		}
	}
	return out, nil
}

func envNames(byEnv map[string][]string) []string {
	var names []string
	for n, us := range byEnv {
		if len(us) == 1 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// webhookURL completes a bare key and checks a URL.
func webhookURL(v string, base *url.URL) (string, error) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "://") {
		if !validRobotKey(v) {
			return "", errors.New("a robot key is letters, digits and -")
		}
		u := *base
		u.Path = strings.TrimRight(u.Path, "/") + "/cgi-bin/webhook/send"
		u.RawQuery = url.Values{"key": {v}}.Encode()
		return u.String(), nil
	}
	return checkWebhook(v)
}

// checkWebhook accepts https URLs, and http ones only to this machine.
func checkWebhook(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return "", errors.New("the webhook is not a URL")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
			return "", errors.New("a webhook must be https (http only to 127.0.0.1)")
		}
	default:
		return "", errors.New("a webhook must be https")
	}
	return u.String(), nil
}
