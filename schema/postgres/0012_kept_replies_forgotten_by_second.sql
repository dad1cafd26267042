-- The twin of schema/0012_kept_replies_forgotten_by_second.sql: kept replies
-- are forgotten by their request's second, which leads the primary key, once
-- the timestamp window no longer accepts it; the index over their expiry
-- served only that purge (docs/performance.md, "Kept replies forgotten by
-- their second").
DROP INDEX write_replies_by_expiry;
