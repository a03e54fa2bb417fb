#pragma once
// api_key.*: keys are shown once, stored only as SCRAM material, and tied to a
// user. FULL_ADMIN manages every key; other callers only their own (API_KEY_READ, which
// API_KEY_WRITE includes, lets them list the others).
#include <middlewared/credentials.hpp>
#include <middlewared/json.hpp>

#include "auth/auth_state.hpp"

namespace mw::plugins::auth {

inline constexpr const char* kApiKeyRead = "API_KEY_READ";
inline constexpr const char* kApiKeyWrite = "API_KEY_WRITE";
// How TrueNAS shows a secret field to a caller who may not see it.
inline constexpr const char* kSecretShown = "********";

class ApiKeyService {
 public:
  explicit ApiKeyService(AuthState& state) : state_(state) {}

  json::object create(const Credentials& caller, const json::object& data);
  json::object update(const Credentials& caller, int64_t id, const json::object& data);
  bool remove(const Credentials& caller, int64_t id);
  json::object revoke(const Credentials& caller, int64_t id, const std::string& reason);
  // api_key.convert_raw_key: the SCRAM material a client may keep instead of the raw key.
  json::object convert_raw_key(const std::string& raw_key) const;
  // The entries the caller may see (all with API_KEY_READ, else its own).
  json::array visible_entries(const Credentials& caller) const;
  json::array own_entries(const Credentials& caller) const;

  // The public form of a key (TrueNAS 26's entry): never the key, its salt, its SCRAM keys or
  // anything derived from the key. `owner_exists` false: the user is gone.
  static json::object entry(const ApiKeyRecord& key, bool owner_exists = true);

 private:
  json::object shown(const ApiKeyRecord& key) const;
  // The entry plus, this once, the raw key and the ClientKey (base64) a client may keep instead.
  json::object shown_once(const ApiKeyRecord& key, const std::string& secret, const std::string& client_key) const;
  ApiKeyRecord owned_key(const Credentials& caller, int64_t id) const;
  ApiKeyRecord with_new_secret(ApiKeyRecord key, std::string& secret, std::string& client_key) const;

  AuthState& state_;
};

}  // namespace mw::plugins::auth
