#pragma once
// Fixed-window call counters keyed by a string (unauthenticated calls per method and
// IP; our addition: calls per authenticated user). Bounded: a flood of distinct keys evicts expired
// windows first, then the oldest ones, so memory stays flat. Thread-safe.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include <middlewared/config.hpp>

namespace mw::rpc {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(int limit, Clock::duration window, std::size_t max_keys = 10000);

  // Counts one call for `key`; false when the key already used `limit` calls in its window.
  // A limit of 0 or less means unlimited.
  bool allow(const std::string& key, Clock::time_point now = Clock::now());
  std::size_t tracked_keys() const;

 private:
  struct Window {
    Clock::time_point start;
    int calls = 0;
  };
  void make_room(Clock::time_point now);

  int limit_;
  Clock::duration window_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::map<std::string, Window, std::less<>> windows_;
};

// The per-call limits of the dispatcher ([limits] in etc/middlewared.conf).
struct CallLimits {
  int anonymous_calls_per_method = 20;  // per remote IP, unauthenticated TCP peers
  std::chrono::seconds anonymous_window{60};
  int user_calls_per_window = 1000;  // per user name; 0 = unlimited
  std::chrono::seconds user_window{60};
  // Spare loopback TCP peers the anonymous limit. Off by default: behind a reverse proxy on the
  // same host every client is a loopback peer, and any web page can reach 127.0.0.1.
  bool exempt_loopback = false;
  // A refused call is answered after a random delay in this range, which
  // slows a client hammering the daemon without holding a thread: the answer waits on a timer.
  std::chrono::milliseconds refusal_delay_min{1000};
  std::chrono::milliseconds refusal_delay_max{10000};

  // [limits] anonymous_calls_per_method, anonymous_window_seconds, user_calls_per_minute,
  // exempt_loopback, rate_limited_delay_min_ms, rate_limited_delay_max_ms.
  static CallLimits from_config(const Config& config);
};

}  // namespace mw::rpc
