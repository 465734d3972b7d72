-- intake 7: the open tickets counted by deadline, kept with every filing
-- and save, so the dashboard's overdue count reads one row per day of
-- deadline (a few dozen) instead of one per open ticket. 已办结 and 已回访
-- are closed (as lists.go says; a test holds the two to the same rows).
CREATE TABLE intake_due_tally (
	due TEXT PRIMARY KEY,
	n   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO intake_due_tally (due, n)
	SELECT due, COUNT(*) FROM intake_tickets WHERE status NOT IN ('已办结', '已回访') GROUP BY due;
