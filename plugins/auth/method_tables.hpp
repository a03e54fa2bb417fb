#pragma once
// The method tables of the plugin, as data (ARCHITECTURE.md "How a call flows").
#include <middlewared/plugin.hpp>
#include <middlewared/services.hpp>

#include "auth/api_key_service.hpp"
#include "auth/auth_state.hpp"
#include "auth/login_service.hpp"

namespace mw::plugins::auth {

inline constexpr const char* kSessionsRead = "AUTH_SESSIONS_READ";
inline constexpr const char* kSessionsWrite = "AUTH_SESSIONS_WRITE";
inline constexpr const char* kSystemSecurityRead = "SYSTEM_SECURITY_READ";
inline constexpr const char* kSystemSecurityWrite = "SYSTEM_SECURITY_WRITE";

void register_auth_methods(PluginContext& ctx, AuthState& state, LoginService& logins);
void register_api_key_methods(PluginContext& ctx, ApiKeyService& keys);
// The token check the VM serial console uses (ShellTokenChecker, offered to plugins that depend
// on auth), and auth.get_token_for_shell_application, the same check as a method
// (shell_token_method.cpp).
std::unique_ptr<ShellTokenChecker> make_shell_token_checker(AuthState& state);
void register_shell_token_method(PluginContext& ctx, ShellTokenChecker& checker);
// Who a plain HTTP request's token stands for (POST /_upload).
void install_http_authenticator(PluginContext& ctx, AuthState& state);

}  // namespace mw::plugins::auth
