-- web 2: when each session was last used, for the idle timeout.
ALTER TABLE web_sessions ADD COLUMN used_at TEXT NOT NULL DEFAULT '';
CREATE INDEX web_sessions_user ON web_sessions(user_id);
