-- The hourly totals of schema/0004_attempt_counts.sql are no longer added to
-- row by row: the server counts a transaction's attempt rows and adds each
-- hour's count once, just before COMMIT, in the same transaction
-- (server/store/attempt_tally.hpp). The insert trigger cost a B-tree seek and
-- an update per row, a third of the writer's time per refused start
-- (docs/performance.md, "Hourly totals once per batch"). Deleting or changing
-- rows is rare (a reset, a hand edit) and keeps its triggers.
-- Anything that writes attempt rows with plain SQL must now add to the totals
-- itself, as bench/run's preload does.
DROP TRIGGER attempt_counts_insert;
