#include "auth/login_service.hpp"

#include <spdlog/spdlog.h>

#include <middlewared/client_text.hpp>
#include <middlewared/errors.hpp>

#include "auth/api_key_format.hpp"
#include "auth/crypto.hpp"
#include "auth/failure_delay.hpp"
#include "auth/origin.hpp"
#include "auth/user_info.hpp"

namespace mw::plugins::auth {
namespace {

std::string text_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool bool_option(const json::object& data, std::string_view key, bool fallback) {
  const json::value* opts = data.if_contains("login_options");
  if (!opts || !opts->is_object()) return fallback;
  const json::value* v = opts->get_object().if_contains(key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

Session& session_of(CallContext& c) {
  if (!c.session) throw CallError("Login needs a client connection", EINVAL);
  return *c.session;
}

// The data a SCRAM-PLUS client binds its exchange to: the certificate hash of the TLS listener
// (RFC 5929 tls-server-end-point, the one type TrueNAS's clients use), only over TLS.
std::string channel_binding(const CallContext& c, const scram::ClientFirst& first) {
  if (first.channel_binding_type.empty()) return {};
  if (first.channel_binding_type != "tls-server-end-point")
    throw ValidationErrors(
        "login_data.rfc_str",
        first.channel_binding_type + ": channel binding type is not supported (tls-server-end-point is)");
  const PeerInfo* peer = c.peer();
  if (!peer || peer->tls_server_end_point.empty())
    throw ValidationErrors("login_data.rfc_str", "channel binding needs a TLS connection (wss://)");
  return peer->tls_server_end_point;
}

}  // namespace

json::object auth_error() { return {{"response_type", "AUTH_ERR"}}; }

bool is_known_mechanism(std::string_view mechanism) {
  for (const char* m : {"API_KEY_PLAIN", "TOKEN_PLAIN", "PASSWORD_PLAIN", "SCRAM", "OTP_TOKEN"})
    if (mechanism == m) return true;
  return false;
}

LoginService::LoginService(AuthState& state) : state_(state), process_secret_(random_bytes(32)) {}

json::object LoginService::login_ex(CallContext& c, const json::object& data) {
  Attempt attempt{text_field(data, "username")};
  json::object answer;
  try {
    answer = authenticate(c, data, attempt);
  } catch (const std::exception& e) {
    audit(c, data, attempt, false, e.what());
    throw;
  }
  if (attempt.finished) {
    const std::string type(answer.at("response_type").as_string());
    bool success =
        type == "SUCCESS" || (type == "SCRAM_RESPONSE" && answer.at("scram_type") == "SERVER_FINAL_RESPONSE");
    audit(c, data, attempt, success, success ? std::string() : type);
  }
  return answer;
}

void LoginService::audit(const CallContext& c, const json::object& data, const Attempt& attempt, bool success,
                         const std::string& error) const {
  AuditEvent event;
  event.method = c.method;
  event.username = attempt.username;
  event.credentials = text_field(data, "mechanism");
  event.peer = c.peer();
  event.params = {{"mechanism", event.credentials}, {"username", attempt.username}};
  if (attempt.api_key_id) event.params["api_key_id"] = *attempt.api_key_id;
  event.success = success;
  event.error = error;
  state_.ctx.audit(event);
}

json::object LoginService::authenticate(CallContext& c, const json::object& data, Attempt& attempt) {
  FailureDelay delay;
  Session& session = session_of(c);
  const std::string mechanism = text_field(data, "mechanism");
  const std::string scram_type = text_field(data, "scram_type");
  // Any other message abandons a SCRAM exchange waiting for its final message.
  if (!(mechanism == "SCRAM" && scram_type == "CLIENT_FINAL_MESSAGE")) state_.book.drop_scram(session.id());

  const AssuranceLevel level = state_.assurance.get();
  // TrueNAS's check and answer; an unknown mechanism gets its own answer below.
  if (is_known_mechanism(mechanism) && !assurance_allows(level, mechanism))
    throw CallError(mechanism + ": mechanism is not supported at current authenticator level.", EOPNOTSUPP);

  Outcome outcome;
  std::string server_final;
  if (mechanism == "OTP_TOKEN") {
    throw CallError("OTP_TOKEN: no authentication in progress", EINVAL);
  } else if (mechanism == "PASSWORD_PLAIN") {
    outcome = password_plain(c, data);
    if (outcome.kind == Outcome::Kind::Granted && assurance_requires_otp(level)) {
      // The level wants a second factor and no account has one here (TrueNAS: "User does not
      // have two factor authentication enabled."): a failed login like any other.
      state_.log->info("PASSWORD_PLAIN login for '{}' refused: {} needs a second factor", log_text(outcome.username),
                       assurance_level_name(level));
      outcome = {};
    }
  } else if (mechanism == "API_KEY_PLAIN") {
    if (auto parsed = parse_api_key(text_field(data, "api_key"))) attempt.api_key_id = parsed->id;
    outcome = api_key_plain(c, data);
  } else if (mechanism == "TOKEN_PLAIN") {
    outcome = token_plain(c, data);
  } else if (mechanism == "SCRAM" && scram_type == "CLIENT_FIRST_MESSAGE") {
    json::object answer = scram_first(c, data);
    attempt.finished = false;
    return answer;
  } else if (mechanism == "SCRAM" && scram_type == "CLIENT_FINAL_MESSAGE") {
    auto pending = state_.book.take_scram(session.id());
    if (!pending) throw CallError("SCRAM: no authentication in progress (send CLIENT_FIRST_MESSAGE first)", EBUSY);
    attempt.username = pending->claimed_user;
    attempt.api_key_id = pending->claimed_key_id;
    outcome = scram_final(*pending, data, server_final);
  } else {
    throw CallError(echo_prefix(mechanism) + ": unexpected authentication mechanism", EINVAL);
  }

  if (outcome.kind != Outcome::Kind::AuthError && !outcome.username.empty()) attempt.username = outcome.username;
  switch (outcome.kind) {
    case Outcome::Kind::AuthError:
      state_.log->info("{} login failed (session {}, {})", mechanism, session.id(), origin_text(session.peer()));
      delay.wait();
      return auth_error();
    case Outcome::Kind::Expired:
      state_.log->info("{} login for '{}' refused: credential expired", mechanism, log_text(outcome.username));
      return {{"response_type", "EXPIRED"}};
    case Outcome::Kind::Granted:
      break;
  }

  auto credentials = log_in(c, outcome);
  if (!credentials) {
    state_.log->warn("{} login for '{}' denied: the account holds no role", mechanism, log_text(outcome.username));
    return {{"response_type", "DENIED"}};
  }
  json::value info = nullptr;
  if (bool_option(data, "user_info", true)) info = me(*credentials);

  if (!server_final.empty()) {
    return {{"response_type", "SCRAM_RESPONSE"},
            {"scram_type", "SERVER_FINAL_RESPONSE"},
            {"rfc_str", server_final},
            {"user_info", std::move(info)}};
  }
  json::value reconnect = nullptr;
  if (bool_option(data, "reconnect_token", false)) {
    TokenRequest req = token_request(session);
    req.ttl = state_.settings.token_lifetime(state_.settings.reconnect_token_ttl);
    req.match_origin = origin_key(session.peer());
    req.single_use = true;
    reconnect = json::string(state_.tokens.create(std::move(req), Clock::now()));
  }
  return {{"response_type", "SUCCESS"},
          {"user_info", std::move(info)},
          {"authenticator", assurance_level_name(level)},
          {"reconnect_token", std::move(reconnect)}};
}

LoginService::Outcome LoginService::account_outcome(const std::string& type, const std::string& username) const {
  Outcome o;
  auto account = find_account(username);
  if (!account) return o;
  o.kind = Outcome::Kind::Granted;
  o.type = type;
  o.username = account->username;
  o.uid = account->uid;
  o.roles = state_.roles.roles_for(*account);
  o.credentials_data = {{"username", account->username}};
  o.source = {account->username, account->uid, std::nullopt, {}};
  return o;
}

LoginService::Outcome LoginService::password_plain(CallContext& c, const json::object& data) {
  const std::string username = text_field(data, "username");
  if (refuse_plain_secret(c, "PASSWORD_PLAIN", username)) return {};
  switch (state_.pam.check_password(username, text_field(data, "password"))) {
    case PamResult::Success:
      return account_outcome("LOGIN_PASSWORD", username);
    case PamResult::Expired: {
      Outcome o;
      o.kind = Outcome::Kind::Expired;
      o.username = username;
      return o;
    }
    case PamResult::Unavailable:
      state_.log->error("PAM service '{}' could not check a password", state_.pam.service());
      return {};
    case PamResult::AuthError:
      break;
  }
  return {};
}

LoginService::Outcome LoginService::key_outcome(const ApiKeyRecord& key) const {
  if (key.revoked || key.expired(now_ms())) {
    Outcome o;
    o.kind = Outcome::Kind::Expired;
    o.username = key.username;
    return o;
  }
  Outcome o = account_outcome("API_KEY", key.username);
  if (o.kind != Outcome::Kind::Granted) return o;
  o.credentials_data["api_key"] = json::object{{"id", key.id}, {"name", key.name}};
  o.source.api_key_id = key.id;
  o.source.api_key_stored_key = key.secrets.stored_key;
  return o;
}

LoginService::Outcome LoginService::api_key_plain(CallContext& c, const json::object& data) {
  const std::string username = text_field(data, "username");
  if (refuse_plain_secret(c, "API_KEY_PLAIN", username)) return {};
  auto parsed = parse_api_key(text_field(data, "api_key"));
  if (!parsed) return {};
  auto key = state_.keys->find(parsed->id);
  if (!key || key->username != username) return {};
  auto computed = scram::derive_secrets(HashAlg::Sha512, parsed->secret, key->secrets.salt, key->secrets.iterations);
  if (!constant_time_equal(computed.stored_key, key->secrets.stored_key)) return {};
  return key_outcome(*key);
}

LoginService::Outcome LoginService::token_plain(CallContext& c, const json::object& data) {
  Session& session = session_of(c);
  auto grant = state_.tokens.use_for_login(text_field(data, "token"), origin_key(session.peer()), session.id(),
                                           Clock::now(), state_.token_checks());
  if (!grant || !grant->parent) return {};
  Outcome o;
  o.kind = Outcome::Kind::Granted;
  o.type = "TOKEN";
  o.username = grant->parent->username;
  o.uid = grant->parent->uid;
  o.expanded_roles = grant->parent->roles;
  o.credentials_data = {{"parent", grant->parent_data}, {"username", grant->parent->username}};
  o.source = grant->source;
  return o;
}

json::object LoginService::scram_first(CallContext& c, const json::object& data) {
  Session& session = session_of(c);
  scram::ClientFirst first;
  try {
    first = scram::parse_client_first(text_field(data, "rfc_str"));
  } catch (const scram::ScramError& e) {
    throw ValidationErrors("login_data.rfc_str", e.what());
  }
  std::optional<ApiKeyRecord> key;
  PendingScram pending;
  pending.claimed_user = first.username;
  if (auto user = parse_scram_key_user(first.username)) {
    pending.claimed_user = user->username;
    pending.claimed_key_id = user->key_id;
    key = state_.keys->find(user->key_id);
    if (key && key->username != user->username) key.reset();
  }
  scram::StoredSecrets secrets;
  if (key) {
    secrets = key->secrets;
  } else {
    // Unknown user or key: answer like for a real one (stable salt, usual iterations), so the
    // first round trip does not reveal which keys exist; the final message then fails.
    secrets.salt = fake_salt(first.username);
    secrets.iterations = state_.settings.api_key_iterations;
    secrets.stored_key = random_bytes(digest_size(HashAlg::Sha512));
    secrets.server_key = random_bytes(digest_size(HashAlg::Sha512));
  }
  pending.stored_key = secrets.stored_key;
  std::string binding = channel_binding(c, first);
  pending.exchange = std::make_unique<scram::ServerExchange>(HashAlg::Sha512, std::move(first), std::move(secrets),
                                                             random_alnum(32), std::move(binding));
  if (key) pending.key_id = key->id;
  std::string server_first = pending.exchange->server_first();
  state_.book.start_scram(session.id(), std::move(pending), state_.alive_fn());
  return {{"response_type", "SCRAM_RESPONSE"},
          {"scram_type", "SERVER_FIRST_RESPONSE"},
          {"rfc_str", server_first},
          {"user_info", nullptr}};
}

LoginService::Outcome LoginService::scram_final(const PendingScram& pending, const json::object& data,
                                                std::string& server_final) {
  scram::ClientFinal final;
  try {
    final = scram::parse_client_final(text_field(data, "rfc_str"));
  } catch (const scram::ScramError& e) {
    throw ValidationErrors("login_data.rfc_str", e.what());
  }
  std::optional<std::string> signature;
  try {
    signature = pending.exchange->finish(final);
  } catch (const scram::ScramError& e) {
    state_.log->debug("SCRAM final message rejected: {}", log_text(e.what()));
    return {};
  }
  if (!signature || !pending.key_id) return {};
  // The key may have been reset or deleted since the first message.
  auto key = state_.keys->find(*pending.key_id);
  if (!key || !constant_time_equal(key->secrets.stored_key, pending.stored_key)) return {};
  server_final = *signature;
  return key_outcome(*key);
}

std::shared_ptr<const Credentials> LoginService::log_in(CallContext& c, Outcome& outcome) {
  Session& session = session_of(c);
  auto creds = std::make_shared<Credentials>();
  creds->type = outcome.type;
  creds->username = outcome.username;
  creds->uid = outcome.uid;
  creds->roles = outcome.type == "TOKEN" ? outcome.expanded_roles : state_.ctx.expand_roles(outcome.roles);
  if (creds->roles.empty()) return nullptr;
  creds->login_id = util::uuid4();
  creds->login_at_ms = now_ms();
  json::object data = std::move(outcome.credentials_data);
  data["login_id"] = creds->login_id;  // as TrueNAS's credentials_data
  if (outcome.type != "TOKEN") data["login_at"] = date_value(creds->login_at_ms);
  state_.book.record_login(session.id(), creds->login_id, std::move(data), outcome.source, state_.alive_fn());
  session.set_credentials(creds);
  if (!is_internal_peer(session.peer())) state_.session_events->logged_in(session.id(), session_entry(session));
  state_.log->info("{} login of '{}' (session {}, {})", creds->type, log_text(creds->username), session.id(),
                   origin_text(session.peer()));
  return creds;
}

bool LoginService::refuse_plain_secret(CallContext& c, const char* mechanism, const std::string& username) const {
  const PeerInfo* peer = c.peer();
  // Through the TLS listener the secret was encrypted on the wire: allowed from any address.
  if (!peer || !is_plain_remote_transport(*peer) || state_.settings.allow_insecure_login) return false;
  if (std::string_view(mechanism) == "API_KEY_PLAIN" && state_.settings.allow_api_key_on_plain_tcp) return false;
  state_.log->warn(
      "{} login for '{}' from {} refused: a plain-text secret over unencrypted TCP (use SCRAM, a loopback or "
      "unix-socket connection, or set [auth] allow_insecure_login = true or allow_api_key_on_plain_tcp = true)",
      mechanism, log_text(username), origin_text(*peer));
  return true;
}

std::string LoginService::fake_salt(const std::string& username) const {
  return hmac(HashAlg::Sha256, process_secret_, username).substr(0, 16);
}

json::object LoginService::me(const Credentials& credentials) const {
  std::optional<Account> account = find_account(credentials.username);
  if (!account && credentials.uid) account = find_account(*credentials.uid);
  if (!account) throw CallError("You are logged in using " + credentials.type, EINVAL);
  return user_info(credentials, *account, state_.keys->attributes(account->username));
}

void LoginService::logout(Session& session) {
  state_.tokens.destroy_for_session(session.id());
  state_.book.forget(session.id());
  session.set_credentials(nullptr);
  state_.session_events->ended(session.id());
}

TokenRequest LoginService::token_request(const Session& session) const {
  TokenRequest req;
  req.parent = session.credentials();
  if (!req.parent) throw CallError("Not authenticated", EINVAL);
  json::object login = describe_login(session);
  if (const json::value* type = login.if_contains("credentials"); type && *type == json::value("TOKEN")) {
    const json::value* parent = login["credentials_data"].as_object().if_contains("parent");
    if (parent && parent->is_object()) login = parent->get_object();
  }
  req.parent_data = std::move(login);
  // Logins the plugin did not make (unix-socket peers) stand on their account alone.
  req.source = state_.book.source(session.id(), req.parent->login_id)
                   .value_or(LoginSource{req.parent->username, req.parent->uid, std::nullopt, {}});
  req.session_id = session.id();
  return req;
}

json::object LoginService::session_entry(const Session& session) const {
  json::object login = describe_login(session);
  json::object out;
  out["id"] = session.id();
  out["origin"] = origin_text(session.peer());
  out["credentials"] = std::move(login["credentials"]);
  out["credentials_data"] = std::move(login["credentials_data"]);
  out["created_at"] = date_value(session.created_at_ms());
  out["secure_transport"] = !is_plain_remote_transport(session.peer());
  return out;
}

json::object LoginService::describe_login(const Session& session) const {
  auto creds = session.credentials();
  if (!creds) return {};
  auto data = state_.book.credentials_data(session.id(), creds->login_id);
  if (!data) data = json::object{{"username", creds->username}, {"login_at", date_value(creds->login_at_ms)}};
  return {{"credentials", creds->type}, {"credentials_data", std::move(*data)}};
}

}  // namespace mw::plugins::auth
