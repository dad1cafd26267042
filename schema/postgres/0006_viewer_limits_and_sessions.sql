-- The PostgreSQL dialect of schema/0006_viewer_limits_and_sessions.sql (read it for why).
ALTER TABLE tickets ADD COLUMN max_viewers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN when_full TEXT NOT NULL DEFAULT 'deny';
ALTER TABLE viewing_sessions ADD COLUMN key TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN app TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN video TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN media_server TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN client_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN started BIGINT NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN lapse BIGINT NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN ended BIGINT NOT NULL DEFAULT 0;
ALTER TABLE viewing_sessions ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE viewing_sessions ADD COLUMN opened BIGINT NOT NULL DEFAULT 0;
CREATE INDEX viewing_sessions_by_ticket ON viewing_sessions (cdn_id, key, started, opened);
DROP INDEX viewing_sessions_by_seen;
CREATE INDEX viewing_sessions_by_lapse ON viewing_sessions ((last_seen + lapse));
