-- Rows the server seeded on its own; the PostgreSQL dialect of schema/0003_seeded.sql.
CREATE TABLE seeded (
  name TEXT PRIMARY KEY,
  created BIGINT NOT NULL
);
