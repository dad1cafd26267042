-- A granted start whose session nothing will name again (no media-server id
-- of the connection: a generic check without "session", say) keeps that
-- session in its attempt row instead of a viewing_sessions row of its own
-- (docs/sessions.md, "Sessions without a name"): one row per such start
-- instead of two, and two B-trees fewer to write (docs/performance.md). The
-- session's id is 16 zeros and the row's id in 16 hex digits. Ending one
-- writes a viewing_sessions row of that id with ended set, which then wins
-- over the attempt row. session_lapse 0: the attempt opened no such session
-- (every row from before this migration).
ALTER TABLE attempts ADD COLUMN session_lapse INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN media_server TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
-- A ticket's kept sessions in order of when they lapse, and only those rows:
-- the live ones are a range of it, however many starts the ticket logged.
CREATE INDEX attempts_keeping_sessions ON attempts (cdn_id, key, (datetime + session_lapse))
  WHERE session_lapse > 0;
