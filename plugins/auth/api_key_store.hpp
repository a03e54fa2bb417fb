#pragma once
// API keys in the plugin's SQLite database. Every write is one transaction.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/datastore.hpp>
#include <middlewared/json.hpp>

#include "auth/scram.hpp"

namespace mw::plugins::auth {

struct ApiKeyRecord {
  int64_t id = 0;
  std::string name;
  std::string username;
  int64_t user_identifier = 0;  // the user's uid
  scram::StoredSecrets secrets;
  int64_t created_at_ms = 0;
  std::optional<int64_t> expires_at_ms;
  bool revoked = false;
  std::optional<std::string> revoked_reason;

  bool expired(int64_t now_ms) const { return expires_at_ms && *expires_at_ms <= now_ms; }
};

// A name already taken (the UNIQUE constraint), reported as a validation error by the caller.
struct DuplicateName : std::runtime_error {
  DuplicateName() : std::runtime_error("name already in use") {}
};

class ApiKeyStore {
 public:
  explicit ApiKeyStore(std::shared_ptr<Datastore> db) : db_(std::move(db)) {}

  // Inserts `record` (id ignored) and returns its id.
  int64_t insert(const ApiKeyRecord& record);
  // Writes every field of `record` (by id); false when there is no such key.
  bool update(const ApiKeyRecord& record);
  bool remove(int64_t id);
  std::optional<ApiKeyRecord> find(int64_t id) const;
  std::vector<ApiKeyRecord> list() const;

  // auth.set_attribute / auth.me.
  void set_attribute(const std::string& username, const std::string& key, const json::value& value);
  json::object attributes(const std::string& username) const;

  // auth.twofactor.config's TOTP window.
  int64_t twofactor_window() const;
  void set_twofactor_window(int64_t window);

 private:
  std::shared_ptr<Datastore> db_;
};

}  // namespace mw::plugins::auth
