-- Attempts counted per account, hour and outcome, kept by triggers in the same
-- transaction as the rows themselves, so that counting an account's attempts
-- (sevu.errorcount, with no filter or only `since`/`success`) adds up a few
-- rows instead of scanning millions: over 10M attempts the scan took seconds
-- and held a store worker all the while (docs/performance.md).
-- An hour, not a minute: a year is 8,760 rows per account and outcome to add
-- up, and the part of an hour a `since` cuts into is counted from the rows
-- through attempts_by_time.
CREATE TABLE attempt_counts (
  cdn_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,     -- datetime / 3600
  success INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (cdn_id, hour, success)
) WITHOUT ROWID;

INSERT INTO attempt_counts (cdn_id, hour, success, n)
  SELECT cdn_id, datetime / 3600, success, COUNT(*) FROM attempts GROUP BY 1, 2, 3;

CREATE TRIGGER attempt_counts_insert AFTER INSERT ON attempts BEGIN
  INSERT INTO attempt_counts (cdn_id, hour, success, n)
    VALUES (NEW.cdn_id, NEW.datetime / 3600, NEW.success, 1)
    ON CONFLICT (cdn_id, hour, success) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempt_counts_delete AFTER DELETE ON attempts BEGIN
  UPDATE attempt_counts SET n = n - 1
    WHERE cdn_id = OLD.cdn_id AND hour = OLD.datetime / 3600 AND success = OLD.success;
END;

CREATE TRIGGER attempt_counts_update AFTER UPDATE OF cdn_id, datetime, success ON attempts BEGIN
  UPDATE attempt_counts SET n = n - 1
    WHERE cdn_id = OLD.cdn_id AND hour = OLD.datetime / 3600 AND success = OLD.success;
  INSERT INTO attempt_counts (cdn_id, hour, success, n)
    VALUES (NEW.cdn_id, NEW.datetime / 3600, NEW.success, 1)
    ON CONFLICT (cdn_id, hour, success) DO UPDATE SET n = n + 1;
END;
