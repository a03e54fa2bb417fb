-- API keys name their user by uid, an integer (TrueNAS's `user_identifier`). The table is rebuilt
-- because SQLite cannot change a column's type; ids, secrets and states are copied unchanged, so
-- every existing key keeps logging in.
CREATE TABLE api_key_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  user_identifier INTEGER NOT NULL,
  salt BLOB NOT NULL,
  iterations INTEGER NOT NULL,
  stored_key BLOB NOT NULL,
  server_key BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_reason TEXT
);
INSERT INTO api_key_new (id, name, username, user_identifier, salt, iterations, stored_key, server_key, created_at,
                         expires_at, revoked, revoked_reason)
  SELECT id, name, username, CAST(user_identifier AS INTEGER), salt, iterations, stored_key, server_key, created_at,
         expires_at, revoked, revoked_reason
  FROM api_key;
-- The id of a deleted key is never reused: carry the AUTOINCREMENT high-water mark over.
DELETE FROM sqlite_sequence WHERE name = 'api_key_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'api_key_new', seq FROM sqlite_sequence WHERE name = 'api_key';
DROP TABLE api_key;
ALTER TABLE api_key_new RENAME TO api_key;
CREATE INDEX api_key_username ON api_key (username);

-- auth.twofactor.config: one row. Two-factor logins do not exist here, so only the TOTP window
-- is kept (auth.twofactor.update refuses to enable it).
CREATE TABLE twofactor_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  otp_window INTEGER NOT NULL DEFAULT 0
);
INSERT INTO twofactor_config (id, otp_window) VALUES (1, 0);
