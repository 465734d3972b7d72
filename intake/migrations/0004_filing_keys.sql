-- intake 4: the keys of filings (the console form's hidden key, the API's
-- Idempotency-Key, the chat's confirm button), so a refresh, a double click
-- or a retried request files one ticket and answers with it again. Only a
-- hash of the key is kept, and the reporter's secret code sealed with the
-- key itself: the table alone gives no secret away.
CREATE TABLE intake_filing_keys (
	key_hash    TEXT PRIMARY KEY,
	ticket_id   TEXT NOT NULL REFERENCES intake_tickets(id),
	fingerprint TEXT NOT NULL,   -- a hash of what was filed: the same key with other content is refused
	sealed      TEXT NOT NULL,   -- hex(nonce ‖ AES-GCM(secret)), keyed by the filing key
	created_at  TEXT NOT NULL
);
