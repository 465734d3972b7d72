-- intake 3: the notifications outbox. A move the enterprise or a unit should
-- hear of writes its rows here in the move's own transaction; each channel's
-- sender claims rows with a lease, delivers them and records the delivery.
CREATE TABLE intake_outbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id   TEXT NOT NULL REFERENCES intake_tickets(id),
	ref         TEXT NOT NULL,             -- what it tells of: e<event n>, or due:<date> / sign:<date> for warnings
	kind        TEXT NOT NULL,             -- dispatched, signed, returned, closed, extended, escalated, filed, reopened, due_soon
	audience    TEXT NOT NULL,             -- reporter | unit
	unit        TEXT NOT NULL DEFAULT '',  -- the unit it concerns (the one told, or the one acting)
	channel     TEXT NOT NULL,             -- discord, web, terminal, wechat, …: the sender that delivers it
	address     TEXT NOT NULL,             -- whom in that channel: the reporter's user, or a unit's target
	status      TEXT NOT NULL,             -- the ticket's status after the move
	note        TEXT NOT NULL DEFAULT '',  -- the reply (办结); for units, the issue's text, shortened
	due         TEXT NOT NULL DEFAULT '',  -- the deadline it names (the new one after 延期), YYYY-MM-DD
	due_estimated INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	state       TEXT NOT NULL DEFAULT 'pending', -- pending, sent, failed, muted
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     INTEGER NOT NULL DEFAULT 0, -- unix ms: not to be tried before
	lease_owner TEXT NOT NULL DEFAULT '',   -- the claimer holding it; left set by a claimer that vanished
	lease_until INTEGER NOT NULL DEFAULT 0, -- unix ms: the claim ends
	sent_at     TEXT NOT NULL DEFAULT '',
	receipt     TEXT NOT NULL DEFAULT '',   -- the channel's name for the delivered message
	last_error  TEXT NOT NULL DEFAULT '',
	UNIQUE (ticket_id, ref, kind, channel, address)
);
CREATE INDEX intake_outbox_ready ON intake_outbox(channel, state, next_at);
CREATE INDEX intake_outbox_address ON intake_outbox(channel, address, state);
-- Reporters (conversation keys) who asked not to be told.
CREATE TABLE intake_notify_off (
	reporter_key TEXT PRIMARY KEY,
	at           TEXT NOT NULL
);
-- Where a channel tells each unit's staff (a Discord channel or DM, a WeChat
-- Work user): the channel's configuration file, loaded by its process.
CREATE TABLE intake_unit_targets (
	channel TEXT NOT NULL,
	unit    TEXT NOT NULL,
	address TEXT NOT NULL,
	PRIMARY KEY (channel, unit, address)
);
