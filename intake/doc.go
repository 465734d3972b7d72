// Package intake is the one-stop enterprise service platform of measure
// ind-20: an issue an enterprise reports (online, offline or by hotline) is
// routed to the measure and the responsible units, filed as a ticket with
// working-day deadlines, moved through a 12345-style workflow, escalated
// (督办) when overdue, and kept with an append-only audit trail in SQLite.
//
// Each move writes, in its own transaction, the notifications its reporter
// and the units should get (the outbox, outbox.go), which the channels
// deliver through package notify.
//
// It owns the one ticket type (Ticket, its Events, the enterprise's
// PublicTicket and Receipt) and every question about it: which moves a
// person may make next and who makes them (Status.Next), whether it may
// still be re-routed or extended, which channel is 线上, what the reporter
// may see. Its facts are data: the routing rules with the platform desk and
// the escalation unit (routing.json), the deadline limits
// (deadlines.json), the working-day calendar (calendar/holidays.json), what
// each role of staff may do (roles.json, read by Roles for every channel),
// and its tables (migrations/*.sql).
//
// It must not know any channel, HTTP, Discord or the command line: those
// declare the small interfaces they need over these types, and
// *Store, *Router satisfy them.
package intake
