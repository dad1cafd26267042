-- The first reply to each signed legacy write command (sevu.request, sevu.revoke,
-- the stream-user writes), so that a repeat of the very same signed request is
-- answered with it instead of running again (docs/legacy-api.md, "Timestamp and
-- repeated requests"). In the store, not in memory: a restart must not reopen
-- the window, and instances sharing one store must recognise each other's.
--
-- A row is needed only while its request can still pass the timestamp check
-- (its own timestamp + the window, kept as `expires`); the server deletes
-- expired rows a few at a time as it writes new ones.
-- No foreign key on cdn_id: like attempts, these rows are a log, not a relation.
CREATE TABLE write_replies (
  cdn_id INTEGER NOT NULL,
  signature TEXT NOT NULL,
  expires INTEGER NOT NULL,
  -- 0: only the signature is remembered (the reply was too large to hold),
  -- and a repeat is refused instead of answered.
  held INTEGER NOT NULL CHECK (held IN (0, 1)),
  code INTEGER NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL,  -- a JSON object: the reply's members between message and handle_time
  PRIMARY KEY (cdn_id, signature)
);
CREATE INDEX write_replies_by_expiry ON write_replies (expires);
