package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The notifications outbox (table intake_outbox, migration 0003).
//
// Every move a ticket's reporter or a unit's staff should hear of writes its
// notifications in the move's own transaction (queueNotifications, called
// where events are appended): the move and its notifications commit or
// roll back together, so none is lost and none is told of a move that did
// not happen. One row is one delivery: a notification to one address in
// one channel. The reporter is told in the channel of its conversation key
// (discord:ID → channel discord, address ID; web:CONV; terminal:NAME;
// wechat:OPENID); a unit is told at each target its channels configured
// (SetUnitTargets), one row per channel and target.
//
// Who is told of what (notices): the reporter of 派单 (已派单), 签收, 退单,
// 办结 (with the reply), 延期 (with the new date) and 督办; unit staff of a
// new ticket in their queue (the desk when one is filed or sent back, the
// lead and co-handling units when it is dispatched or re-routed to them,
// the lead unit when a 不满意 reopens it, the escalation unit at 督办) and of
// a deadline about to pass (WarnDueSoon).
//
// Delivery. A push channel's sender (package notify) claims ready rows with
// a lease in a write transaction (ClaimNotifications: SQLite has one writer,
// so two processes never claim one row), delivers each, and records the
// outcome only while it holds the lease (MarkNotificationSent,
// MarkNotificationFailed: a claimer whose lease ran out records nothing).
// A row claimed but never recorded (the claimer crashed, or its lease ran
// out mid-send) comes back once the lease ends, marked Uncertain: it may
// have arrived, and a sender that can look (Discord reads the DM's recent
// messages) checks before sending again. Pull channels (the web chat, the
// terminal) read PendingNotifications and acknowledge what they showed
// (AckNotifications). Timing (leases, retries) is the caller's clock, passed
// in as now: it is operational time, never the ticket's calendar.
//
// A reporter who says /notify off (SetNotify) gets no more: rows already
// waiting and rows written later are kept, marked muted, never sent.

// Notification audiences.
const (
	AudienceReporter = "reporter"
	AudienceUnit     = "unit"
)

// Notification kinds.
const (
	NotifyFiled      = "filed"      // unit (the desk): a new ticket waits for dispatch
	NotifyDispatched = "dispatched" // reporter: sent to a unit; unit: new in its queue
	NotifySigned     = "signed"     // reporter: the unit accepted it
	NotifyReturned   = "returned"   // reporter: the unit sent it back; the desk: to dispatch again
	NotifyClosed     = "closed"     // reporter: replied (the reply is the note)
	NotifyExtended   = "extended"   // reporter: the deadline moved (Due is the new one)
	NotifyEscalated  = "escalated"  // reporter and the escalation unit: overdue, 督办
	NotifyReopened   = "reopened"   // unit: the enterprise was not satisfied, work again
	NotifyDueSoon    = "due_soon"   // unit: a deadline passes within a working day
)

// Notification delivery states.
const (
	NotifyPending = "pending"
	NotifySent    = "sent"
	NotifyFailed  = "failed" // given up
	NotifyMuted   = "muted"  // the reporter turned notifications off
)

// ErrLeaseLost is returned when a claimer records the outcome of a
// notification it no longer holds: its lease ran out, and another claimer
// may have it now.
var ErrLeaseLost = errors.New("intake: notification lease lost")

