-- wechat 1: what the adapter remembers of a follower between messages (the
-- numbered choices last shown, a form being asked field by field), so a
-- restart does not lose them. Rows older than the session lifetime are
-- deleted as others are written.
CREATE TABLE wechat_sessions (
	user TEXT PRIMARY KEY,   -- the follower's OpenID
	data TEXT NOT NULL,      -- JSON (sessionstore.go)
	seen TEXT NOT NULL       -- RFC 3339, the last message
);
CREATE INDEX wechat_sessions_seen ON wechat_sessions(seen);
