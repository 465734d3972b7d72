-- web 2: when each session was last used, for the idle timeout (a table of
-- its own: the tables of web 1 stay as they were).
CREATE TABLE web_session_use (
	token_hash TEXT PRIMARY KEY REFERENCES web_sessions(token_hash) ON DELETE CASCADE,
	used_at    TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
