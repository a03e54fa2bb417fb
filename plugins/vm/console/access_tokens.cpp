#include "console/access_tokens.hpp"

#include <array>
#include <random>

namespace mw::vm::console {

std::string random_token() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;  // getrandom(2) on Linux
  std::array<unsigned char, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); i += 4) {
    auto v = rd();
    for (std::size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
  std::string out;
  unsigned bits = 0, acc = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::string AccessTokens::issue(TokenGrant grant, std::chrono::seconds ttl, bool single_use, Clock::time_point now) {
  std::string token = random_token();
  std::lock_guard lock(mutex_);
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires <= now; });
  tokens_.emplace(token, Entry{std::move(grant), now + ttl, single_use});
  return token;
}

std::optional<TokenGrant> AccessTokens::redeem(const std::string& token, const std::string& purpose, int64_t resource,
                                               Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    tokens_.erase(it);
    return std::nullopt;
  }
  if (it->second.grant.purpose != purpose || it->second.grant.resource != resource) return std::nullopt;
  TokenGrant grant = it->second.grant;
  if (it->second.single_use) tokens_.erase(it);
  return grant;
}

std::size_t AccessTokens::size() const {
  std::lock_guard lock(mutex_);
  return tokens_.size();
}

}  // namespace mw::vm::console
