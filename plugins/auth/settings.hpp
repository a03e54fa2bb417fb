#pragma once
// The [auth] configuration section, read once at setup.
#include <chrono>
#include <string>

#include <middlewared/config.hpp>

namespace mw::plugins::auth {

struct AuthSettings {
  std::string pam_service = "login";
  int api_key_iterations = 500000;  // PBKDF2-SHA512, as TrueNAS
  bool allow_insecure_login = false;  // PASSWORD_PLAIN / API_KEY_PLAIN over non-loopback plain TCP
  bool allow_api_key_on_plain_tcp = false;  // API_KEY_PLAIN only, over non-loopback plain TCP
  std::chrono::seconds token_ttl{600};
  std::chrono::seconds reconnect_token_ttl{600};

  static AuthSettings from_config(const Config& config);
};

// Lowest iteration count we accept from the config (RFC 5802 asks for at least 4096).
inline constexpr int kMinApiKeyIterations = 4096;

}  // namespace mw::plugins::auth
