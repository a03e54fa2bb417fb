#pragma once
// Authentication tokens (API-SPEC 2.5), in memory only: they die with the daemon.
// A token remembers the sessions tied to it: the one that created it and every one that logged
// in with it. Terminating or logging out any of them destroys it; so does the end of a session
// that logged in with it (noticed at the next use, as the core reports no disconnects).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <middlewared/credentials.hpp>
#include <middlewared/json.hpp>

#include "auth/origin.hpp"

namespace mw::plugins::auth {

using Clock = std::chrono::steady_clock;

struct TokenRequest {
  std::chrono::seconds ttl{600};   // idle timeout, re-armed on every use
  json::object attrs;              // non-empty: a download/upload token, never an API login
  std::optional<OriginKey> match_origin;
  bool single_use = false;
  std::shared_ptr<const Credentials> parent;  // the credentials the token stands for
  json::object parent_data;                   // {"credentials": TYPE, "credentials_data": {...}}
  std::string session_id;                     // the creating session
};

struct TokenGrant {
  std::shared_ptr<const Credentials> parent;
  json::object parent_data;
  json::object attrs;
};

class TokenStore {
 public:
  // Returns the token string: 48 random bytes, base64url (64 characters).
  std::string create(TokenRequest request, Clock::time_point now);

  // Uses a token to log `session_id` in. nullopt when the token is unknown, idle too long,
  // bound to another origin, or an attrs-only token. A single-use token is gone afterwards;
  // another one is re-armed and tied to `session_id`. `session_alive` tells whether a session
  // that logged in with the token still exists.
  std::optional<TokenGrant> use_for_login(const std::string& token, const OriginKey& origin,
                                          const std::string& session_id, Clock::time_point now,
                                          const std::function<bool(const std::string&)>& session_alive);

  // Uses a token for an application outside the API (the web shell): the same checks as
  // use_for_login, but no session is tied to the token; a single-use token is gone afterwards.
  std::optional<TokenGrant> use_for_application(const std::string& token, const OriginKey& origin,
                                                Clock::time_point now,
                                                const std::function<bool(const std::string&)>& session_alive);

  // Destroys every token tied to the session (terminate_session, logout).
  void destroy_for_session(const std::string& session_id);
  std::size_t size() const;

 private:
  // Both uses: checks, then ties the token to `login_session` when given (a login).
  std::optional<TokenGrant> redeem(const std::string& token, const OriginKey& origin, const std::string* login_session,
                                   Clock::time_point now, const std::function<bool(const std::string&)>& session_alive);

  struct Entry {
    TokenRequest request;
    std::set<std::string> sessions;        // creator + sessions logged in with it
    std::set<std::string> login_sessions;  // only the latter
    Clock::time_point last_used;
  };
  void sweep_expired(Clock::time_point now);

  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> tokens_;
};

}  // namespace mw::plugins::auth
