#include "auth/api_key_format.hpp"

#include <charconv>

#include "auth/crypto.hpp"

namespace mw::plugins::auth {
namespace {

std::optional<int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string generate_api_key_secret() { return random_alnum(kApiKeySecretLength); }

std::string format_api_key(int64_t id, std::string_view secret) {
  return std::to_string(id) + "-" + std::string(secret);
}

std::optional<ParsedApiKey> parse_api_key(std::string_view raw) {
  std::size_t dash = raw.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto id = parse_id(raw.substr(0, dash));
  std::string_view secret = raw.substr(dash + 1);
  if (!id || secret.empty() || secret.size() > 1024) return std::nullopt;
  for (char c : secret)
    if (!is_alnum(c)) return std::nullopt;
  return ParsedApiKey{*id, std::string(secret)};
}

std::optional<ScramKeyUser> parse_scram_key_user(std::string_view scram_username) {
  std::size_t colon = scram_username.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto id = parse_id(scram_username.substr(colon + 1));
  if (!id) return std::nullopt;
  return ScramKeyUser{std::string(scram_username.substr(0, colon)), *id};
}

}  // namespace mw::plugins::auth
