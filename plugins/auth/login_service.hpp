#pragma once
// auth.login_ex and the logins built on it: PASSWORD_PLAIN through PAM,
// API_KEY_PLAIN, TOKEN_PLAIN, SCRAM-SHA-512 for API keys. Failures answer AUTH_ERR after the
// uniform delay and never say whether the user exists. Every attempt, failed or not, goes to the
// audit log (a SCRAM exchange once, at its end): method, mechanism, user, address, never a secret.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <middlewared/method.hpp>

#include "auth/account.hpp"
#include "auth/auth_state.hpp"

namespace mw::plugins::auth {

class LoginService {
 public:
  explicit LoginService(AuthState& state);

  // `login_data` as validated against auth/login_ex.params.json.
  json::object login_ex(CallContext& c, const json::object& login_data);
  // The auth.me object; CallError when the credentials belong to no account.
  json::object me(const Credentials& credentials) const;
  // Ends the session's login (auth.logout): credentials, subscriptions (core), tokens.
  void logout(Session& session);
  // {"credentials": TYPE, "credentials_data": {...}} of a session's current login.
  json::object describe_login(const Session& session) const;
  // The session's auth.sessions entry without `current` and `internal` (the auth.sessions ADDED
  // event's fields, in TrueNAS's order).
  json::object session_entry(const Session& session) const;
  // A token request standing for the session's current login (parent credentials, what they
  // stand on, the creating session); a token session's tokens stand for the original login.
  // The caller sets lifetime, attrs, origin binding and single use.
  TokenRequest token_request(const Session& session) const;

 private:
  // What checking a credential gave: nothing (AUTH_ERR), an expired credential, or a login.
  struct Outcome {
    enum class Kind { AuthError, Expired, Granted } kind = Kind::AuthError;
    std::string type;  // Credentials.type
    std::string username;
    std::optional<uint32_t> uid;
    std::vector<std::string> roles;                     // unexpanded; empty -> DENIED
    std::set<std::string, std::less<>> expanded_roles;  // set instead of `roles` for tokens
    json::object credentials_data;                      // login_at is added at login
    LoginSource source;
  };

  // What the audit log records of one attempt besides mechanism and outcome.
  struct Attempt {
    std::string username;  // as claimed; the credential's user once known
    std::optional<int64_t> api_key_id;
    bool finished = true;  // false: a SCRAM first message (recorded with the final one)
  };

  // login_ex without the audit record.
  json::object authenticate(CallContext& c, const json::object& data, Attempt& attempt);
  void audit(const CallContext& c, const json::object& data, const Attempt& attempt, bool success,
             const std::string& error) const;
  Outcome password_plain(CallContext& c, const json::object& data);
  Outcome api_key_plain(CallContext& c, const json::object& data);
  Outcome token_plain(CallContext& c, const json::object& data);
  json::object scram_first(CallContext& c, const json::object& data);
  Outcome scram_final(const PendingScram& pending, const json::object& data, std::string& server_final);
  // Roles of the key's user; Expired for an expired or revoked key.
  Outcome key_outcome(const ApiKeyRecord& key) const;
  Outcome account_outcome(const std::string& type, const std::string& username) const;

  // Logs the session in; nullopt (DENIED) when the outcome has no roles.
  std::shared_ptr<const Credentials> log_in(CallContext& c, Outcome& outcome);
  bool refuse_plain_secret(CallContext& c, const char* mechanism, const std::string& username) const;
  std::string fake_salt(const std::string& username) const;

  AuthState& state_;
  std::string process_secret_;  // keys the fake salts of SCRAM exchanges for unknown users
};

json::object auth_error();
// Whether auth.login_ex knows the mechanism at all (whatever the assurance level says).
bool is_known_mechanism(std::string_view mechanism);

}  // namespace mw::plugins::auth
