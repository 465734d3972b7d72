-- knowledge_notices v1: the notices ingested with `huiqi ingest`, their
-- source and their parse, and which notice owns each measure id.
CREATE TABLE knowledge_notices (
		id          INTEGER PRIMARY KEY,
		name        TEXT NOT NULL,          -- the file name given to ingest
		doc_no      TEXT NOT NULL,          -- 文号, '' when the notice has none
		title       TEXT NOT NULL,
		digest      TEXT NOT NULL,          -- sha256 of the source
		source      BLOB NOT NULL,          -- the text as ingested
		parsed      TEXT NOT NULL,          -- the Notice as JSON
		ingested_at TEXT NOT NULL
	);
	CREATE TABLE knowledge_notice_measures (
		measure_id TEXT PRIMARY KEY,
		notice_id  INTEGER NOT NULL REFERENCES knowledge_notices(id) ON DELETE CASCADE
	);
	CREATE INDEX knowledge_notice_measures_notice ON knowledge_notice_measures(notice_id);
