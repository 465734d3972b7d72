-- intake 5: what the enterprise is told apart from what stays with staff.
-- note is now the text the reporting enterprise sees (a reply, a rating,
-- a new deadline); internal the staff's remark, never shown to it; unit the
-- unit that acted, which the enterprise sees instead of a sign-in name.
ALTER TABLE intake_events ADD COLUMN internal TEXT NOT NULL DEFAULT '';
ALTER TABLE intake_events ADD COLUMN unit TEXT NOT NULL DEFAULT '';
-- Before this version every move's note was shown to the enterprise, staff
-- remarks included. The events keep their text; only the remarks move to
-- the internal column: filing and re-routing notes, the notes of the moves
-- other than the reply (已办结) and the rating (已回访), and an extension's
-- reason (the text after "延期N个工作日至DATE:"). The history is otherwise
-- append-only, so the trigger is dropped for this one update and put back.
DROP TRIGGER intake_events_no_update;
UPDATE intake_events SET internal = note, note = ''
	WHERE note != '' AND (kind IN ('file', 'reroute') OR (kind = 'move' AND status NOT IN ('已办结', '已回访')));
UPDATE intake_events SET internal = substr(note, instr(note, ':') + 1), note = substr(note, 1, instr(note, ':') - 1)
	WHERE kind = 'extend' AND instr(note, ':') > 0;
CREATE TRIGGER intake_events_no_update BEFORE UPDATE ON intake_events
BEGIN SELECT RAISE(ABORT, 'intake_events is append-only'); END;
