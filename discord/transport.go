package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// rewriteTransport sends every request meant for discord.com to another
// Discord-compatible server (a self-hosted Spacebar, or the fake in tests).
// discordgo builds its URLs from package-level endpoint strings; rewriting at
// the transport keeps those globals untouched, so two bots in one process can
// talk to two servers.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// newRewriteTransport parses api, e.g. "http://127.0.0.1:8080" or
// "https://chat.example.gov/api". With no path, request paths are kept
// (/api/v9/...); with a path P, the /api prefix is replaced by P.
func newRewriteTransport(api string, next http.RoundTripper) (*rewriteTransport, error) {
	u, err := parseAPI(api)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &rewriteTransport{base: u, next: next}, nil
}

// parseAPI validates a DISCORD_API value.
func parseAPI(api string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(api))
	if err != nil {
		return nil, fmt.Errorf("discord api url %q: %w", api, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord api url %q: want http(s)://host[:port][/path]", api)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if host != "discord.com" && host != "discordapp.com" && !strings.HasSuffix(host, ".discord.com") {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.Host = t.base.Host
	if t.base.Path != "" {
		r.URL.Path = t.base.Path + strings.TrimPrefix(req.URL.Path, "/api")
		r.URL.RawPath = ""
	}
	return t.next.RoundTrip(r)
}
