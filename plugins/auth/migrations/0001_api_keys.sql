-- API keys: only SCRAM material is kept (PBKDF2-SHA512 salt, iterations, StoredKey, ServerKey);
-- the key itself is shown once at creation and cannot be recovered from these columns.
-- AUTOINCREMENT so that the id of a deleted key (part of every raw key) is never reused.
CREATE TABLE api_key (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  user_identifier TEXT NOT NULL,
  salt BLOB NOT NULL,
  iterations INTEGER NOT NULL,
  stored_key BLOB NOT NULL,
  server_key BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_reason TEXT
);
CREATE INDEX api_key_username ON api_key (username);

-- auth.set_attribute: per-user web UI attributes, one JSON value per key.
CREATE TABLE user_attribute (
  username TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (username, key)
);
