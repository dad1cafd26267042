-- Kept replies to signed writes are found through an index in the server's
-- memory (docs/performance.md, "Kept replies found in memory"). Their key led
-- with the request's timestamp since 0009, but within one second the
-- signature decided where an entry went, and a signature is random: at 20,000
-- signed writes a second every reply still dirtied a page no other reply of
-- its batch shared. The table keeps its rows in arrival order now, and the
-- server checks that each request has one reply. write_replies_by_second
-- serves the lookups the memory index cannot (over its capacity) and is
-- filled in time order, like the expiry index.
--
-- SQLite cannot drop a table's primary key in place: the table is made again.
-- PostgreSQL keeps its key (schema/postgres/): its instances share no memory.
CREATE TABLE write_replies_0011 (
  cdn_id INTEGER NOT NULL,
  signature TEXT NOT NULL,
  signed_at INTEGER NOT NULL,  -- the request's own timestamp, unix seconds
  expires INTEGER NOT NULL,
  held INTEGER NOT NULL CHECK (held IN (0, 1)),
  code INTEGER NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL
);
INSERT INTO write_replies_0011 (cdn_id, signature, signed_at, expires, held, code, message, payload)
  SELECT cdn_id, signature, signed_at, expires, held, code, message, payload FROM write_replies
  ORDER BY signed_at;
DROP TABLE write_replies;
ALTER TABLE write_replies_0011 RENAME TO write_replies;
CREATE INDEX write_replies_by_expiry ON write_replies (expires);
CREATE INDEX write_replies_by_second ON write_replies (signed_at);
