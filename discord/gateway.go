package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// gateway keeps the bot's gateway connection, in place of discordgo
// v0.29's own reconnect loop, which retries every close forever (4004 bad
// token, 4014 disallowed intents included), cannot be stopped, and always
// reconnects to the first gateway URL, ignoring READY's
// resume_gateway_url. Here discordgo's reconnecting is off
// (ShouldReconnectOnError): when the connection drops, run reopens it with
// backoff, resuming at the resume URL; a close that reconnecting cannot fix
// ends the bot with a GatewayClosedError.
type gateway struct {
	s   *discordgo.Session
	log *slog.Logger

	mu      sync.Mutex
	resume  *url.URL // READY's resume_gateway_url; nil before the first READY
	closing bool

	dropped chan struct{} // a disconnect to act on
	fatal   chan error
}

func newGateway(s *discordgo.Session, log *slog.Logger) *gateway {
	g := &gateway{s: s, log: log, dropped: make(chan struct{}, 1), fatal: make(chan error, 1)}
	s.ShouldReconnectOnError = false
	d := *websocket.DefaultDialer
	d.HandshakeTimeout = 15 * time.Second
	// discordgo dials its cached gateway URL; the dialer's Proxy hook sees
	// the request before the connection is made, so a resume goes to the
	// resume URL's host (TLS server name included) with the same path.
	d.Proxy = func(req *http.Request) (*url.URL, error) {
		g.mu.Lock()
		r := g.resume
		g.mu.Unlock()
		if r != nil && r.Host != "" && sameScheme(req.URL.Scheme, r.Scheme) {
			req.URL.Host, req.Host = r.Host, r.Host
		}
		return http.ProxyFromEnvironment(req)
	}
	s.Dialer = &d
	s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
		if e.Type == "READY" {
			g.ready(e.RawData)
		}
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		g.mu.Lock()
		closing := g.closing
		g.mu.Unlock()
		if !closing {
			select {
			case g.dropped <- struct{}{}:
			default:
			}
		}
	})
	return g
}

// sameScheme compares a dial URL's scheme (http/https, as the dialer
// rewrote ws/wss) with a gateway URL's.
func sameScheme(dial, gw string) bool {
	norm := func(s string) string {
		switch s {
		case "ws", "http":
			return "ws"
		case "wss", "https":
			return "wss"
		}
		return s
	}
	return norm(dial) == norm(gw)
}

// ready keeps the resume URL of a READY payload.
func (g *gateway) ready(raw json.RawMessage) {
	var r struct {
		ResumeGatewayURL string `json:"resume_gateway_url"`
	}
	if json.Unmarshal(raw, &r) != nil || r.ResumeGatewayURL == "" {
		return
	}
	u, err := url.Parse(r.ResumeGatewayURL)
	if err != nil || u.Host == "" {
		return
	}
	g.mu.Lock()
	g.resume = u
	g.mu.Unlock()
}

// open connects; a fatal close comes back as a *GatewayClosedError.
func (g *gateway) open() error {
	err := g.s.Open()
	if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
		return nil
	}
	if fe := fatalClose(err); fe != nil {
		return fe
	}
	return err
}

// reopenSettle is how long run waits after a drop before it reconnects:
// longer than discordgo's Close holds its lock.
const reopenSettle = 1500 * time.Millisecond

// run reconnects after every drop until ctx ends or a close is fatal
// (then sent on g.fatal).
func (g *gateway) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.dropped:
		}
		// discordgo's Close holds the session's lock for a second while
		// it closes the socket, and the heartbeat of the closing socket,
		// failing meanwhile, calls Close again once the lock is free: a
		// connection opened in that instant is the one the second Close
		// closes, and so on, a new connection a second for as long as the
		// timing repeats. Opening after the second Close has run keeps the
		// new connection.
		t := time.NewTimer(reopenSettle)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait := time.Second
		for attempt := 1; ; attempt++ {
			if ctx.Err() != nil {
				return
			}
			err := g.open()
			if err == nil {
				g.log.Info("discord: reconnected to the gateway", "attempt", attempt)
				break
			}
			var fe *GatewayClosedError
			if errors.As(err, &fe) {
				g.fatal <- fe
				return
			}
			g.log.Warn("discord: reconnect to the gateway", "attempt", attempt, "err", err, "retry_in", wait)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(wait*2, time.Minute)
		}
	}
}

// close ends the connection for good.
func (g *gateway) close() error {
	g.mu.Lock()
	g.closing = true
	g.mu.Unlock()
	return g.s.Close()
}

// GatewayClosedError is a gateway close that reconnecting cannot fix
// (Discord's close codes 4004, 4010–4014): the bot stops.
type GatewayClosedError struct {
	Code   int
	Reason string
}

// fatalCloses explain, for the operator, the close codes Discord says not
// to reconnect after.
var fatalCloses = map[int]string{
	4004: "authentication failed: the token was rejected; reset it in the developer portal (Bot → Reset Token) and set DISCORD_TOKEN",
	4010: "invalid shard: check --shard ID/COUNT",
	4011: "sharding required: the bot is in too many servers for one connection; run it as shards with --shard ID/COUNT",
	4012: "invalid API version: huiqi's Discord library asked for a gateway version Discord no longer serves",
	4013: "invalid intents: huiqi asked for intents Discord does not know",
	4014: "disallowed intents: huiqi asked for a privileged intent not enabled in the developer portal (Bot → Privileged Gateway Intents)",
}

func (e *GatewayClosedError) Error() string {
	return fmt.Sprintf("discord: the gateway closed the connection with code %d (%s): %s", e.Code, e.Reason, fatalCloses[e.Code])
}

// Operator reports whether the operator can fix it (token, shards,
// portal settings) rather than it being huiqi's bug.
func (e *GatewayClosedError) Operator() bool { return e.Code != 4012 && e.Code != 4013 }

// fatalClose is the GatewayClosedError of err, or nil when err is not a
// close Discord says not to reconnect after.
func fatalClose(err error) *GatewayClosedError {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return nil
	}
	if _, ok := fatalCloses[ce.Code]; !ok {
		return nil
	}
	return &GatewayClosedError{Code: ce.Code, Reason: ce.Text}
}
