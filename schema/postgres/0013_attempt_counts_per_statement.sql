-- The hourly totals of an INSERT's attempt rows added with one statement
-- rather than one per row. The server now sends a batch's refusal rows up to
-- 128 to an INSERT (Store::hold_attempt), and the row trigger of 0004 ran an
-- upsert for each of them, all on the same (account, hour, outcome) row: most
-- of the database's time per refused start (docs/performance.md, "Attempt
-- rows sent many to a round trip"). A statement trigger sees the statement's
-- rows as a transition table and adds them up per key first. Deletes and
-- updates, rare, keep their row triggers (a trigger on UPDATE OF columns
-- cannot have transition tables).
DROP TRIGGER attempt_counts_insert ON attempts;

CREATE FUNCTION attempt_counts_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO attempt_counts AS c (cdn_id, hour, success, n)
    SELECT cdn_id, datetime / 3600, success, COUNT(*) FROM inserted GROUP BY 1, 2, 3
    ON CONFLICT (cdn_id, hour, success) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END;
$$;

CREATE TRIGGER attempt_counts_insert AFTER INSERT ON attempts
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION attempt_counts_add_inserted();
COMMENT ON TRIGGER attempt_counts_insert ON attempts IS
  'adds each INSERT''s attempt rows to attempt_counts; SQLite counts per transaction instead (0008)';
