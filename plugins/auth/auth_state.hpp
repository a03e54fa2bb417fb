#pragma once
// Everything the auth.* and api_key.* methods share, owned by the plugin.
#include <memory>
#include <string>

#include <middlewared/plugin.hpp>
#include <mw/util/time.hpp>

#include "auth/api_key_store.hpp"
#include "auth/assurance.hpp"
#include "auth/pam_authenticator.hpp"
#include "auth/role_policy.hpp"
#include "auth/session_book.hpp"
#include "auth/session_events.hpp"
#include "auth/settings.hpp"
#include "auth/token_store.hpp"

namespace mw::plugins::auth {

struct AuthState {
  AuthState(PluginContext& context, AuthSettings s, std::shared_ptr<spdlog::logger> logger,
            std::shared_ptr<ApiKeyStore> key_store)
      : ctx(context),
        settings(std::move(s)),
        log(std::move(logger)),
        keys(std::move(key_store)),
        roles(context.config()),
        pam(settings.pam_service),
        session_events(std::make_shared<SessionEvents>(context.events(), context.sessions(), context.io_executor())) {}

  PluginContext& ctx;
  AuthSettings settings;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<ApiKeyStore> keys;
  RolePolicy roles;
  PamAuthenticator pam;
  TokenStore tokens;
  SessionBook book;
  AssuranceSetting assurance;
  std::shared_ptr<SessionEvents> session_events;

  bool session_alive(const std::string& id) const { return ctx.sessions().find_session(id) != nullptr; }
  SessionBook::Alive alive_fn() const {
    return [this](const std::string& id) { return session_alive(id); };
  }
  // Whether the account (same name, same uid) and the API key (present, not revoked, not
  // expired, not reset) a login stood on are still there.
  bool source_stands(const LoginSource& source) const;
  TokenChecks token_checks() const {
    return {alive_fn(), [this](const LoginSource& s) { return source_stands(s); }};
  }
};

using util::now_ms;  // shared with the core (mw_util)
json::object date_value(int64_t ms);

}  // namespace mw::plugins::auth
