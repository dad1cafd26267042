-- Logins of the web console (docs/console.md): one row per session, found by
-- the SHA-256 of its cookie token (the token itself is never stored, so a copy
-- of the database opens no session). cdn_id 0 is the operator. Kept in the
-- store so that a login works on every instance and survives a restart.
CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  cdn_id INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
-- Expired sessions are deleted oldest first, a few at each login.
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires);