// Notification is one delivery of the outbox: what to tell, whom, where.
type Notification struct {
	ID       int64  `json:"id"`
	TicketID string `json:"ticket_id"`
	Kind     string `json:"kind"`
	Audience string `json:"audience"`
	// Unit is the unit it concerns: the one told (audience unit), or the
	// one that acted (the lead unit; the escalation office at 督办).
	Unit    string `json:"unit,omitempty"`
	Channel string `json:"channel"`
	// Address is whom in Channel: the reporter's user (the part of the
	// conversation key after "channel:"), or the unit's target there.
	Address string `json:"-"`
	Status  Status `json:"status"`
	// Note is the reply (办结) for the reporter; for a unit, the issue's
	// text, shortened.
	Note         string    `json:"note,omitempty"`
	Due          Date      `json:"due"`
	DueEstimated bool      `json:"due_estimated,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	State        string    `json:"state"`
	Attempts     int       `json:"attempts"`
	// Uncertain is set on a claimed notification whose previous claim ended
	// with nothing recorded: it may already have arrived.
	Uncertain bool   `json:"-"`
	Receipt   string `json:"receipt,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

// Title is the notification's headline: 工单 CQ-20261201-0001 已办结.
func (n Notification) Title() string {
	switch n.Kind {
	case NotifyFiled, NotifyDispatched:
		if n.Audience == AudienceUnit {
			return "新工单 " + n.TicketID
		}
	case NotifyDueSoon:
		return "工单 " + n.TicketID + " 即将超期"
	case NotifyExtended:
		return "工单 " + n.TicketID + " 延期"
	case NotifyEscalated:
		return "工单 " + n.TicketID + " 督办"
	case NotifyReopened:
		return "工单 " + n.TicketID + " 重新办理"
	}
	return "工单 " + n.TicketID + " " + string(n.Status)
}

// Text is what the notification says, in Chinese, to its audience. It is
// the one wording of every channel.
func (n Notification) Text() string {
	due := DueText(n.Due, n.DueEstimated)
	if n.Audience == AudienceUnit {
		var s string
		switch n.Kind {
		case NotifyFiled:
			s = "新工单 " + n.TicketID + " 已受理，等待派单。"
		case NotifyDispatched:
			s = "新工单 " + n.TicketID + " 已派至" + n.Unit + "，请及时签收。"
		case NotifyReturned:
			s = "工单 " + n.TicketID + " 被承办单位退回，等待重新派单。"
		case NotifyReopened:
			s = "工单 " + n.TicketID + " 企业回访不满意，已转回" + n.Unit + "重新办理。"
		case NotifyEscalated:
			s = "工单 " + n.TicketID + " 已超过办结时限，提请督办。"
		case NotifyDueSoon:
			s = "工单 " + n.TicketID + " 的期限即将届满，请抓紧办理。"
		default:
			s = "工单 " + n.TicketID + " 状态：" + string(n.Status) + "。"
		}
		if due != "" {
			s += "期限：" + due + "。"
		}
		if n.Note != "" {
			s += "\n问题：" + n.Note
		}
		return s
	}
	id := "您反映的问题（工单 " + n.TicketID + "）"
	switch n.Kind {
	case NotifyDispatched:
		s := id + "已派给" + n.Unit + "办理"
		if due != "" {
			s += "，办结时限 " + due
		}
		return s + "。"
	case NotifySigned:
		return id + "已由" + n.Unit + "签收，正在办理。"
	case NotifyReturned:
		return id + "已退回平台，平台将重新派给责任单位办理。"
	case NotifyClosed:
		s := id + "已办结。"
		if n.Note != "" {
			s += "\n答复：" + n.Note
		}
		return s
	case NotifyExtended:
		return id + "的办理时限已延长至 " + due + "。"
	case NotifyEscalated:
		return id + "已超过办结时限，已提请" + n.Unit + "督办。"
	}
	return id + "的状态已更新为“" + string(n.Status) + "”。"
}

// notice is one notification a move asks for, before it is addressed.
type notice struct {
	kind, audience, unit, note string
	due                        Date
	dueEstimated               bool
}

// notices says who hears of event ev of ticket t (t as it is after ev).
func (s *Store) notices(t *Ticket, ev Event) []notice {
	var out []notice
	reporter := func(kind, unit, note string) {
		if t.ReporterKey != "" {
			out = append(out, notice{kind: kind, audience: AudienceReporter, unit: unit, note: note,
				due: t.Due, dueEstimated: t.DueEstimated})
		}
	}
	units := func(kind string, due Date, est bool, us ...string) {
		seen := map[string]bool{}
		for _, u := range us {
			if u = strings.TrimSpace(u); u != "" && !seen[u] {
				seen[u] = true
				out = append(out, notice{kind: kind, audience: AudienceUnit, unit: u, note: clipRunes(t.Text, 100),
					due: due, dueEstimated: est})
			}
		}
	}
	assigned := func() {
		units(NotifyDispatched, t.SignDue, t.SignDueEstimated, append([]string{t.LeadUnit}, t.CoUnits...)...)
	}
	switch ev.Kind {
	case KindFile:
		units(NotifyFiled, t.SignDue, t.SignDueEstimated, s.cfg.Rules.Desk)
	case KindMove:
		switch ev.Status {
		case StatusDispatched:
			reporter(NotifyDispatched, t.LeadUnit, "")
			assigned()
		case StatusSigned:
			reporter(NotifySigned, t.LeadUnit, "")
		case StatusReturned:
			reporter(NotifyReturned, t.LeadUnit, "")
			units(NotifyReturned, Date{}, false, s.cfg.Rules.Desk)
		case StatusClosed:
			reporter(NotifyClosed, t.LeadUnit, t.Reply)
		}
	case KindExtend:
		reporter(NotifyExtended, t.LeadUnit, "")
	case KindEscalate:
		reporter(NotifyEscalated, s.cfg.Rules.EscalateLabel, "")
		units(NotifyEscalated, t.Due, t.DueEstimated, s.cfg.Rules.EscalateTo)
	case KindReopen:
		units(NotifyReopened, t.Due, t.DueEstimated, t.LeadUnit)
	case KindReroute:
		if t.Status == StatusDispatched {
			assigned()
		}
	}
	return out
}

// queueNotifications writes, in the transaction of the move, the
// notifications event n (ev) of ticket t asks for.
func (s *Store) queueNotifications(ctx context.Context, tx *sql.Tx, t *Ticket, ev Event, n int) error {
	_, err := s.queue(ctx, tx, t, fmt.Sprintf("e%d", n), s.notices(t, ev), ev.At)
	return err
}

// queue addresses ns and writes them under ref; it returns how many rows
// are new (a ref already queued is not queued again).
func (s *Store) queue(ctx context.Context, tx *sql.Tx, t *Ticket, ref string, ns []notice, at time.Time) (int, error) {
	added := 0
	for _, nt := range ns {
		var addrs [][2]string // channel, address
		state := NotifyPending
		if nt.audience == AudienceReporter {
			ch, addr, ok := strings.Cut(t.ReporterKey, ":")
			if !ok || ch == "" || addr == "" {
				continue
			}
			addrs = append(addrs, [2]string{ch, addr})
			var off int
			if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM intake_notify_off WHERE reporter_key = ?`,
				t.ReporterKey).Scan(&off); err != nil {
				return 0, fmt.Errorf("notify preference: %w", err)
			}
			if off > 0 {
				state = NotifyMuted
			}
		} else {
			rows, err := s.query(ctx, tx, `SELECT channel, address FROM intake_unit_targets WHERE unit = ?
				ORDER BY channel, address`, nt.unit)
			if err != nil {
				return 0, fmt.Errorf("unit targets: %w", err)
			}
			for rows.Next() {
				var a [2]string
				if err := rows.Scan(&a[0], &a[1]); err != nil {
					rows.Close()
					return 0, err
				}
				addrs = append(addrs, a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, err
			}
		}
		for _, a := range addrs {
			res, err := s.exec(ctx, tx, `INSERT INTO intake_outbox (ticket_id, ref, kind, audience, unit, channel,
				address, status, note, due, due_estimated, created_at, state)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
				t.ID, ref, nt.kind, nt.audience, nt.unit, a[0], a[1], t.Status, nt.note, nt.due, nt.dueEstimated,
				fmtTime(at), state)
			if err != nil {
				return 0, fmt.Errorf("queue notification: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
	}
	return added, nil
}

const notificationCols = `id, ticket_id, kind, audience, unit, channel, address, status, note, due, due_estimated,
	created_at, state, attempts, lease_owner, receipt, last_error`

func scanNotification(row scanner) (Notification, error) {
	var n Notification
	var created, owner string
	err := row.Scan(&n.ID, &n.TicketID, &n.Kind, &n.Audience, &n.Unit, &n.Channel, &n.Address, &n.Status, &n.Note,
		&n.Due, &n.DueEstimated, &created, &n.State, &n.Attempts, &owner, &n.Receipt, &n.LastError)
	n.CreatedAt = parseTime(created)
	n.Uncertain = owner != ""
	return n, err
}

func (s *Store) queryNotifications(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]Notification, error) {
	rows, err := s.query(ctx, tx, `SELECT `+notificationCols+` FROM intake_outbox `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ClaimNotifications claims up to max notifications of channel that are
// ready at now, for owner, until now+lease, in one write transaction, and
// returns them oldest first. Each claim counts as an attempt. A notification
// whose previous claim was never recorded comes back Uncertain.
func (s *Store) ClaimNotifications(ctx context.Context, channel, owner string, now time.Time, lease time.Duration, max int) ([]Notification, error) {
	if owner == "" || lease <= 0 || max <= 0 {
		return nil, errors.New("intake: claim notifications: owner, lease and max are required")
	}
	ms, until := now.UnixMilli(), now.Add(lease).UnixMilli()
	var out []Notification
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.queryNotifications(ctx, tx, `WHERE channel = ? AND state = ? AND next_at <= ? AND lease_until <= ?
			ORDER BY id LIMIT ?`, channel, NotifyPending, ms, ms, max)
		if err != nil {
			return err
		}
		for i := range out {
			if _, err := s.exec(ctx, tx, `UPDATE intake_outbox SET lease_owner = ?, lease_until = ?,
				attempts = attempts + 1 WHERE id = ?`, owner, until, out[i].ID); err != nil {
				return err
			}
			out[i].Attempts++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: claim notifications: %w", err)
	}
	return out, nil
}

// MarkNotificationSent records that the notification arrived (receipt is the
// channel's name for it), if owner still holds it; else ErrLeaseLost.
func (s *Store) MarkNotificationSent(ctx context.Context, id int64, owner, receipt string, now time.Time) error {
	return s.record(ctx, id, owner, `state = ?, sent_at = ?, receipt = ?`, NotifySent, fmtTime(now), clipRunes(receipt, 200))
}

// MarkNotificationFailed records a failed attempt, if owner still holds the
// notification: it is tried again from retryAt, or never when final.
func (s *Store) MarkNotificationFailed(ctx context.Context, id int64, owner, reason string, retryAt time.Time, final bool) error {
	state := NotifyPending
	if final {
		state = NotifyFailed
	}
	return s.record(ctx, id, owner, `state = ?, next_at = ?, last_error = ?`, state, retryAt.UnixMilli(), clipRunes(reason, 500))
}

// MarkNotificationUncertain records an attempt whose outcome is unknown
// (the request went out, its answer was lost), if owner still holds the
// notification: it is tried again from retryAt, as Uncertain.
func (s *Store) MarkNotificationUncertain(ctx context.Context, id int64, owner, reason string, retryAt time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE intake_outbox SET next_at = ?, last_error = ?, lease_until = 0
			WHERE id = ? AND lease_owner = ? AND state = ?`, retryAt.UnixMilli(), clipRunes(reason, 500), id, owner, NotifyPending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrLeaseLost
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrLeaseLost) {
		return fmt.Errorf("intake: record notification %d: %w", id, err)
	}
	return err
}

// ReleaseNotification gives back a claimed notification untried, not
// before retryAt (a sender keeping one address's notifications in order
// holds the later ones back while an earlier one waits); the claim is not
// counted as an attempt.
func (s *Store) ReleaseNotification(ctx context.Context, id int64, owner string, retryAt time.Time) error {
	return s.record(ctx, id, owner, `next_at = ?, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END`, retryAt.UnixMilli())
}

func (s *Store) record(ctx context.Context, id int64, owner, set string, args ...any) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE intake_outbox SET `+set+`, lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_owner = ? AND state = ?`, append(args, id, owner, NotifyPending)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrLeaseLost
		}
		return nil
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	if err != nil {
		return fmt.Errorf("intake: record notification %d: %w", id, err)
	}
	return nil
}

// PendingNotifications lists, oldest first, the notifications waiting for
// address in a pull channel (the web chat, the terminal) after id after.
func (s *Store) PendingNotifications(ctx context.Context, channel, address string, after int64, max int) ([]Notification, error) {
	if max <= 0 {
		max = 50
	}
	var out []Notification
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.queryNotifications(ctx, tx, `WHERE channel = ? AND address = ? AND state = ? AND id > ?
			ORDER BY id LIMIT ?`, channel, address, NotifyPending, after, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("intake: pending notifications: %w", err)
	}
	return out, nil
}

// AckNotifications records as delivered the notifications of address in a
// pull channel up to id upTo: the client has shown them.
func (s *Store) AckNotifications(ctx context.Context, channel, address string, upTo int64, now time.Time) error {
	if upTo <= 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `UPDATE intake_outbox SET state = ?, sent_at = ?, lease_owner = '', lease_until = 0
			WHERE channel = ? AND address = ? AND state = ? AND id <= ?`,
			NotifySent, fmtTime(now), channel, address, NotifyPending, upTo)
		return err
	})
	if err != nil {
		return fmt.Errorf("intake: acknowledge notifications: %w", err)
	}
	return nil
}

