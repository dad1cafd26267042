-- Initial schema. Times are INTEGER unix seconds (UTC), 0 meaning "never";
-- booleans are INTEGER 0/1. Migrations run inside a transaction opened by the
-- store, so this file must not contain BEGIN/COMMIT.

CREATE TABLE accounts (
  cdn_id INTEGER PRIMARY KEY CHECK (cdn_id > 0),  -- 0 is reserved: "no account"
  username TEXT NOT NULL UNIQUE,
  api_key TEXT NOT NULL,
  secret TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  max_stream_users INTEGER NOT NULL DEFAULT 50,
  created INTEGER NOT NULL DEFAULT 0
);

-- AUTOINCREMENT: ids are visible through the v2 API, so a deleted ticket's id
-- must never be handed to a new one.
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cdn_id INTEGER NOT NULL REFERENCES accounts (cdn_id),
  key TEXT NOT NULL UNIQUE,
  pass TEXT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  video TEXT NOT NULL,
  app TEXT NOT NULL,
  uses INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created INTEGER NOT NULL DEFAULT 0,
  expires INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0
);
-- Per-account listings ordered by id (the rowid rides along in the index).
CREATE INDEX tickets_by_account ON tickets (cdn_id);

-- No foreign key on cdn_id: it is 0 when the key matched no ticket, and the
-- log must keep every attempt.
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  cdn_id INTEGER NOT NULL,
  datetime INTEGER NOT NULL,
  key TEXT NOT NULL DEFAULT '',
  pass TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  video TEXT NOT NULL DEFAULT '',
  app TEXT NOT NULL DEFAULT '',
  appinst TEXT NOT NULL DEFAULT '',
  pageurl TEXT NOT NULL DEFAULT '',
  refurl TEXT NOT NULL DEFAULT '',
  success INTEGER NOT NULL DEFAULT 0 CHECK (success IN (0, 1)),
  reason TEXT NOT NULL DEFAULT '',
  server TEXT NOT NULL DEFAULT ''
);
-- One ticket's attempts, oldest first (the common listing).
CREATE INDEX attempts_by_key ON attempts (cdn_id, key, datetime);
-- An account's whole log, oldest first (errorlog without a key).
CREATE INDEX attempts_by_time ON attempts (cdn_id, datetime);

-- user and pass_hash are NULL together for streams that publish freely.
CREATE TABLE stream_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cdn_id INTEGER NOT NULL REFERENCES accounts (cdn_id),
  app TEXT NOT NULL,
  stream TEXT NOT NULL,
  user TEXT,
  pass_hash TEXT,
  record INTEGER NOT NULL DEFAULT 0 CHECK (record IN (0, 1)),
  record_type TEXT NOT NULL DEFAULT '',
  segment_type TEXT NOT NULL DEFAULT '',
  segment_value TEXT NOT NULL DEFAULT '',
  save_folder TEXT NOT NULL DEFAULT '',
  playlist_count INTEGER NOT NULL DEFAULT 4,
  playlist_timeout INTEGER NOT NULL DEFAULT 600,
  enable_dvr INTEGER NOT NULL DEFAULT 1 CHECK (enable_dvr IN (0, 1)),
  ga_key TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0
);
-- One user name per account, app and stream, so app+stream+user names one row
-- (NULL users are distinct in SQLite, so several free-publish rows may exist).
CREATE UNIQUE INDEX stream_users_by_account ON stream_users (cdn_id, app, stream, user);
-- Publish lookups across accounts.
CREATE INDEX stream_users_by_path ON stream_users (app, stream);
