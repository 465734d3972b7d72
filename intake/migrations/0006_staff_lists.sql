-- intake 6: staff queries that cost what they return, however long the
-- history (issue 19).
--
-- intake_lists: the staff lists a ticket not yet rated (已回访) is on, one
-- row per list, clustered by (list, open, due, id) so that a page of a
-- queue is a range scan however many closed tickets there are. A list is a
-- unit's name (lead or co-handling: the co-units get their own rows
-- instead of a JSON scan) or one of '#all' (every such ticket: the
-- hotline's queue), '#desk' (waiting for the desk to dispatch), '#escalated'
-- (escalated: the escalation unit's) and '#sweep' (open and not escalated:
-- what the escalation sweep looks at). open is 1 while the deadline applies.
-- The store rewrites a ticket's rows whenever it saves the ticket (lists.go).
CREATE TABLE intake_lists (
	list      TEXT NOT NULL,
	open      INTEGER NOT NULL,
	due       TEXT NOT NULL,
	ticket_id TEXT NOT NULL REFERENCES intake_tickets(id),
	PRIMARY KEY (list, open, due, ticket_id)
) WITHOUT ROWID;
CREATE INDEX intake_lists_ticket ON intake_lists(ticket_id);
-- The rows of the tickets filed before this version, as lists.go makes
-- them (a test holds the two to the same rows): 已回访 is rated, 已办结 and
-- 已回访 are closed, 已受理 and 退单 wait for dispatch.
INSERT OR IGNORE INTO intake_lists (list, open, due, ticket_id)
	SELECT '#all', status NOT IN ('已办结', '已回访'), due, id FROM intake_tickets WHERE status != '已回访'
	UNION ALL SELECT lead_unit, status NOT IN ('已办结', '已回访'), due, id FROM intake_tickets WHERE status != '已回访'
	UNION ALL SELECT j.value, t.status NOT IN ('已办结', '已回访'), t.due, t.id FROM intake_tickets t, json_each(t.co_units) j
		WHERE t.status != '已回访'
	UNION ALL SELECT '#desk', 1, due, id FROM intake_tickets WHERE status IN ('已受理', '退单')
	UNION ALL SELECT '#escalated', status NOT IN ('已办结', '已回访'), due, id FROM intake_tickets
		WHERE escalated = 1 AND status != '已回访'
	UNION ALL SELECT '#sweep', 1, due, id FROM intake_tickets WHERE escalated = 0 AND status NOT IN ('已办结', '已回访');

-- intake_tally: tickets counted by lead unit, status and whether escalated,
-- kept with every filing and save: the dashboard reads a few dozen rows
-- instead of the whole history.
CREATE TABLE intake_tally (
	lead_unit TEXT NOT NULL,
	status    TEXT NOT NULL,
	escalated INTEGER NOT NULL,
	n         INTEGER NOT NULL,
	PRIMARY KEY (lead_unit, status, escalated)
) WITHOUT ROWID;
INSERT INTO intake_tally (lead_unit, status, escalated, n)
	SELECT lead_unit, status, escalated, COUNT(*) FROM intake_tickets GROUP BY lead_unit, status, escalated;

-- 查进度 lists a reporter's tickets newest first: the index is ordered so,
-- and its condition is one the query repeats (a partial index serves only a
-- query whose WHERE implies it; reporter_key = ? alone does not).
DROP INDEX intake_tickets_reporter;
CREATE INDEX intake_tickets_reporter ON intake_tickets(reporter_key, created_at, id) WHERE reporter_key != '';

-- intake_recent: what a reporter (a conversation key or an address, hashed)
-- filed or asked lately, by a hash of the normalised text, so the same text
-- again within the window is folded into the first. Rows older than the
-- window are deleted as new ones come.
CREATE TABLE intake_recent (
	kind TEXT NOT NULL,   -- 'ticket' or 'question'
	who  TEXT NOT NULL,
	text TEXT NOT NULL,
	ref  TEXT NOT NULL,   -- the ticket filed ('' for a question)
	at   TEXT NOT NULL,
	PRIMARY KEY (kind, who, text)
) WITHOUT ROWID;
CREATE INDEX intake_recent_at ON intake_recent(at);

-- intake_daily: how many tickets and questions a reporter or an address
-- (hashed) filed each day, for the caps the web applies. Kept two days.
CREATE TABLE intake_daily (
	day  TEXT NOT NULL,   -- YYYYMMDD, China time
	who  TEXT NOT NULL,
	kind TEXT NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (day, who, kind)
) WITHOUT ROWID;

-- The review list of unanswered questions, most asked first, page by page.
CREATE INDEX intake_unanswered_open ON intake_unanswered(count, last_at, norm) WHERE resolved = '';

-- Ids are random now (CQ-YYYYMMDD- and 8 digits): the daily counter that
-- numbered them, and told anyone how many tickets a day brought, goes.
DROP TABLE intake_counters;
