#pragma once
// Authentication tokens, in memory only: they die with the daemon.
// A token remembers the sessions tied to it: the one that created it and every one that logged
// in with it. Terminating or logging out any of them destroys it; so does the end of a session
// that logged in with it (noticed at the next use, as the core reports no disconnects). The end
// of the creating connection alone does not: a reconnect token exists for exactly that, as in
// TrueNAS. A token is honoured only while its LoginSource stands. Expired tokens are swept
// whenever the store is used, so they never pile up: lifetimes are capped ([auth] token_max_ttl).
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

#include "auth/login_source.hpp"
#include "auth/origin.hpp"

namespace mw::plugins::auth {

using Clock = std::chrono::steady_clock;

// The largest `attrs` object a token may carry, as JSON text.
inline constexpr std::size_t kMaxTokenAttrsBytes = 4096;

struct TokenRequest {
  std::chrono::seconds ttl{600};  // idle timeout, re-armed on every use
  json::object attrs;             // non-empty: a download/upload token, never an API login
  std::optional<OriginKey> match_origin;
  bool single_use = false;
  std::shared_ptr<const Credentials> parent;  // the credentials the token stands for
  json::object parent_data;                   // {"credentials": TYPE, "credentials_data": {...}}
  LoginSource source;                         // what the parent login stands on
  std::string session_id;                     // the creating session
};

struct TokenGrant {
  std::shared_ptr<const Credentials> parent;
  json::object parent_data;
  json::object attrs;
  LoginSource source;
};

// What redeeming a token asks of its owner: whether a session still exists, and whether what a
// login stood on still stands (called without the store's lock held).
struct TokenChecks {
  std::function<bool(const std::string& session_id)> session_alive;
  std::function<bool(const LoginSource& source)> source_stands;
};

class TokenStore {
 public:
  // Returns the token string: 48 random bytes, base64url (64 characters).
  std::string create(TokenRequest request, Clock::time_point now);

  // Uses a token to log `session_id` in. nullopt when the token is unknown, idle too long,
  // bound to another origin, an attrs-only token, tied to a session that is gone, or its source
  // no longer stands (then it is destroyed). A single-use token is gone afterwards; another one
  // is re-armed and tied to `session_id`.
  std::optional<TokenGrant> use_for_login(const std::string& token, const OriginKey& origin,
                                          const std::string& session_id, Clock::time_point now,
                                          const TokenChecks& checks);

  // Uses a token for an application outside the API (the web shell): the same checks as
  // use_for_login, but no session is tied to the token; a single-use token is gone afterwards.
  std::optional<TokenGrant> use_for_application(const std::string& token, const OriginKey& origin,
                                                Clock::time_point now, const TokenChecks& checks);

  // Destroys every token tied to the session (terminate_session, logout).
  void destroy_for_session(const std::string& session_id);
  // Tokens held, expired ones not yet swept included.
  std::size_t size() const;

 private:
  // Both uses: checks, then ties the token to `login_session` when given (a login).
  std::optional<TokenGrant> redeem(const std::string& token, const OriginKey& origin, const std::string* login_session,
                                   Clock::time_point now, const TokenChecks& checks);

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
