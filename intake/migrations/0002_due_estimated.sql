-- intake 2: deadlines counted over days the reviewed holiday calendar lacks.
ALTER TABLE intake_tickets ADD COLUMN due_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE intake_tickets ADD COLUMN sign_due_estimated INTEGER NOT NULL DEFAULT 0;
