-- A database as the code of commit d4a8a54 (before the migrations moved into
-- .sql files) made it, dumped with sqlite3 .dump: huiqi report (two tickets,
-- one by the hotline), ticket --set 已派单/已签收/延期, chat, user add, lexicon
-- add, serve (an unanswered question, a session, the ask counts) and ingest,
-- all at HUIQI_NOW=2026-11-27T10:00:00+08:00. TestLegacyDatabaseOpens opens
-- it with the current code. Do not regenerate: it stands for databases in use.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
		PRIMARY KEY (component, version));
INSERT INTO schema_migrations VALUES('intake',1,'2026-12-01T23:27:13Z');
INSERT INTO schema_migrations VALUES('intake',2,'2026-12-01T23:27:13Z');
INSERT INTO schema_migrations VALUES('bot',1,'2026-11-27T02:00:00Z');
INSERT INTO schema_migrations VALUES('web',1,'2026-12-01T23:27:13Z');
INSERT INTO schema_migrations VALUES('knowledge_lexicon',1,'2026-12-01T23:27:13Z');
INSERT INTO schema_migrations VALUES('knowledge_notices',1,'2026-12-01T23:27:27Z');
CREATE TABLE intake_counters (
		day  TEXT PRIMARY KEY,          -- YYYYMMDD, China time
		last INTEGER NOT NULL
	);
INSERT INTO intake_counters VALUES('20261127',2);
CREATE TABLE intake_tickets (
		id           TEXT PRIMARY KEY,  -- CQ-YYYYMMDD-NNNN
		status       TEXT NOT NULL,
		lead_unit    TEXT NOT NULL,
		co_units     TEXT NOT NULL,     -- JSON array
		measures     TEXT NOT NULL,     -- JSON array
		mode         TEXT NOT NULL,
		matched      INTEGER NOT NULL,
		flags        TEXT NOT NULL,     -- JSON array
		unresolved   TEXT NOT NULL,     -- JSON array
		confidence   REAL NOT NULL,
		due          TEXT NOT NULL,     -- YYYY-MM-DD
		sign_due     TEXT NOT NULL,
		escalated    INTEGER NOT NULL DEFAULT 0,
		escalated_to TEXT NOT NULL DEFAULT '',
		extend_days  INTEGER NOT NULL DEFAULT 0,
		reply        TEXT NOT NULL DEFAULT '',
		rating       TEXT NOT NULL DEFAULT '',
		created_at   TEXT NOT NULL,
		updated_at   TEXT NOT NULL,
		text         TEXT NOT NULL,
		enterprise   TEXT NOT NULL,
		contact      TEXT NOT NULL,
		location     TEXT NOT NULL,
		channel      TEXT NOT NULL,
		reporter_key TEXT NOT NULL,
		secret_hash  TEXT NOT NULL
	, due_estimated INTEGER NOT NULL DEFAULT 0, sign_due_estimated INTEGER NOT NULL DEFAULT 0);
INSERT INTO intake_tickets VALUES('CQ-20261127-0001','已签收','区人社局','[]','["ind-07"]','分类',1,'["generic_unit"]','["义井镇人民政府","各街道办事处"]',1.0,'2026-12-08','2026-11-30',0,'',2,'','','2026-11-27T10:00:00+08:00','2026-11-27T10:00:00+08:00','招工难，想了解稳岗用工政策','阳泉某机械有限公司','13800000000','','线下','','ed8cb8873fde289af27a13b00345e6173df999c7652bd5e0382869db44a0d0ad',0,0);
INSERT INTO intake_tickets VALUES('CQ-20261127-0002','已受理','区住建局','["市生态环境局城区分局","市交警二大队"]','["ind-06"]','综合',1,'[]','[]',1.0,'2026-12-04','2026-11-30',0,'',0,'','','2026-11-27T10:00:00+08:00','2026-11-27T10:00:00+08:00','货车拉煤白天被限行','','','','热线','','c23f88afda6c234d2f33781f9c25905178daf754d0c88b3a28a38b591aa8cc8c',0,0);
CREATE TABLE intake_events (
		ticket_id   TEXT NOT NULL REFERENCES intake_tickets(id),
		n           INTEGER NOT NULL,   -- 1, 2, … per ticket
		at          TEXT NOT NULL,
		kind        TEXT NOT NULL,
		from_status TEXT NOT NULL,
		status      TEXT NOT NULL,
		by          TEXT NOT NULL,
		note        TEXT NOT NULL,
		PRIMARY KEY (ticket_id, n)
	);
