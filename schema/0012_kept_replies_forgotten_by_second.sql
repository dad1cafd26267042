-- Kept replies are forgotten by their request's second, through
-- write_replies_by_second, once the timestamp window no longer accepts it: a
-- repeat of an older request is refused by its timestamp before its reply is
-- looked for. The index over their expiry served only that purge, and each
-- reply wrote it (docs/performance.md, "Kept replies forgotten by their
-- second"). The column stays: each row still says until when it is fresh.
DROP INDEX write_replies_by_expiry;
