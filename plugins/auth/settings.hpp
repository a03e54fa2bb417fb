#pragma once
// The [auth] configuration section, read once at setup.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include <middlewared/config.hpp>

namespace mw::plugins::auth {

struct AuthSettings {
  std::string pam_service = "login";
  int api_key_iterations = 500000;          // PBKDF2-SHA512, as TrueNAS
  bool allow_insecure_login = false;        // PASSWORD_PLAIN / API_KEY_PLAIN over non-loopback plain TCP
  bool allow_api_key_on_plain_tcp = false;  // API_KEY_PLAIN only, over non-loopback plain TCP
  std::chrono::seconds token_ttl{600};
  std::chrono::seconds reconnect_token_ttl{600};
  // No token lives longer than this unused, whatever its creator asks ([auth] token_max_ttl).
  std::chrono::seconds token_max_ttl{600};

  // The idle timeout of a new token: what was asked (token_ttl when nothing), capped.
  std::chrono::seconds token_lifetime(std::optional<std::chrono::seconds> asked) const {
    return std::min(asked.value_or(token_ttl), token_max_ttl);
  }

  static AuthSettings from_config(const Config& config);
};

// Lowest iteration count we accept from the config (RFC 5802 asks for at least 4096).
inline constexpr int kMinApiKeyIterations = 4096;

}  // namespace mw::plugins::auth
