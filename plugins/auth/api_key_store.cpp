#include "auth/api_key_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace mw::plugins::auth {
namespace {

constexpr const char* kColumns =
    "id, name, username, user_identifier, salt, iterations, stored_key, server_key, created_at, expires_at, "
    "revoked, revoked_reason";

std::string blob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
}

ApiKeyRecord read_row(SQLite::Statement& q) {
  ApiKeyRecord r;
  r.id = q.getColumn(0).getInt64();
  r.name = q.getColumn(1).getString();
  r.username = q.getColumn(2).getString();
  r.user_identifier = q.getColumn(3).getInt64();
  r.secrets.salt = blob(q.getColumn(4));
  r.secrets.iterations = q.getColumn(5).getInt();
  r.secrets.stored_key = blob(q.getColumn(6));
  r.secrets.server_key = blob(q.getColumn(7));
  r.created_at_ms = q.getColumn(8).getInt64();
  if (!q.getColumn(9).isNull()) r.expires_at_ms = q.getColumn(9).getInt64();
  r.revoked = q.getColumn(10).getInt() != 0;
  if (!q.getColumn(11).isNull()) r.revoked_reason = q.getColumn(11).getString();
  return r;
}

// Binds every column but id, from index 1.
void bind_fields(SQLite::Statement& st, const ApiKeyRecord& r) {
  st.bind(1, r.name);
  st.bind(2, r.username);
  st.bind(3, r.user_identifier);
  st.bind(4, r.secrets.salt.data(), static_cast<int>(r.secrets.salt.size()));
  st.bind(5, r.secrets.iterations);
  st.bind(6, r.secrets.stored_key.data(), static_cast<int>(r.secrets.stored_key.size()));
  st.bind(7, r.secrets.server_key.data(), static_cast<int>(r.secrets.server_key.size()));
  st.bind(8, r.created_at_ms);
  if (r.expires_at_ms)
    st.bind(9, *r.expires_at_ms);
  else
    st.bind(9);
  st.bind(10, r.revoked ? 1 : 0);
  if (r.revoked_reason)
    st.bind(11, *r.revoked_reason);
  else
    st.bind(11);
}

bool name_taken(SQLite::Database& db, const std::string& name, int64_t except_id) {
  SQLite::Statement q(db, "SELECT 1 FROM api_key WHERE name = ? AND id != ?");
  q.bind(1, name);
  q.bind(2, except_id);
  return q.executeStep();
}

}  // namespace

int64_t ApiKeyStore::insert(const ApiKeyRecord& record) {
  int64_t id = 0;
  db_->write([&](SQLite::Database& db) {
    if (name_taken(db, record.name, 0)) throw DuplicateName();
    SQLite::Statement st(db,
                         "INSERT INTO api_key (name, username, user_identifier, salt, iterations, stored_key, "
                         "server_key, created_at, expires_at, revoked, revoked_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    bind_fields(st, record);
    st.exec();
    id = db.getLastInsertRowid();
  });
  return id;
}

bool ApiKeyStore::update(const ApiKeyRecord& record) {
  bool found = false;
  db_->write([&](SQLite::Database& db) {
    if (name_taken(db, record.name, record.id)) throw DuplicateName();
    SQLite::Statement st(db,
                         "UPDATE api_key SET name=?, username=?, user_identifier=?, salt=?, iterations=?, "
                         "stored_key=?, server_key=?, created_at=?, expires_at=?, revoked=?, revoked_reason=? "
                         "WHERE id=?");
    bind_fields(st, record);
    st.bind(12, record.id);
    found = st.exec() > 0;
  });
  return found;
}

bool ApiKeyStore::remove(int64_t id) {
  bool found = false;
  db_->write([&](SQLite::Database& db) {
    SQLite::Statement st(db, "DELETE FROM api_key WHERE id = ?");
    st.bind(1, id);
    found = st.exec() > 0;
  });
  return found;
}

std::optional<ApiKeyRecord> ApiKeyStore::find(int64_t id) const {
  std::optional<ApiKeyRecord> out;
  db_->read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM api_key WHERE id = ?");
    q.bind(1, id);
    if (q.executeStep()) out = read_row(q);
  });
  return out;
}

std::vector<ApiKeyRecord> ApiKeyStore::list() const {
  std::vector<ApiKeyRecord> out;
  db_->read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM api_key ORDER BY id");
    while (q.executeStep()) out.push_back(read_row(q));
  });
  return out;
}

void ApiKeyStore::set_attribute(const std::string& username, const std::string& key, const json::value& value) {
  db_->write([&](SQLite::Database& db) {
    SQLite::Statement st(db, "INSERT OR REPLACE INTO user_attribute (username, key, value) VALUES (?, ?, ?)");
    st.bind(1, username);
    st.bind(2, key);
    st.bind(3, json::serialize(value));
    st.exec();
  });
}

json::object ApiKeyStore::attributes(const std::string& username) const {
  json::object out;
  db_->read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT key, value FROM user_attribute WHERE username = ? ORDER BY key");
    q.bind(1, username);
    while (q.executeStep()) out[q.getColumn(0).getString()] = json::parse(q.getColumn(1).getString());
  });
  return out;
}

int64_t ApiKeyStore::twofactor_window() const {
  int64_t window = 0;
  db_->read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT otp_window FROM twofactor_config WHERE id = 1");
    if (q.executeStep()) window = q.getColumn(0).getInt64();
  });
  return window;
}

void ApiKeyStore::set_twofactor_window(int64_t window) {
  db_->write([&](SQLite::Database& db) {
    SQLite::Statement st(db, "UPDATE twofactor_config SET otp_window = ? WHERE id = 1");
    st.bind(1, window);
    st.exec();
  });
}

}  // namespace mw::plugins::auth
