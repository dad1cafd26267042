-- Replies to signed writes are found by the request's own timestamp first
-- (docs/performance.md, "Kept replies in time order"). Keyed by cdn_id and
-- signature alone, and a signature is random by design, every kept reply went
-- to a random page of an index as large as the window's traffic (about 300
-- seconds' worth of signed writes): at 15,000 writes a second, millions of
-- entries, so each reply dirtied a page no other reply shared, and the
-- checkpoint copied one page per request back to the database. Led by
-- signed_at, new entries land beside each other at the index's end, like the
-- expiry index's. A repeat carries the very timestamp its first call had (the
-- signature covers it), so the lookup stays one exact seek.
--
-- SQLite cannot change a table's primary key in place: the table is made again.
-- The rows kept at the upgrade get signed_at = expires - 300, the default
-- window; with another --timestamp-window, a request signed before the upgrade
-- and repeated within its window after it runs again (docs/legacy-api.md).
CREATE TABLE write_replies_0009 (
  cdn_id INTEGER NOT NULL,
  signature TEXT NOT NULL,
  signed_at INTEGER NOT NULL,  -- the request's own timestamp, unix seconds
  expires INTEGER NOT NULL,
  held INTEGER NOT NULL CHECK (held IN (0, 1)),
  code INTEGER NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (signed_at, cdn_id, signature)
);
INSERT INTO write_replies_0009 (cdn_id, signature, signed_at, expires, held, code, message, payload)
  SELECT cdn_id, signature, expires - 300, expires, held, code, message, payload FROM write_replies;
DROP TABLE write_replies;
ALTER TABLE write_replies_0009 RENAME TO write_replies;
CREATE INDEX write_replies_by_expiry ON write_replies (expires);
