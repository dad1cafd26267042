-- The twin of schema/0011_write_replies_found_in_memory.sql, where SQLite's
-- table gives up its key over (signed_at, cdn_id, signature) because one
-- server finds kept replies through its memory. Several instances share a
-- PostgreSQL database and no memory: the key stays, and is what makes a repeat
-- reaching another instance find the first reply (docs/legacy-api.md). The
-- version is kept in step with SQLite's; it records that decision and changes
-- nothing else.
COMMENT ON TABLE write_replies IS
  'Replies to signed legacy writes, found by the primary key; SQLite finds them through the server''s memory instead (docs/performance.md, "Kept replies found in memory").';
