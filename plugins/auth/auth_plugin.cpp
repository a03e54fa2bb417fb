#include "auth/auth_plugin.hpp"

#include <spdlog/spdlog.h>

#include "auth/embedded_migrations.hpp"
#include "auth/method_tables.hpp"

namespace mw::plugins::auth {
namespace {

class AuthPlugin : public Plugin {
 public:
  std::string name() const override { return "auth"; }

  void setup(PluginContext& ctx) override {
    ctx.add_role({kApiKeyRead, {}, true});
    ctx.add_role({kApiKeyWrite, {kApiKeyRead}, false});
    ctx.add_role({kSessionsRead, {}, true});
    ctx.add_role({kSessionsWrite, {kSessionsRead}, false});
    ctx.add_role({kSystemSecurityRead, {}, true});
    ctx.add_role({kSystemSecurityWrite, {kSystemSecurityRead}, false});

    auto settings = AuthSettings::from_config(ctx.config());
    auto store =
        std::make_shared<ApiKeyStore>(ctx.open_datastore("auth", migrations_from_files(migrations::embedded_files())));
    state_ = std::make_unique<AuthState>(ctx, settings, ctx.logger("auth"), std::move(store));
    logins_ = std::make_unique<LoginService>(*state_);
    keys_ = std::make_unique<ApiKeyService>(*state_);
    // TrueNAS lets only full administrators watch logins come and go.
    ctx.add_event(
        {kSessionsEvent, "Logged-in sessions: ADDED at login, REMOVED when the login ends.", {kFullAdmin}, {}});
    register_auth_methods(ctx, *state_, *logins_);
    register_api_key_methods(ctx, *keys_);
    shell_tokens_ = make_shell_token_checker(*state_);
    ctx.provide<ShellTokenChecker>(*shell_tokens_);
    register_shell_token_method(ctx, *shell_tokens_);
    install_http_authenticator(ctx, *state_);
    ctx.add_metrics_source([state = state_.get()](std::vector<MetricSample>& out) {
      out.push_back({"middlewared_auth_tokens",
                     "Authentication tokens held in memory (expired ones not yet swept included)",
                     "gauge",
                     {},
                     static_cast<double>(state->tokens.size())});
    });
    state_->log->info("auth: PAM service '{}', API key PBKDF2 iterations {}, insecure plain-text logins {}",
                      settings.pam_service, settings.api_key_iterations,
                      settings.allow_insecure_login ? "allowed" : "refused");
  }

  void stop() override {
    if (state_) state_->session_events->stop();
  }

 private:
  std::unique_ptr<AuthState> state_;
  std::unique_ptr<LoginService> logins_;
  std::unique_ptr<ApiKeyService> keys_;
  std::unique_ptr<ShellTokenChecker> shell_tokens_;
};

}  // namespace

std::unique_ptr<mw::Plugin> make_auth_plugin() { return std::make_unique<AuthPlugin>(); }

}  // namespace mw::plugins::auth
