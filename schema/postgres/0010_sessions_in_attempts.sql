-- As SQLite's 0010: a granted start whose session nothing will name again
-- keeps that session in its attempt row (docs/sessions.md, "Sessions without
-- a name"); session_lapse 0: the attempt opened none.
ALTER TABLE attempts ADD COLUMN session_lapse BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN media_server TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
-- A ticket's kept sessions in order of when they lapse, and only those rows:
-- the live ones are a range of it, however many starts the ticket logged.
CREATE INDEX attempts_keeping_sessions ON attempts (cdn_id, key, (datetime + session_lapse))
  WHERE session_lapse > 0;
