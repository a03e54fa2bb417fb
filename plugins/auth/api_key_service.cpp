#include "auth/api_key_service.hpp"

#include <cctype>

#include <spdlog/spdlog.h>

#include <middlewared/client_text.hpp>
#include <middlewared/errors.hpp>

#include "auth/account.hpp"
#include "auth/api_key_format.hpp"
#include "auth/crypto.hpp"

namespace mw::plugins::auth {
namespace {

// A key logs in as its user, so making or changing one for another user is acting as that user
// (root included): only a full administrator may, whatever key role it holds.
bool may_manage_all(const Credentials& caller) { return caller.full_admin(); }

std::optional<int64_t> date_ms(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::value* d = v.get_object().if_contains("$date");
  if (!d || !d->is_int64()) return std::nullopt;
  return d->get_int64();
}

void check_expiry(const json::object& data, const std::string& prefix, ValidationErrors& errors) {
  const json::value* v = data.if_contains("expires_at");
  if (!v || v->is_null()) return;
  auto ms = date_ms(*v);
  if (ms && *ms <= now_ms()) errors.add(prefix + ".expires_at", "Expiration date is in the past");
}

std::optional<int64_t> expiry_of(const json::object& data) {
  const json::value* v = data.if_contains("expires_at");
  return v ? date_ms(*v) : std::nullopt;
}

[[noreturn]] void not_found(int64_t id) {
  throw ValidationErrors(std::nullopt, "ApiKey " + std::to_string(id) + " does not exist", ENOENT);
}

}  // namespace

json::object ApiKeyService::entry(const ApiKeyRecord& key, bool owner_exists) {
  // The SCRAM material is shown as TrueNAS shows secrets to a caller who may not see them: never
  // the values (with StoredKey and ServerKey anyone could impersonate the server or the key).
  json::object out{
      {"id", key.id},
      {"name", key.name},
      {"username", key.username},
      {"user_identifier", key.user_identifier},
      {"iterations", key.secrets.iterations},
      {"salt", kSecretShown},
      {"stored_key", kSecretShown},
      {"server_key", kSecretShown},
      {"created_at", date_value(key.created_at_ms)},
      {"expires_at", key.expires_at_ms ? json::value(date_value(*key.expires_at_ms)) : json::value(nullptr)},
      {"local", true},
      {"revoked", key.revoked},
      {"revoked_reason", key.revoked_reason ? json::value(json::string(*key.revoked_reason)) : json::value(nullptr)}};
  if (!owner_exists) {
    // As TrueNAS: a key whose user is gone names nobody and counts as revoked.
    out["username"] = nullptr;
    out["revoked"] = true;
    out["revoked_reason"] = "User does not exist";
  }
  return out;
}

json::object ApiKeyService::shown(const ApiKeyRecord& key) const {
  auto account = find_account(key.username);
  return entry(key, account && account->uid == key.user_identifier);
}

json::object ApiKeyService::shown_once(const ApiKeyRecord& key, const std::string& secret,
                                       const std::string& client_key) const {
  json::object out = shown(key);
  out["key"] = format_api_key(key.id, secret);
  out["client_key"] = base64_encode(client_key);
  return out;
}

ApiKeyRecord ApiKeyService::with_new_secret(ApiKeyRecord key, std::string& secret, std::string& client_key) const {
  secret = generate_api_key_secret();
  auto keys = scram::derive_keys(HashAlg::Sha512, secret, random_bytes(16), state_.settings.api_key_iterations);
  key.secrets = std::move(keys.stored);
  client_key = std::move(keys.client_key);
  key.revoked = false;
  key.revoked_reason.reset();
  return key;
}

json::object ApiKeyService::create(const Credentials& caller, const json::object& data) {
  ValidationErrors errors;
  ApiKeyRecord key;
  key.name = std::string(data.at("name").as_string());
  const json::value* user = data.if_contains("username");
  key.username = user && user->is_string() ? std::string(user->get_string()) : caller.username;
  // Privilege first, as TrueNAS: a caller who may not act for others learns nothing of them.
  std::optional<Account> account;
  if (key.username != caller.username && !may_manage_all(caller)) {
    errors.add("api_key_create.username", "Only a full administrator may create API keys for another user.", EPERM);
  } else if (!(account = find_account(key.username))) {
    errors.add("api_key_create", "User does not exist.", ENOENT);
  } else if (state_.roles.roles_for(*account).empty()) {
    errors.add("api_key_create", "User lacks privilege role membership.");
  }
  check_expiry(data, "api_key_create", errors);
  errors.throw_if_any();

  key.user_identifier = account->uid;
  key.created_at_ms = now_ms();
  key.expires_at_ms = expiry_of(data);
  std::string secret, client_key;
  key = with_new_secret(std::move(key), secret, client_key);  // PBKDF2 runs here, outside any transaction
  try {
    key.id = state_.keys->insert(key);
  } catch (const DuplicateName&) {
    throw ValidationErrors("api_key_create.name", "API key with this name already exists.", EEXIST);
  }
  state_.log->info("API key {} ('{}') created for '{}' by '{}'", key.id, log_text(key.name), log_text(key.username),
                   log_text(caller.username));
  return shown_once(key, secret, client_key);
}

ApiKeyRecord ApiKeyService::owned_key(const Credentials& caller, int64_t id) const {
  auto key = state_.keys->find(id);
  if (!key) not_found(id);
  if (key->username == caller.username || may_manage_all(caller)) return *key;
  // Someone else's key is reported like a missing one unless the caller may list it anyway.
  if (!caller.has_role(kApiKeyRead)) not_found(id);
  throw CallError("Only a full administrator may change API keys of another user.", EACCES);
}

json::object ApiKeyService::update(const Credentials& caller, int64_t id, const json::object& data) {
  ApiKeyRecord key = owned_key(caller, id);
  ValidationErrors errors;
  check_expiry(data, "api_key_update", errors);
  errors.throw_if_any();
  if (const json::value* name = data.if_contains("name")) key.name = std::string(name->as_string());
  if (data.contains("expires_at")) key.expires_at_ms = expiry_of(data);
  std::string secret, client_key;
  const json::value* reset = data.if_contains("reset");
  if (reset && reset->is_bool() && reset->get_bool()) key = with_new_secret(std::move(key), secret, client_key);
  try {
    if (!state_.keys->update(key)) not_found(id);
  } catch (const DuplicateName&) {
    throw ValidationErrors("api_key_update.name", "API key with this name already exists.", EEXIST);
  }
  if (secret.empty()) return shown(key);
  state_.log->info("API key {} reset by '{}'", key.id, log_text(caller.username));
  return shown_once(key, secret, client_key);
}

bool ApiKeyService::remove(const Credentials& caller, int64_t id) {
  owned_key(caller, id);
  if (!state_.keys->remove(id)) not_found(id);
  state_.log->info("API key {} deleted by '{}'", id, log_text(caller.username));
  return true;
}

json::object ApiKeyService::revoke(const Credentials& caller, int64_t id, const std::string& reason) {
  ApiKeyRecord key = owned_key(caller, id);
  key.revoked = true;
  key.revoked_reason = reason;
  if (!state_.keys->update(key)) not_found(id);
  state_.log->warn("API key {} revoked by '{}': {}", id, log_text(caller.username), log_text(reason));
  return shown(key);
}

json::array ApiKeyService::visible_entries(const Credentials& caller) const {
  json::array out;
  bool all = caller.has_role(kApiKeyRead);
  for (const auto& key : state_.keys->list())
    if (all || key.username == caller.username) out.push_back(shown(key));
  return out;
}

json::array ApiKeyService::own_entries(const Credentials& caller) const {
  json::array out;
  for (const auto& key : state_.keys->list())
    if (key.username == caller.username) out.push_back(shown(key));
  return out;
}

json::object ApiKeyService::convert_raw_key(const std::string& raw_key) const {
  // TrueNAS's checks, messages and attribute. Like TrueNAS it does not say whether the key is the
  // right one: a wrong key gives keys that fail at login, so this is no way to test guesses.
  constexpr const char* kAttr = "api_key_convert_raw_key";
  std::string_view raw = raw_key;
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front()))) raw.remove_prefix(1);
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  auto parsed = parse_api_key(raw);
  if (!parsed) throw ValidationErrors(kAttr, "Not a valid raw API key");
  ValidationErrors errors;
  if (parsed->secret.size() != kApiKeySecretLength) errors.add(kAttr, "Unexpected key size.");
  auto key = state_.keys->find(parsed->id);
  if (!key)
    errors.add(kAttr, "Key does not exist.");
  else if (shown(*key).at("revoked").as_bool())
    errors.add(kAttr, "Key is revoked.");  // its user gone too
  errors.throw_if_any();
  auto keys = scram::derive_keys(HashAlg::Sha512, parsed->secret, key->secrets.salt, key->secrets.iterations);
  return {{"api_key_id", key->id},
          {"iterations", key->secrets.iterations},
          {"salt", base64_encode(key->secrets.salt)},
          {"client_key", base64_encode(keys.client_key)},
          {"stored_key", base64_encode(keys.stored.stored_key)},
          {"server_key", base64_encode(keys.stored.server_key)}};
}

}  // namespace mw::plugins::auth
