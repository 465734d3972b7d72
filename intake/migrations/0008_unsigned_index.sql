-- intake 8: the tickets no unit has accepted yet, by sign deadline, for the
-- warning of deadlines about to pass (WarnDueSoon): with the open tickets'
-- rows of the staff lists (by close deadline) it reads the tickets due
-- within a day instead of every ticket. The states are those
-- Status.Unsigned names, in workflow order (TestQueryPlans fails if the
-- query and the index stop agreeing).
CREATE INDEX intake_tickets_unsigned ON intake_tickets(sign_due) WHERE status IN ('已受理', '已派单', '退单');
