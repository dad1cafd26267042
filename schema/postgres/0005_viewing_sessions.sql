-- Viewing sessions of HTTP streaming, shared by the instances on this
-- database; the PostgreSQL dialect of schema/0005_viewing_sessions.sql (read
-- it for why).
CREATE TABLE viewing_sessions (
  id TEXT PRIMARY KEY,
  cdn_id BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX viewing_sessions_by_seen ON viewing_sessions (last_seen);
