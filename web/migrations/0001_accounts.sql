-- web 1: staff accounts, their sessions and the daily counts of questions asked.
CREATE TABLE web_users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	unit TEXT NOT NULL DEFAULT '',
	password_hash BLOB NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE web_sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES web_users(id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
CREATE TABLE web_ask_counts (
	day TEXT PRIMARY KEY,
	answered INTEGER NOT NULL DEFAULT 0,
	unanswered INTEGER NOT NULL DEFAULT 0
);
