-- Viewing sessions of HTTP streaming (docs/hooks.md, "Viewing sessions"). Each
-- instance keeps its live sessions in memory and answers their requests from
-- there; this table is what lets a viewer's next request reach another
-- instance on the same store (or this one after a restart) and continue the
-- session instead of starting again and spending a use. An instance writes a
-- session's last_seen when it opens it and then at most every half idle
-- window, so a row is never staler than that while its viewer keeps asking.
-- id: hex SHA-256 of the session (key, pass, client address, app, video), so
-- no credential sits here. No foreign key: like attempts, rows outlive what
-- they name, and idle rows are deleted a few at a time as sessions open.
CREATE TABLE viewing_sessions (
  id TEXT PRIMARY KEY,
  cdn_id INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX viewing_sessions_by_seen ON viewing_sessions (last_seen);
