-- bot 1: conversation state, one row per conversation key.
CREATE TABLE bot_conversations (
	key        TEXT PRIMARY KEY,
	state      TEXT NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL -- unix milliseconds of the engine's clock
);
CREATE INDEX bot_conversations_updated ON bot_conversations (updated_at);
