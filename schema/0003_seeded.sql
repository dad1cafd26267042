-- Rows the server seeded on its own (the --demo switch's example ticket), by a
-- name of the seed. A seed runs only while its name is missing here, so a
-- seeded row that its owner deleted or changed is never made again
-- (docs/operations.md, demo account).
CREATE TABLE seeded (
  name TEXT PRIMARY KEY,
  created INTEGER NOT NULL
);
