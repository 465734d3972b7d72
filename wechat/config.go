package wechat

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The environment variables huiqi wechat reads (flags may override them).
const (
	EnvToken  = "WECHAT_TOKEN"   // the Token of the server configuration (服务器配置)
	EnvAppID  = "WECHAT_APPID"   // the AppID (开发者ID)
	EnvSecret = "WECHAT_SECRET"  // the AppSecret (开发者密码)
	EnvAESKey = "WECHAT_AES_KEY" // the EncodingAESKey; set means safe mode (安全模式)
	EnvAPI    = "WECHAT_API"     // the API base URL; empty is DefaultAPI
	// EnvTicketTemplate names the template or subscribe message for
	// ticket notices; see ParseTemplate.
	EnvTicketTemplate = "WECHAT_TICKET_TEMPLATE"
)

// Path is where the callback is served: the server URL configured on the
// official account is https://HOST/wechat.
const Path = "/wechat"

// Config is how the WeChat channel is set up. Token, AppID and Secret are
// required; EncodingAESKey turns on safe mode. The zero values of the rest
// are the defaults given.
type Config struct {
	Token          string
	AppID          string
	Secret         string
	EncodingAESKey string
	// API is the base URL of the official-account API (DefaultAPI); tests
	// point it at a fake on 127.0.0.1.
	API string
	// TicketTemplate is the template (or subscribe) message for ticket
	// notices; without one, notices go as customer-service text.
	TicketTemplate Template

	HTTPClient *http.Client // default: 10 s timeout
	Now        func() time.Time
	Log        *slog.Logger
	Rand       io.Reader // for safe-mode encryption (default crypto/rand)

	// ReplyBudget is how long a callback waits for the engine before it
	// answers "success" and sends the answer through the customer-service
	// API instead (default 4 s: WeChat waits 5 s, then retries). A
	// negative budget never waits: every answer goes through the API (an
	// account that prefers it, and tests that need the slow path without
	// a slow engine).
	ReplyBudget time.Duration
	// TurnTimeout bounds one engine turn and its deliveries (default 60 s).
	TurnTimeout time.Duration
	// Window is how far a callback's timestamp may be from Now (default
	// 5 min); older or newer callbacks are refused as stale.
	Window time.Duration
	// MaxBytes is the most one text message holds (default MaxTextBytes),
	// MaxParts how many messages one turn may send (default 5: since 2023
	// WeChat allows 5 customer-service messages after a user's message and
	// 3 after a menu click; a full award report takes 4).
	MaxBytes int
	MaxParts int
	// SessionTTL is how long the adapter remembers a user's numbered
	// choices and a form in progress (default 2 h); MaxSessions bounds how
	// many users it remembers (default 10000).
	SessionTTL  time.Duration
	MaxSessions int
	// Sessions keeps the sessions across restarts (nil: in memory only).
	Sessions SessionStore
	// MaxSeen bounds the remembered nonces and message ids (default 100000).
	MaxSeen int
}

// ConfigFromEnv reads the variables named Env* through getenv (os.Getenv).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Token:          strings.TrimSpace(getenv(EnvToken)),
		AppID:          strings.TrimSpace(getenv(EnvAppID)),
		Secret:         strings.TrimSpace(getenv(EnvSecret)),
		EncodingAESKey: strings.TrimSpace(getenv(EnvAESKey)),
		API:            strings.TrimSpace(getenv(EnvAPI)),
	}
	if spec := getenv(EnvTicketTemplate); strings.TrimSpace(spec) != "" {
		t, err := ParseTemplate(spec)
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", EnvTicketTemplate, err)
		}
		cfg.TicketTemplate = t
	}
	return cfg, nil
}

func (c Config) withDefaults() Config {
	if c.API == "" {
		c.API = DefaultAPI
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.ReplyBudget == 0 {
		c.ReplyBudget = 4 * time.Second
	}
	if c.TurnTimeout <= 0 {
		c.TurnTimeout = 60 * time.Second
	}
	if c.Window <= 0 {
		c.Window = 5 * time.Minute
	}
	if c.MaxBytes <= 0 || c.MaxBytes > MaxTextBytes {
		c.MaxBytes = MaxTextBytes
	}
	c.MaxBytes = max(c.MaxBytes, 256)
	if c.MaxParts <= 0 {
		c.MaxParts = 5
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 2 * time.Hour
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = 10000
	}
	if c.MaxSeen <= 0 {
		c.MaxSeen = 100000
	}
	return c
}

// validToken is what WeChat accepts as a Token: 3 to 32 letters or digits.
func validToken(s string) bool { return asciiRun(s, 3, 32, "") }

// asciiRun reports whether s is min to max ASCII letters and digits, or
// bytes of extra. (A regular expression with such counts compiles to a
// program a hundred copies long, at every start of the binary.)
func asciiRun(s string, min, max int, extra string) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// Validate checks what a server needs without starting one, so a command
// can refuse a bad setting before it opens anything: the Token, AppID and
// AppSecret present, the Token as WeChat takes it, the API base a URL and
// the EncodingAESKey, when set, a key. The error names the variable.
func (c Config) Validate() error {
	if err := requireEnv(map[string]string{EnvToken: c.Token, EnvAppID: c.AppID, EnvSecret: c.Secret},
		"the Token of the official account's 服务器配置 and its AppID and AppSecret (基本配置)"); err != nil {
		return err
	}
	if !validToken(strings.TrimSpace(c.Token)) {
		return fmt.Errorf("wechat: %s must be 3 to 32 letters or digits, as WeChat requires", EnvToken)
	}
	if c.API != "" {
		if _, err := parseBase(c.API, EnvAPI); err != nil {
			return err
		}
	}
	if key := strings.TrimSpace(c.EncodingAESKey); key != "" {
		if _, err := NewCipher(key, c.AppID); err != nil {
			return fmt.Errorf("%w (%s)", err, EnvAESKey)
		}
	}
	return nil
}

// requireEnv names the empty settings in one error, for the operator.
func requireEnv(vals map[string]string, what string) error {
	var missing []string
	for name, v := range vals {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	verb := "is"
	if len(missing) > 1 {
		verb = "are"
	}
	return fmt.Errorf("wechat: %s %s required: %s", strings.Join(missing, " and "), verb, what)
}
