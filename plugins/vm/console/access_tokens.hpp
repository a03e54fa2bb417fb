#pragma once
// Short-lived capability tokens for the plain-HTTP side of consoles: a browser opening the noVNC
// page carries no session, so the URL carries a token
// that grants exactly one thing (purpose + resource), like TrueNAS's download tokens.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mw::vm::console {

using Clock = std::chrono::steady_clock;

struct TokenGrant {
  std::string purpose;   // "display"
  int64_t resource = 0;  // the display device id
  std::string payload;   // what the grant is about, when more than the resource id
};

class AccessTokens {
 public:
  // A fresh url-safe token (32 random bytes, 43 characters).
  std::string issue(TokenGrant grant, std::chrono::seconds ttl, bool single_use, Clock::time_point now);
  // The grant when `token` exists, has not expired and was issued for (purpose, resource).
  // A single-use token is gone after a successful redeem; a wrong resource does not consume it.
  std::optional<TokenGrant> redeem(const std::string& token, const std::string& purpose, int64_t resource,
                                   Clock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    TokenGrant grant;
    Clock::time_point expires;
    bool single_use;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> tokens_;
};

// 32 random bytes from the system's CSPRNG, base64url without padding.
std::string random_token();

}  // namespace mw::vm::console
