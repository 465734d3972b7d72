// Package notify delivers the notifications of intake's outbox: a
// Dispatcher drains, for each channel that has a Sender, the rows intake
// wrote in the transactions of the moves (see intake/outbox.go), hands
// each to the channel's Sender, and records the outcome.
//
// # Plugging in a channel
//
// A channel that pushes (Discord, WeChat, WeChat Work) implements Sender:
//
//	type Sender interface {
//		Channel() string // "discord", "wechat", …
//		Send(ctx context.Context, n intake.Notification) (receipt string, err error)
//	}
//
// Channel is the outbox channel: for a reporter, the part of the
// conversation key before the colon (a ticket filed from "wechat:OPENID"
// is told through channel "wechat" at address "OPENID", n.Address); for a
// unit's staff, the channel its targets were configured under
// (intake.Store.SetUnitTargets(ctx, "wechat", map[unit][]address)), with
// n.Audience == intake.AudienceUnit and n.Address one of those addresses.
// What to say is n.Title() and n.Text(), intake's one wording; the sender
// only lays it out. Send returns the channel's name for what it sent (a
// message id: kept as the receipt) or an error: retried with backoff,
// unless it wraps ErrPermanent (the address can never be reached — a user
// who blocked the bot, an unknown open id), which gives up at once;
// ErrUnavailable (not connected, stopping: nothing was sent) waits without
// counting an attempt; ErrMaybeSent (the request went out, its answer was
// lost) retries as Uncertain, checked first. Send's
// ctx ends before the claim's lease does; a Send still running then must
// give up, or another process may send the same notification.
//
// A sender that can look at what it already sent implements Checker too: a
// notification whose previous attempt ended with nothing recorded (the
// process died between sending and recording) comes back Uncertain, and the
// Dispatcher asks Delivered before sending it again.
//
// Pull channels (the web chat's poll and server-sent events, the
// terminal's next start) need no Sender: they read and acknowledge the
// outbox themselves (intake.Store.PendingNotifications, AckNotifications).
//
// # What is guaranteed
//
// A notification is written if and only if its move commits. It is
// delivered at least once while its channel can be reached, up to
// MaxAttempts, and its delivery is recorded at most once. Claims are leases
// taken in a write transaction, so no two processes on one database hold a
// row at the same time, and a claimer records nothing once its lease is
// gone. The one window for a duplicate is a crash (or a lost response)
// after the channel accepted a message and before the record committed:
// the row comes back Uncertain, and a Checker closes the window (Discord
// reads the DM's recent messages for the notification's mark, and sends
// with a nonce Discord itself deduplicates); without one the channel may
// show it twice.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"huiqi/intake"
)

// Sender delivers the notifications of one channel (see the package
// comment).
type Sender interface {
	Channel() string
	Send(ctx context.Context, n intake.Notification) (receipt string, err error)
}

// Checker is implemented by senders that can tell whether a notification
// whose outcome is unknown arrived: ok with its receipt when it did.
type Checker interface {
	Delivered(ctx context.Context, n intake.Notification) (receipt string, ok bool, err error)
}

// Errors a Send may wrap to say what became of the notification.
var (
	// ErrPermanent: no retry can fix it; the notification is given up.
	ErrPermanent = errors.New("notify: permanent failure")
	// ErrUnavailable: the channel cannot send now (not connected, shutting
	// down) and nothing was sent; the notification waits, no attempt counted.
	ErrUnavailable = errors.New("notify: channel unavailable")
	// ErrMaybeSent: the request went out but its answer was lost (a
	// timeout, a dropped connection): it is retried as Uncertain, so a
	// Checker looks before sending again.
	ErrMaybeSent = errors.New("notify: outcome unknown")
)

// Permanent wraps err as a permanent failure.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// Unavailable wraps err as the channel being unavailable.
func Unavailable(err error) error { return fmt.Errorf("%w: %w", ErrUnavailable, err) }

// MaybeSent wraps err as an unknown outcome.
func MaybeSent(err error) error { return fmt.Errorf("%w: %w", ErrMaybeSent, err) }

