-- intake 1: tickets, their append-only events, the id counters and the unanswered questions.
CREATE TABLE intake_counters (
	day  TEXT PRIMARY KEY,          -- YYYYMMDD, China time
	last INTEGER NOT NULL
);
CREATE TABLE intake_tickets (
	id           TEXT PRIMARY KEY,  -- CQ-YYYYMMDD-NNNN
	status       TEXT NOT NULL,
	lead_unit    TEXT NOT NULL,
	co_units     TEXT NOT NULL,     -- JSON array
	measures     TEXT NOT NULL,     -- JSON array
	mode         TEXT NOT NULL,
	matched      INTEGER NOT NULL,
	flags        TEXT NOT NULL,     -- JSON array
	unresolved   TEXT NOT NULL,     -- JSON array
	confidence   REAL NOT NULL,
	due          TEXT NOT NULL,     -- YYYY-MM-DD
	sign_due     TEXT NOT NULL,
	escalated    INTEGER NOT NULL DEFAULT 0,
	escalated_to TEXT NOT NULL DEFAULT '',
	extend_days  INTEGER NOT NULL DEFAULT 0,
	reply        TEXT NOT NULL DEFAULT '',
	rating       TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	text         TEXT NOT NULL,
	enterprise   TEXT NOT NULL,
	contact      TEXT NOT NULL,
	location     TEXT NOT NULL,
	channel      TEXT NOT NULL,
	reporter_key TEXT NOT NULL,
	secret_hash  TEXT NOT NULL
);
CREATE INDEX intake_tickets_lead ON intake_tickets(lead_unit, status);
CREATE INDEX intake_tickets_reporter ON intake_tickets(reporter_key) WHERE reporter_key != '';
CREATE TABLE intake_events (
	ticket_id   TEXT NOT NULL REFERENCES intake_tickets(id),
	n           INTEGER NOT NULL,   -- 1, 2, … per ticket
	at          TEXT NOT NULL,
	kind        TEXT NOT NULL,
	from_status TEXT NOT NULL,
	status      TEXT NOT NULL,
	by          TEXT NOT NULL,
	note        TEXT NOT NULL,
	PRIMARY KEY (ticket_id, n)
);
CREATE TRIGGER intake_events_no_update BEFORE UPDATE ON intake_events
BEGIN SELECT RAISE(ABORT, 'intake_events is append-only'); END;
CREATE TRIGGER intake_events_no_delete BEFORE DELETE ON intake_events
BEGIN SELECT RAISE(ABORT, 'intake_events is append-only'); END;
CREATE TRIGGER intake_tickets_no_delete BEFORE DELETE ON intake_tickets
BEGIN SELECT RAISE(ABORT, 'intake tickets are never deleted'); END;
CREATE TABLE intake_unanswered (
	norm     TEXT PRIMARY KEY,      -- normalised question, the dedupe key
	question TEXT NOT NULL,
	count    INTEGER NOT NULL,
	first_at TEXT NOT NULL,
	last_at  TEXT NOT NULL,
	resolved TEXT NOT NULL DEFAULT '' -- the measure staff attached it to
);
