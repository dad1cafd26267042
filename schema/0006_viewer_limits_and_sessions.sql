-- Viewer limits and viewing sessions for every media server (docs/sessions.md).
-- A ticket may cap how many sessions it feeds at once; what a start beyond the
-- cap does is when_full ('deny' or 'end_oldest'). Existing tickets keep no
-- limit.
ALTER TABLE tickets ADD COLUMN max_viewers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN when_full TEXT NOT NULL DEFAULT 'deny';
-- Every granted start now opens a session here, not only HTTP streaming: the
-- store is where limits are counted exactly (inside the start's transaction,
-- which holds the ticket) and where an end made on one instance is seen by
-- all. A session is over when ended (ended > 0: when, and why in end_reason)
-- or when it has not been seen for lapse seconds (the idle window for HTTP
-- streaming, the session TTL elsewhere). Rows of sessions from before this
-- migration have lapse 0: over, as their viewers have long left.
ALTER TABLE viewing_sessions ADD COLUMN key TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN app TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN video TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN media_server TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN client_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN lapse INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
-- Wall-clock nanoseconds at opening: orders the sessions of one second
-- (started is whole seconds of ticket time), so "the oldest" is the oldest.
ALTER TABLE viewing_sessions ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
CREATE INDEX viewing_sessions_by_ticket ON viewing_sessions (cdn_id, key, started, opened);
-- Rows are forgotten in order of when their lapse runs out; with lapses that
-- differ per row, only an index on that sum keeps the cleanup a range scan
-- (an index on last_seen alone walks every live row first).
DROP INDEX viewing_sessions_by_seen;
CREATE INDEX viewing_sessions_by_lapse ON viewing_sessions ((last_seen + lapse));