// Outbox is the outbox as the Dispatcher uses it (*intake.Store).
type Outbox interface {
	ClaimNotifications(ctx context.Context, channel, owner string, now time.Time, lease time.Duration, max int) ([]intake.Notification, error)
	MarkNotificationSent(ctx context.Context, id int64, owner, receipt string, now time.Time) error
	MarkNotificationFailed(ctx context.Context, id int64, owner, reason string, retryAt time.Time, final bool) error
	MarkNotificationUncertain(ctx context.Context, id int64, owner, reason string, retryAt time.Time) error
	ReleaseNotification(ctx context.Context, id int64, owner string, retryAt time.Time) error
}

// Config tunes a Dispatcher; the zero Config is usable.
type Config struct {
	// Owner names this process's claims (default host/pid/random).
	Owner string
	// Now is the clock of leases and retries (default time.Now): real
	// time even when the ticket calendar's clock is fixed, or a lease would
	// never end.
	Now func() time.Time
	// Lease is how long a claim holds its rows (default 2 minutes).
	Lease time.Duration
	// SendTimeout bounds one Send (default 30 s; at most half the lease).
	SendTimeout time.Duration
	// Every is how often Run drains the outbox (default 5 s).
	Every time.Duration
	// Batch is how many rows a claim takes (default 20).
	Batch int
	// MaxAttempts is when a failing notification is given up (default 12).
	MaxAttempts int
	// Backoff is the wait after the nth failed attempt (default 30 s,
	// doubling, at most 1 hour).
	Backoff func(attempt int) time.Duration
	Log     *slog.Logger
}

// Dispatcher drains the outbox into the senders.
type Dispatcher struct {
	out     Outbox
	cfg     Config
	senders []Sender
	wake    chan struct{}
}

// New returns a Dispatcher for the senders, one per channel.
func New(out Outbox, cfg Config, senders ...Sender) (*Dispatcher, error) {
	if out == nil {
		return nil, errors.New("notify: nil outbox")
	}
	seen := map[string]bool{}
	for _, s := range senders {
		if s == nil || s.Channel() == "" {
			return nil, errors.New("notify: a sender without a channel")
		}
		if seen[s.Channel()] {
			return nil, fmt.Errorf("notify: two senders for channel %s", s.Channel())
		}
		seen[s.Channel()] = true
	}
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	cfg.SendTimeout = min(cfg.SendTimeout, cfg.Lease/2)
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{out: out, cfg: cfg, senders: senders, wake: make(chan struct{}, 1)}, nil
}

// DefaultBackoff waits 30 s after the first failure, doubling up to 1 hour.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func defaultOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Result counts what a Drain did.
type Result struct {
	Sent, Failed, GivenUp, Confirmed int // Confirmed: uncertain ones found already delivered
}

func (r *Result) add(o Result) {
	r.Sent += o.Sent
	r.Failed += o.Failed
	r.GivenUp += o.GivenUp
	r.Confirmed += o.Confirmed
}

// Wake makes Run drain now rather than at its next tick (after a move in
// this process, or when a channel has just connected).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox every Every (and on Wake) until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	tick := time.NewTicker(d.cfg.Every)
	defer tick.Stop()
	for {
		if _, err := d.Drain(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Log.Warn("notify: drain", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// Drain delivers every notification ready now, channel by channel (the
// channels in parallel), and returns what it did.
func (d *Dispatcher) Drain(ctx context.Context) (Result, error) {
	var (
		mu   sync.Mutex
		all  Result
		errs []error
		wg   sync.WaitGroup
	)
	for _, s := range d.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := d.drainChannel(ctx, s)
			mu.Lock()
			defer mu.Unlock()
			all.add(r)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.Channel(), err))
			}
		}()
	}
	wg.Wait()
	return all, errors.Join(errs...)
}

func (d *Dispatcher) drainChannel(ctx context.Context, s Sender) (Result, error) {
	var total Result
	for ctx.Err() == nil {
		batch, err := d.out.ClaimNotifications(ctx, s.Channel(), d.cfg.Owner, d.cfg.Now(), d.cfg.Lease, d.cfg.Batch)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		r, progress := d.deliver(ctx, s, batch)
		total.add(r)
		if !progress {
			return total, nil // everything claimed was held back: try at the next tick
		}
	}
	return total, nil
}

