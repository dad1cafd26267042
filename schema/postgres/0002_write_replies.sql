-- The first reply to each signed legacy write command; the PostgreSQL dialect
-- of schema/0002_write_replies.sql (read it for why).
CREATE TABLE write_replies (
  cdn_id BIGINT NOT NULL,
  signature TEXT NOT NULL,
  expires BIGINT NOT NULL,
  held INTEGER NOT NULL CHECK (held IN (0, 1)),
  code BIGINT NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (cdn_id, signature)
);
CREATE INDEX write_replies_by_expiry ON write_replies (expires);