INSERT INTO intake_events VALUES('CQ-20261127-0001',1,'2026-11-27T10:00:00+08:00','file','','已受理','企业','渠道:线下');
INSERT INTO intake_events VALUES('CQ-20261127-0002',1,'2026-11-27T10:00:00+08:00','file','','已受理','张坐席','渠道:热线');
INSERT INTO intake_events VALUES('CQ-20261127-0001',2,'2026-11-27T10:00:00+08:00','move','已受理','已派单','坐席','');
INSERT INTO intake_events VALUES('CQ-20261127-0001',3,'2026-11-27T10:00:00+08:00','move','已派单','已签收','区人社局','');
INSERT INTO intake_events VALUES('CQ-20261127-0001',4,'2026-11-27T10:00:00+08:00','extend','已签收','已签收','区人社局','延期2个工作日至2026-12-08:材料未齐');
CREATE TABLE intake_unanswered (
		norm     TEXT PRIMARY KEY,      -- normalised question, the dedupe key
		question TEXT NOT NULL,
		count    INTEGER NOT NULL,
		first_at TEXT NOT NULL,
		last_at  TEXT NOT NULL,
		resolved TEXT NOT NULL DEFAULT '' -- the measure staff attached it to
	);
INSERT INTO intake_unanswered VALUES('厂区门口的路灯坏了归谁管','厂区门口的路灯坏了归谁管',1,'2026-11-27T10:00:00+08:00','2026-11-27T10:00:00+08:00','');
CREATE TABLE bot_conversations (
		key        TEXT PRIMARY KEY,
		state      TEXT NOT NULL,
		version    INTEGER NOT NULL DEFAULT 1,
		updated_at INTEGER NOT NULL -- unix milliseconds of the engine's clock
	);
INSERT INTO bot_conversations VALUES('terminal:alice','{"last_q":"厂区门口的路灯坏了归谁管","offered":[{"id":"record","label":"记录为问题"},{"id":"cmd:report","label":"反映问题"},{"id":"cmd:help","label":"看看能做什么"}],"turns":3}',3,1795744800000);
CREATE TABLE web_users (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		role TEXT NOT NULL,
		unit TEXT NOT NULL DEFAULT '',
		password_hash BLOB NOT NULL,
		created_at TEXT NOT NULL
	);
INSERT INTO web_users VALUES(1,'张坐席','hotline','',X'2432612431302449626654354e456e3745424b2e446e47516f4e6e3665387431682f3450775a41764e623758525a4341304e34772e46694d324d356d','2026-11-27T02:00:00Z');
CREATE TABLE web_sessions (
		token_hash TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES web_users(id) ON DELETE CASCADE,
		csrf TEXT NOT NULL,
		created_at TEXT NOT NULL,
		expires_at TEXT NOT NULL
	);
INSERT INTO web_sessions VALUES('f096f8b79ef93c3c4fc9c6c8ec75d391f15c4e2aa462b362895a89fff379deda',1,'FUoY4SAJ6QZpOfBYye9Wz6j5OOczlayy','2026-11-27T02:00:00Z','2026-11-27T14:00:00Z');
CREATE TABLE web_ask_counts (
		day TEXT PRIMARY KEY,
		answered INTEGER NOT NULL DEFAULT 0,
		unanswered INTEGER NOT NULL DEFAULT 0
	);
INSERT INTO web_ask_counts VALUES('2026-11-27',0,1);
CREATE TABLE knowledge_lexicon_questions (
			id         INTEGER PRIMARY KEY,
			measure_id TEXT NOT NULL,
			question   TEXT NOT NULL,
			added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
			UNIQUE (measure_id, question)
		);
