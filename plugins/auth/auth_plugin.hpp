#pragma once
// The auth plugin: auth.* (logins, tokens, sessions, auth.me) and api_key.*.
#include <memory>

#include <middlewared/plugin.hpp>

namespace mw::plugins::auth {
std::unique_ptr<mw::Plugin> make_auth_plugin();
}  // namespace mw::plugins::auth
