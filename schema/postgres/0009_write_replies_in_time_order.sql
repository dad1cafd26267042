-- Replies to signed writes are found by the request's own timestamp first; the
-- PostgreSQL dialect of schema/0009_write_replies_in_time_order.sql (read it
-- for why). The rows kept at the upgrade get signed_at = expires - 300, the
-- default window.
ALTER TABLE write_replies ADD COLUMN signed_at BIGINT;
UPDATE write_replies SET signed_at = expires - 300;
ALTER TABLE write_replies ALTER COLUMN signed_at SET NOT NULL;
ALTER TABLE write_replies DROP CONSTRAINT write_replies_pkey;
ALTER TABLE write_replies ADD PRIMARY KEY (signed_at, cdn_id, signature);
