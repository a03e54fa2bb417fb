#pragma once
// The raw API key as clients see it: "<numeric id>-<64 characters [A-Za-z0-9]>".
// Only the part after the dash is secret; SCRAM material is derived from it alone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mw::plugins::auth {

inline constexpr std::size_t kApiKeySecretLength = 64;

struct ParsedApiKey {
  int64_t id = 0;
  std::string secret;
};

std::string generate_api_key_secret();
std::string format_api_key(int64_t id, std::string_view secret);
// nullopt unless `raw` is "<positive id>-<alphanumeric secret>".
std::optional<ParsedApiKey> parse_api_key(std::string_view raw);

// SCRAM user names for API keys are "<username>:<key id>" (the TrueNAS convention).
struct ScramKeyUser {
  std::string username;
  int64_t key_id = 0;
};
std::optional<ScramKeyUser> parse_scram_key_user(std::string_view scram_username);

}  // namespace mw::plugins::auth
