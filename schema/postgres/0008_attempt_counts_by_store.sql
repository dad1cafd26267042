-- SQLite's 0008 drops the insert trigger of the hourly totals and lets the
-- server add each hour's count once per transaction (server/store/attempt_tally.hpp).
-- PostgreSQL keeps its trigger: it runs inside the server, where it costs no
-- round trip, and round trips are what bound a write here (docs/performance.md,
-- "On PostgreSQL"). This version only records that choice, so that both
-- dialects keep the same versions.
COMMENT ON TRIGGER attempt_counts_insert ON attempts IS
  'adds each attempt row to attempt_counts; SQLite counts per transaction instead (0008)';
