#include "rpc/rate_limiter.hpp"

#include <algorithm>

namespace mw::rpc {

RateLimiter::RateLimiter(int limit, Clock::duration window, std::size_t max_keys)
    : limit_(limit), window_(window), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

bool RateLimiter::allow(const std::string& key, Clock::time_point now) {
  if (limit_ <= 0) return true;
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) make_room(now);
    windows_.emplace(key, Window{now, 1});
    return true;
  }
  Window& w = it->second;
  if (now - w.start >= window_) {
    w = Window{now, 1};
    return true;
  }
  if (w.calls >= limit_) return false;
  ++w.calls;
  return true;
}

void RateLimiter::make_room(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= window_; });
  if (windows_.size() < max_keys_) return;
  // Still full of live windows: forget the oldest. Its owner gets a fresh window, which only
  // matters under a flood of distinct keys, where the cap on memory matters more.
  auto oldest = std::min_element(windows_.begin(), windows_.end(),
                                 [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
  windows_.erase(oldest);
}

std::size_t RateLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

CallLimits CallLimits::from_config(const Config& config) {
  CallLimits l;
  auto non_negative = [](long long v) { return static_cast<int>(std::clamp<long long>(v, 0, 1'000'000'000)); };
  l.anonymous_calls_per_method =
      non_negative(config.get_int("limits", "anonymous_calls_per_method", l.anonymous_calls_per_method));
  l.anonymous_window = std::chrono::seconds(
      std::max(1, non_negative(config.get_int("limits", "anonymous_window_seconds", l.anonymous_window.count()))));
  l.user_calls_per_window = non_negative(config.get_int("limits", "user_calls_per_minute", l.user_calls_per_window));
  l.exempt_loopback = config.get_bool("limits", "exempt_loopback", l.exempt_loopback);
  l.refusal_delay_min = std::chrono::milliseconds(
      non_negative(config.get_int("limits", "rate_limited_delay_min_ms", l.refusal_delay_min.count())));
  l.refusal_delay_max =
      std::max(l.refusal_delay_min, std::chrono::milliseconds(non_negative(config.get_int(
                                        "limits", "rate_limited_delay_max_ms", l.refusal_delay_max.count()))));
  return l;
}

}  // namespace mw::rpc
