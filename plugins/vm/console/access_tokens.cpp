#include "console/access_tokens.hpp"

#include <mw/util/random.hpp>

namespace mw::vm::console {

std::string random_token() { return util::random_url_token(32); }

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
