#pragma once
// The interfaces plugins offer one another (PluginContext::provide / require), so that one plugin
// calls another through C++ types checked at compile time, never by method name. A plugin that
// uses one lists its provider in depends_on().
#include <memory>
#include <string>

#include <middlewared/credentials.hpp>
#include <middlewared/session.hpp>

namespace mw {

// Offered by the auth plugin: tokens from auth.generate_token used outside the API (the VM serial
// console's /_shell), as auth.get_token_for_shell_application checks them.
class ShellTokenChecker {
 public:
  virtual ~ShellTokenChecker() = default;
  // Who `token` stands for when presented by `peer`; null when it is unknown, expired, bound to
  // another origin, or a download token.
  virtual std::shared_ptr<const Credentials> check_shell_token(const std::string& token, const PeerInfo& peer) = 0;
};

}  // namespace mw