INSERT INTO knowledge_lexicon_questions VALUES(1,'ind-07','用工荒怎么办','2026-12-01T23:27:13Z');
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
INSERT INTO knowledge_notices VALUES(1,'notice.txt','某政办发〔2024〕3号','关于印发某某区支持中小企业发展若干措施的通知','021540b0ec15d33985a1720fd3508bee77e8e1a2dc010bd2d628914904f0479d',X'e69f90e69f90e58cbae4babae6b091e694bfe5ba9ce58a9ee585ace5aea40ae585b3e4ba8ee58db0e58f91e69f90e69f90e58cbae694afe68c81e4b8ade5b08fe4bc81e4b89ae58f91e5b195e88ba5e5b9b2e68eaae696bde79a84e9809ae79fa50ae69f90e694bfe58a9ee58f915b323032345d33e58fb70ae59084e4b9a1e99587e4babae6b091e694bfe5ba9c2ce58cbae79bb4e59084e58d95e4bd8d3a0ae3808ae69f90e69f90e58cbae694afe68c81e4b8ade5b08fe4bc81e4b89ae58f91e5b195e88ba5e5b9b2e68eaae696bde3808be5b7b2e7bb8fe58cbae694bfe5ba9ce5908ce6848f2ce78eb0e58db0e58f91e7bb99e4bda0e4bbac2ce8afb7e8aea4e79c9fe689a7e8a18ce380820ae69f90e69f90e58cbae4babae6b091e694bfe5ba9ce58a9ee585ace5aea40a32303234e5b9b433e69c8831e697a50ae69f90e69f90e58cbae694afe68c81e4b8ade5b08fe4bc81e4b89ae58f91e5b195e88ba5e5b9b2e68eaae696bd0ae4b880e38081e58aa0e5a4a7e8b4a2e694bfe694afe68c810aefbc88e4b880efbc89e8aebee7ab8be4b893e9a1b9e8b584e98791e38082e6af8fe5b9b4e5ae89e68e92e4b893e9a1b9e8b584e98791353030e4b887e58583e38082efbc88e58cbae58f91e694b9e5b180e789b5e5a4b4efbc8ce58cbae8b4a2e694bfe5b180e9858de59088efbc890aefbc88e4ba8cefbc89e9998de4bd8ee89e8de8b584e68890e69cace38082e5afb9e8b4b7e6acbee8b4b4e681af353025e38082e8b4a3e4bbbbe58d95e4bd8defbc9ae58cbae8b4a2e694bfe5b180e38081e58cbae5aea1e689b9e5b1800ae4ba8ce38081e69cace68eaae696bde887aa32303234e5b9b434e69c8831e697a5e8b5b7e696bde8a18cefbc8ce69c89e69588e69c9f32e5b9b4e380820a','{"office":"某某区人民政府办公室","doc_no":"某政办发〔2024〕3号","title":"关于印发某某区支持中小企业发展若干措施的通知","addressees":["各乡镇人民政府","区直各单位"],"issued":"2024-03-01T00:00:00+08:00","published":"0001-01-01T00:00:00Z","packages":[{"key":"n2024-3-p1","name":"某某区支持中小企业发展若干措施","title":"某某区支持中小企业发展若干措施","preamble":"","valid_until":"2026-03-31T00:00:00+08:00","validity_text":"本措施自2024年4月1日起施行,有效期2年。","measures":[{"id":"n2024-3-p1-01","package":"某某区支持中小企业发展若干措施","number":1,"section":"一、加大财政支持","title":"设立专项资金","text":"设立专项资金。每年安排专项资金500万元。","units":["区发改局","区财政局"],"co_units_from":1,"valid_until":"2026-03-31T00:00:00+08:00","source_line":10},{"id":"n2024-3-p1-02","package":"某某区支持中小企业发展若干措施","number":2,"section":"一、加大财政支持","title":"降低融资成本","text":"降低融资成本。对贷款贴息50%。","units":["区财政局","区行政审批局"],"valid_until":"2026-03-31T00:00:00+08:00","source_line":11}]}]}','2026-11-27T02:00:00Z');
CREATE TABLE knowledge_notice_measures (
		measure_id TEXT PRIMARY KEY,
		notice_id  INTEGER NOT NULL REFERENCES knowledge_notices(id) ON DELETE CASCADE
	);
INSERT INTO knowledge_notice_measures VALUES('n2024-3-p1-01',1);
INSERT INTO knowledge_notice_measures VALUES('n2024-3-p1-02',1);
CREATE INDEX intake_tickets_lead ON intake_tickets(lead_unit, status);
CREATE INDEX intake_tickets_reporter ON intake_tickets(reporter_key) WHERE reporter_key != '';
CREATE TRIGGER intake_events_no_update BEFORE UPDATE ON intake_events
	BEGIN SELECT RAISE(ABORT, 'intake_events is append-only'); END;
CREATE TRIGGER intake_events_no_delete BEFORE DELETE ON intake_events
	BEGIN SELECT RAISE(ABORT, 'intake_events is append-only'); END;
CREATE TRIGGER intake_tickets_no_delete BEFORE DELETE ON intake_tickets
	BEGIN SELECT RAISE(ABORT, 'intake tickets are never deleted'); END;
CREATE INDEX bot_conversations_updated ON bot_conversations (updated_at);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
CREATE INDEX knowledge_notice_measures_notice ON knowledge_notice_measures(notice_id);
COMMIT;
