// auth.*: the method table and the small handlers that need no file of their own.
#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include <middlewared/client_text.hpp>
#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

#include "auth/api_key_format.hpp"
#include "auth/method_tables.hpp"
#include "auth/origin.hpp"

namespace mw::plugins::auth {
namespace {

Session& session_of(CallContext& c) {
  if (!c.session) throw CallError("This method needs a client connection", EINVAL);
  return *c.session;
}

bool succeeded(const json::object& response) { return response.at("response_type").as_string() == "SUCCESS"; }

bool is_internal(const Session& s) { return is_internal_peer(s.peer()); }

json::array session_rows(LoginService& logins, SessionRegistry& registry, const Session* current) {
  std::vector<std::shared_ptr<Session>> sessions = registry.sessions();
  std::sort(sessions.begin(), sessions.end(),
            [](const auto& a, const auto& b) { return a->created_at_ms() < b->created_at_ms(); });
  json::array rows;
  for (const auto& s : sessions) {
    if (!s->credentials()) continue;  // only logged-in sessions are auth sessions
    json::object row = logins.session_entry(*s);
    row["current"] = current != nullptr && current->id() == s->id();
    row["internal"] = is_internal(*s);
    rows.push_back(std::move(row));
  }
  return rows;
}

// attrs.job must name a job the caller can see.
void check_token_job(PluginContext& ctx, const Credentials& caller, const json::object& attrs) {
  const json::value* job = attrs.if_contains("job");
  if (!job || job->is_null()) return;
  std::string text = job->is_int64() ? std::to_string(job->get_int64()) : json::serialize(*job);
  for (const auto& j : ctx.jobs().list(&caller, false)) {
    const json::value* id = j.as_object().if_contains("id");
    if (id && *id == *job) return;
  }
  throw CallError(text + ": job does not exist.", EINVAL);
}

json::object twofactor_config(const AuthState& state) {
  return {{"enabled", false},
          {"services", json::object{{"ssh", false}}},
          {"window", state.keys->twofactor_window()},
          {"id", 1}};
}

}  // namespace

void register_auth_methods(PluginContext& ctx, AuthState& state, LoginService& logins) {
  ctx.add_method({.name = "auth.login_ex",
                  .description = "Authenticates the connection (PASSWORD_PLAIN, API_KEY_PLAIN, TOKEN_PLAIN, SCRAM).",
                  .no_auth = true,
                  .handler = [&logins](CallContext& c, json::array& p) -> json::value {
                    return logins.login_ex(c, p.at(0).as_object());
                  }});

  ctx.add_method({.name = "auth.login_ex_continue",
                  .description = "Continues a login that answered OTP_REQUIRED (OTP_TOKEN only).",
                  .no_auth = true,
                  .handler = [&logins](CallContext& c, json::array& p) -> json::value {
                    return logins.login_ex(c, p.at(0).as_object());
                  }});

  ctx.add_method({.name = "auth.login",
                  .description = "Authenticates with a user name and password; true on success.",
                  .no_auth = true,
                  .private_method = true,
                  .handler = [&logins](CallContext& c, json::array& p) -> json::value {
                    json::object data{{"mechanism", "PASSWORD_PLAIN"},
                                      {"username", p.at(0)},
                                      {"password", p.at(1)},
                                      {"login_options", json::object{{"user_info", false}}}};
                    return succeeded(logins.login_ex(c, data));
                  }});

  // Public, as in TrueNAS 26 (/api/v26.0.0); TrueNAS 27 dropped it, and every endpoint here serves
  // the same methods, so it stays on /api/current too (docs/COMPATIBILITY.md).
  ctx.add_method({.name = "auth.login_with_api_key",
                  .description = "Authenticates with an API key (<id>-<key>); true on success. Deprecated: use "
                                 "auth.login_ex (API_KEY_PLAIN or SCRAM).",
                  .no_auth = true,
                  .handler = [&logins, &state](CallContext& c, json::array& p) -> json::value {
                    std::string raw(p.at(0).as_string());
                    // Older clients send no user name: the key's own user is meant.
                    std::string username;
                    if (auto parsed = parse_api_key(raw))
                      if (auto key = state.keys->find(parsed->id)) username = key->username;
                    json::object data{{"mechanism", "API_KEY_PLAIN"},
                                      {"username", username},
                                      {"api_key", raw},
                                      {"login_options", json::object{{"user_info", false}}}};
                    return succeeded(logins.login_ex(c, data));
                  }});

  ctx.add_method({.name = "auth.login_with_token",
                  .description = "Authenticates with a token from auth.generate_token; true on success.",
                  .no_auth = true,
                  .handler = [&logins](CallContext& c, json::array& p) -> json::value {
                    json::object data{{"mechanism", "TOKEN_PLAIN"},
                                      {"token", p.at(0)},
                                      {"login_options", json::object{{"user_info", false}}}};
                    return succeeded(logins.login_ex(c, data));
                  }});

  ctx.add_method({.name = "auth.mechanism_choices",
                  .description = "The mechanisms auth.login_ex accepts at the current authenticator assurance level.",
                  .no_auth = true,
                  .handler = [&state](CallContext&, json::array&) -> json::value {
                    json::array out;
                    for (const auto& m : assurance_mechanisms(state.assurance.get())) out.push_back(json::string(m));
                    return out;
                  }});

  ctx.add_method({.name = "auth.get_authenticator_assurance_level",
                  .description = "The authenticator assurance level logins are held to (LEVEL_1, LEVEL_2, LEVEL_3).",
                  .private_method = true,
                  .handler = [&state](CallContext& c, json::array&) -> json::value {
                    require_private_caller(c);
                    return json::string(assurance_level_name(state.assurance.get()));
                  }});

  ctx.add_method({.name = "auth.set_authenticator_assurance_level",
                  .description = "Sets the authenticator assurance level: which mechanisms auth.login_ex accepts and "
                                 "whether a second factor is required. Kept until the daemon restarts.",
                  .private_method = true,
                  .handler = [&state](CallContext& c, json::array& p) -> json::value {
                    require_private_caller(c);
                    std::string name(p.at(0).as_string());
                    auto level = parse_assurance_level(name);
                    if (!level) throw CallError(echo_prefix(name) + ": unknown authenticator assurance level", EINVAL);
                    state.log->warn("Setting AAL to {}", name);
                    state.assurance.set(*level);
                    return nullptr;
                  }});

  ctx.add_method({.name = "auth.logout",
                  .description = "Ends the login of this connection; its event subscriptions and tokens go too.",
                  .handler = [&logins](CallContext& c, json::array&) -> json::value {
                    logins.logout(session_of(c));
                    return true;
                  }});

  ctx.add_method(
      {.name = "auth.me",
       .description = "The logged-in user: account, privileges, attributes.",
       .handler = [&logins](CallContext& c, json::array&) -> json::value { return logins.me(*c.credentials); }});

  ctx.add_method({.name = "auth.generate_token",
                  .description = "Creates an authentication token standing for the caller's credentials.",
                  .handler = [&state, &logins](CallContext& c, json::array& p) -> json::value {
                    Session& session = session_of(c);
                    json::object attrs = p.at(1).as_object();
                    if (json::serialize(attrs).size() > kMaxTokenAttrsBytes)
                      throw ValidationErrors("attrs", "Token attributes may not exceed " +
                                                          std::to_string(kMaxTokenAttrsBytes) + " bytes (as JSON)");
                    check_token_job(state.ctx, *c.credentials, attrs);
                    if (!p.at(3).as_bool() && state.assurance.get() != AssuranceLevel::Level1)
                      throw CallError(
                          "Multi-use authentication tokens are not supported at current authenticator level.",
                          EOPNOTSUPP);
                    TokenRequest req = logins.token_request(session);
                    std::optional<std::chrono::seconds> asked;
                    if (!p.at(0).is_null()) asked = std::chrono::seconds(p.at(0).as_int64());
                    req.ttl = state.settings.token_lifetime(asked);
                    req.attrs = std::move(attrs);
                    if (p.at(2).as_bool()) req.match_origin = origin_key(session.peer());
                    req.single_use = p.at(3).as_bool();
                    return json::string(state.tokens.create(std::move(req), Clock::now()));
                  }});

  ctx.add_method({.name = "auth.sessions",
                  .description = "Logged-in sessions (query-filters and query-options).",
                  .roles = {kSessionsRead},
                  .filterable = true,
                  .handler = [&state, &logins](CallContext& c, json::array& p) -> json::value {
                    json::array rows = session_rows(logins, state.ctx.sessions(), c.session);
                    return query::filter_list(rows, p.at(0).as_array(), p.at(1).as_object());
                  }});

  ctx.add_method({.name = "auth.terminate_session",
                  .description = "Closes a logged-in session and destroys its tokens; false when there is none.",
                  .roles = {kSessionsWrite},
                  .handler = [&state](CallContext& c, json::array& p) -> json::value {
                    std::string id(p.at(0).as_string());
                    auto session = state.ctx.sessions().find_session(id);
                    if (!session || !session->credentials()) return false;
                    state.tokens.destroy_for_session(id);
                    state.book.forget(id);
                    state.log->info("session {} terminated by '{}'", id, log_text(c.credentials->username));
                    session->terminate();
                    state.session_events->ended(id);
                    return true;
                  }});

  ctx.add_method({.name = "auth.terminate_other_sessions",
                  .description = "Closes every logged-in session except this one and internal ones.",
                  .roles = {kSessionsWrite},
                  .handler = [&state](CallContext& c, json::array&) -> json::value {
                    for (const auto& s : state.ctx.sessions().sessions()) {
                      if (!s->credentials() || is_internal(*s) || (c.session && s->id() == c.session->id())) continue;
                      state.tokens.destroy_for_session(s->id());
                      state.book.forget(s->id());
                      s->terminate();
                      state.session_events->ended(s->id());
                    }
                    return true;
                  }});

  // TrueNAS's web UI reads this on every page. Two-factor logins do not exist here: the answer is
  // always "off", and enabling it is refused rather than accepted and ignored.
  ctx.add_method({.name = "auth.twofactor.config",
                  .description = "The two-factor authentication configuration; `enabled` is always false here.",
                  .roles = {kSystemSecurityRead},
                  .handler = [&state](CallContext&, json::array&) -> json::value { return twofactor_config(state); }});

  ctx.add_method({.name = "auth.twofactor.update",
                  .description = "Changes the two-factor configuration (`window`); enabling two-factor "
                                 "authentication, or requiring it for ssh, is refused.",
                  .roles = {kSystemSecurityWrite},
                  .handler = [&state](CallContext& c, json::array& p) -> json::value {
                    const json::object& data = p.at(0).as_object();
                    ValidationErrors errors;
                    if (const json::value* on = data.if_contains("enabled"); on && on->as_bool())
                      errors.add("auth_twofactor_update.enabled",
                                 "Two-factor authentication is not available: this server has no second-factor "
                                 "(one-time password) logins.",
                                 EOPNOTSUPP);
                    if (const json::value* services = data.if_contains("services"))
                      if (const json::value* ssh = services->as_object().if_contains("ssh"); ssh && ssh->as_bool())
                        errors.add("auth_twofactor_update.services.ssh",
                                   "Two-factor authentication for ssh is not managed by this server.", EOPNOTSUPP);
                    errors.throw_if_any();
                    json::object before = twofactor_config(state);
                    if (const json::value* window = data.if_contains("window")) {
                      state.keys->set_twofactor_window(window->as_int64());
                      // As TrueNAS: a configuration without two-factor logins holds logins to LEVEL_1.
                      if (*window != before.at("window")) {
                        state.assurance.set(AssuranceLevel::Level1);
                        state.log->info("auth.twofactor window set to {} by '{}'", window->as_int64(),
                                        log_text(c.credentials->username));
                      }
                    }
                    return twofactor_config(state);
                  }});

  ctx.add_method({.name = "auth.set_attribute",
                  .description = "Stores a web UI attribute for the logged-in user (shown by auth.me).",
                  .handler = [&state](CallContext& c, json::array& p) -> json::value {
                    state.keys->set_attribute(c.credentials->username, std::string(p.at(0).as_string()), p.at(1));
                    return nullptr;
                  }});
}

}  // namespace mw::plugins::auth
