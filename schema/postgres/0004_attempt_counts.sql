-- Attempts counted per account, hour and outcome, kept by triggers in the same
-- transaction as the rows; the PostgreSQL dialect of schema/0004_attempt_counts.sql
-- (read it for why). Integer division truncates as SQLite's does.
CREATE TABLE attempt_counts (
  cdn_id BIGINT NOT NULL,
  hour BIGINT NOT NULL,      -- datetime / 3600
  success INTEGER NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (cdn_id, hour, success)
);

INSERT INTO attempt_counts (cdn_id, hour, success, n)
  SELECT cdn_id, datetime / 3600, success, COUNT(*) FROM attempts GROUP BY 1, 2, 3;

CREATE FUNCTION attempt_counts_add(p_cdn_id BIGINT, p_datetime BIGINT, p_success INTEGER,
                                   p_n BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO attempt_counts AS c (cdn_id, hour, success, n)
    VALUES (p_cdn_id, p_datetime / 3600, p_success, p_n)
    ON CONFLICT (cdn_id, hour, success) DO UPDATE SET n = c.n + EXCLUDED.n;
END;
$$;

CREATE FUNCTION attempt_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM attempt_counts_add(OLD.cdn_id, OLD.datetime, OLD.success, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM attempt_counts_add(NEW.cdn_id, NEW.datetime, NEW.success, 1);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER attempt_counts_insert AFTER INSERT ON attempts
  FOR EACH ROW EXECUTE FUNCTION attempt_counts_keep();
CREATE TRIGGER attempt_counts_delete AFTER DELETE ON attempts
  FOR EACH ROW EXECUTE FUNCTION attempt_counts_keep();
CREATE TRIGGER attempt_counts_update AFTER UPDATE OF cdn_id, datetime, success ON attempts
  FOR EACH ROW EXECUTE FUNCTION attempt_counts_keep();
