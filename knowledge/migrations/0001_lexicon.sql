-- knowledge_lexicon v1: questions staff attached to measures.
CREATE TABLE knowledge_lexicon_questions (
			id         INTEGER PRIMARY KEY,
			measure_id TEXT NOT NULL,
			question   TEXT NOT NULL,
			added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
			UNIQUE (measure_id, question)
		)