// deliver sends a claimed batch, keeping each address's notifications in
// order: after a failure, that address's later ones wait for it.
func (d *Dispatcher) deliver(ctx context.Context, s Sender, batch []intake.Notification) (Result, bool) {
	var r Result
	progress := false
	blocked := map[string]time.Time{} // address → when its earlier notification is retried
	for _, n := range batch {
		if until, ok := blocked[n.Address]; ok || ctx.Err() != nil {
			if !ok {
				until = d.cfg.Now()
			}
			if err := d.out.ReleaseNotification(context.WithoutCancel(ctx), n.ID, d.cfg.Owner, until); err != nil {
				d.cfg.Log.Warn("notify: release", "id", n.ID, "err", err)
			}
			continue
		}
		retryAt, ok, unavailable := d.one(ctx, s, n, &r)
		if unavailable {
			// The channel is down: give this batch back untried.
			for _, m := range batch {
				if m.ID >= n.ID {
					_ = d.out.ReleaseNotification(context.WithoutCancel(ctx), m.ID, d.cfg.Owner, d.cfg.Now()) // the next tick tries again
				}
			}
			return r, false
		}
		progress = true
		if !ok {
			blocked[n.Address] = retryAt
		}
	}
	return r, progress
}

// one delivers n; ok is false when it failed and will be retried at
// retryAt; unavailable when the channel could not try (n is not recorded).
func (d *Dispatcher) one(ctx context.Context, s Sender, n intake.Notification, r *Result) (retryAt time.Time, ok, unavailable bool) {
	log := d.cfg.Log.With("channel", s.Channel(), "id", n.ID, "ticket", n.TicketID, "kind", n.Kind, "attempt", n.Attempts)
	record := context.WithoutCancel(ctx) // an outcome is recorded even while stopping
	sendCtx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	defer cancel()
	var receipt string
	var err error
	delivered := false
	if c, isChecker := s.(Checker); isChecker && n.Uncertain {
		receipt, delivered, err = c.Delivered(sendCtx, n)
		if err != nil {
			err = fmt.Errorf("check an earlier attempt: %w", err)
		} else if delivered {
			log.Info("notify: an earlier attempt had arrived", "receipt", receipt)
			r.Confirmed++
		}
	}
	if err == nil && !delivered {
		receipt, err = s.Send(sendCtx, n)
		if err == nil {
			r.Sent++
		}
	}
	now := d.cfg.Now()
	if err == nil {
		if rerr := d.out.MarkNotificationSent(record, n.ID, d.cfg.Owner, receipt, now); rerr != nil {
			// Delivered, but the record is lost (the lease ran out): the row
			// comes back Uncertain, and the Checker finds it.
			log.Warn("notify: delivered but not recorded", "err", rerr)
		}
		return time.Time{}, true, false
	}
	if errors.Is(err, ErrUnavailable) {
		log.Info("notify: channel unavailable", "err", err)
		return time.Time{}, false, true
	}
	final := errors.Is(err, ErrPermanent) || n.Attempts >= d.cfg.MaxAttempts
	retryAt = now.Add(d.cfg.Backoff(n.Attempts))
	switch {
	case final:
		r.GivenUp++
		log.Warn("notify: given up", "err", err)
	case errors.Is(err, ErrMaybeSent):
		r.Failed++
		log.Warn("notify: outcome unknown, will check and retry", "err", err, "retry_at", retryAt)
		if rerr := d.out.MarkNotificationUncertain(record, n.ID, d.cfg.Owner, err.Error(), retryAt); rerr != nil {
			log.Warn("notify: record failure", "err", rerr)
		}
		return retryAt, false, false
	default:
		r.Failed++
		log.Info("notify: failed, will retry", "err", err, "retry_at", retryAt)
	}
	if rerr := d.out.MarkNotificationFailed(record, n.ID, d.cfg.Owner, err.Error(), retryAt, final); rerr != nil {
		log.Warn("notify: record failure", "err", rerr)
	}
	return retryAt, false, false
}
