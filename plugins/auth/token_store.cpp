#include "auth/token_store.hpp"

#include "auth/crypto.hpp"

namespace mw::plugins::auth {

std::string TokenStore::create(TokenRequest request, Clock::time_point now) {
  std::string token = random_url_token(48);
  std::lock_guard lock(mutex_);
  sweep_expired(now);
  Entry e;
  e.sessions.insert(request.session_id);
  e.request = std::move(request);
  e.last_used = now;
  tokens_.emplace(token, std::move(e));
  return token;
}

std::optional<TokenGrant> TokenStore::use_for_login(const std::string& token, const OriginKey& origin,
                                                    const std::string& session_id, Clock::time_point now,
                                                    const TokenChecks& checks) {
  return redeem(token, origin, &session_id, now, checks);
}

std::optional<TokenGrant> TokenStore::use_for_application(const std::string& token, const OriginKey& origin,
                                                          Clock::time_point now, const TokenChecks& checks) {
  return redeem(token, origin, nullptr, now, checks);
}

std::optional<TokenGrant> TokenStore::redeem(const std::string& token, const OriginKey& origin,
                                             const std::string* login_session, Clock::time_point now,
                                             const TokenChecks& checks) {
  std::optional<TokenGrant> grant;
  bool single_use = false;
  {
    std::lock_guard lock(mutex_);
    sweep_expired(now);  // this token too, when it has expired
    auto it = tokens_.find(token);
    if (it == tokens_.end()) return std::nullopt;
    Entry& e = it->second;
    // A session that logged in with it has ended: the token is gone for good.
    for (const auto& s : e.login_sessions) {
      if (checks.session_alive(s)) continue;
      tokens_.erase(it);
      return std::nullopt;
    }
    if (e.request.match_origin && !(*e.request.match_origin == origin)) return std::nullopt;
    if (!e.request.attrs.empty()) return std::nullopt;  // attrs-only tokens serve downloads, not logins
    grant = TokenGrant{e.request.parent, e.request.parent_data, e.request.attrs, e.request.source};
    single_use = e.request.single_use;
    if (single_use) tokens_.erase(it);  // used up, whatever follows
  }
  // The account and key lookups may block: not under the lock.
  if (!checks.source_stands(grant->source)) {
    std::lock_guard lock(mutex_);
    tokens_.erase(token);
    return std::nullopt;
  }
  if (single_use) return grant;
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;  // destroyed meanwhile (logout, termination)
  it->second.last_used = now;
  if (login_session) {
    it->second.sessions.insert(*login_session);
    it->second.login_sessions.insert(*login_session);
  }
  return grant;
}

void TokenStore::destroy_for_session(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.sessions.contains(session_id); });
}

std::size_t TokenStore::size() const {
  std::lock_guard lock(mutex_);
  return tokens_.size();
}

void TokenStore::sweep_expired(Clock::time_point now) {
  std::erase_if(tokens_, [&](const auto& kv) { return now >= kv.second.last_used + kv.second.request.ttl; });
}

}  // namespace mw::plugins::auth
