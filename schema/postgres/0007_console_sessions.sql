-- Logins of the web console; the PostgreSQL dialect of
-- schema/0007_console_sessions.sql (read it for why).
CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  cdn_id BIGINT NOT NULL,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires);