// SetNotify turns the notifications of a reporter (a conversation key,
// discord:ID) on or off. Off also mutes those still waiting.
func (s *Store) SetNotify(ctx context.Context, reporterKey string, on bool) error {
	ch, addr, ok := strings.Cut(strings.TrimSpace(reporterKey), ":")
	if !ok || ch == "" || addr == "" || utf8.RuneCountInString(reporterKey) > maxFieldRunes {
		return fmt.Errorf("%w: 会话标识无效", ErrInvalid)
	}
	now := s.clock()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if on {
			_, err := s.exec(ctx, tx, `DELETE FROM intake_notify_off WHERE reporter_key = ?`, reporterKey)
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO intake_notify_off (reporter_key, at) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, reporterKey, fmtTime(now)); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `UPDATE intake_outbox SET state = ? WHERE channel = ? AND address = ?
			AND audience = ? AND state = ?`, NotifyMuted, ch, addr, AudienceReporter, NotifyPending)
		return err
	})
	if err != nil {
		return fmt.Errorf("intake: set notify: %w", err)
	}
	return nil
}

// NotifyOn reports whether the reporter (a conversation key) gets
// notifications: yes unless they turned them off.
func (s *Store) NotifyOn(ctx context.Context, reporterKey string) (bool, error) {
	var n int
	err := s.read(ctx, func(tx *sql.Tx) error {
		return s.queryRow(ctx, tx, `SELECT COUNT(*) FROM intake_notify_off WHERE reporter_key = ?`, reporterKey).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("intake: notify preference: %w", err)
	}
	return n == 0, nil
}

// SetUnitTargets replaces where channel tells each unit's staff: targets
// maps a unit to its addresses in that channel (for Discord, channel:ID or
// user:ID). The channel's process loads it from its configuration at start;
// every process writing moves then addresses the unit's notifications to it.
func (s *Store) SetUnitTargets(ctx context.Context, channel string, targets map[string][]string) error {
	if strings.TrimSpace(channel) == "" {
		return errors.New("intake: unit targets: empty channel")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM intake_unit_targets WHERE channel = ?`, channel); err != nil {
			return err
		}
		for unit, addrs := range targets {
			for _, a := range addrs {
				if strings.TrimSpace(unit) == "" || strings.TrimSpace(a) == "" {
					continue
				}
				if _, err := s.exec(ctx, tx, `INSERT INTO intake_unit_targets (channel, unit, address) VALUES (?, ?, ?)
					ON CONFLICT DO NOTHING`, channel, strings.TrimSpace(unit), strings.TrimSpace(a)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("intake: unit targets: %w", err)
	}
	return nil
}

// WarnDueSoon tells the units of open tickets whose deadline is about to
// pass — once per ticket and deadline, to the targets the units have then.
// The close deadline is warned of a working day ahead; the sign deadline,
// itself only a working day after filing (when the unit is already told of
// the new ticket), on its own day, so a new ticket is not flagged at once.
// It returns how many tickets it newly warned of.
func (s *Store) WarnDueSoon(ctx context.Context) (int, error) {
	now := s.clock()
	today := DateOf(now)
	horizon, _ := s.deadline(now, 1)
	warned := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		warned = 0
		// The open tickets due within the day and those not yet accepted
		// whose sign deadline is, each an index range (dueSoon in lists.go).
		rows, err := s.query(ctx, tx, qDueSoon, listAll, today, horizon, today, horizon)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			t, _, err := s.getTicket(ctx, tx, id)
			if err != nil {
				return err
			}
			ref, due, est, unit := "due:"+t.Due.String(), t.Due, t.DueEstimated, t.LeadUnit
			if t.Status.Unsigned() && t.SignDue == today {
				ref, due, est = "sign:"+t.SignDue.String(), t.SignDue, t.SignDueEstimated
				if t.Status != StatusDispatched {
					unit = s.cfg.Rules.Desk // waiting for the desk, not the unit
				}
			} else if t.Due.Before(today) || t.Due.After(horizon) {
				continue
			}
			nt := notice{kind: NotifyDueSoon, audience: AudienceUnit, unit: unit, note: clipRunes(t.Text, 100), due: due, dueEstimated: est}
			n, err := s.queue(ctx, tx, &t, ref, []notice{nt}, now)
			if err != nil {
				return err
			}
			if n > 0 {
				warned++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("intake: warn due soon: %w", err)
	}
	return warned, nil
}

// Notifications lists a ticket's notifications, every state (operators).
func (s *Store) Notifications(ctx context.Context, ticketID string) ([]Notification, error) {
	var out []Notification
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.queryNotifications(ctx, tx, `WHERE ticket_id = ? ORDER BY id`, ticketID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("intake: notifications: %w", err)
	}
	return out, nil
}

func clipRunes(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
