-- knowledge_notices v2: the staff workflow. An ingested notice is a draft
-- until someone publishes it, and may be withdrawn; each step is recorded
-- with who took it. A notice may supersede another (by 文号, else title).
-- Notices stored before v2 were answered at once: they stay published.
ALTER TABLE knowledge_notices ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
	CHECK (state IN ('draft', 'published', 'withdrawn'));
ALTER TABLE knowledge_notices ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE knowledge_notices ADD COLUMN supersedes TEXT NOT NULL DEFAULT '';
CREATE TABLE knowledge_notice_events (
	id        INTEGER PRIMARY KEY,
	notice_id INTEGER NOT NULL REFERENCES knowledge_notices(id) ON DELETE CASCADE,
	at        TEXT NOT NULL,
	action    TEXT NOT NULL,   -- ingested, reingested, published, withdrawn, reviewed
	by        TEXT NOT NULL,
	note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX knowledge_notice_events_notice ON knowledge_notice_events(notice_id);
