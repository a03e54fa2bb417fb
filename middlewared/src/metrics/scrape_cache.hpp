#pragma once
// Keeps the last rendering of an expensive text (the /metrics page) for `max_age`, so that any
// number of scrapers cost at most one rendering per period. Concurrent callers of a stale cache
// wait for one rendering instead of each doing their own.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace mw::metrics {

class ScrapeCache {
 public:
  using Clock = std::chrono::steady_clock;
  // `now` is injectable for tests.
  ScrapeCache(std::function<std::string()> render, Clock::duration max_age,
              std::function<Clock::time_point()> now = &Clock::now);

  std::string get();
  // For tests: how many times render() ran.
  std::size_t renders() const;

 private:
  std::function<std::string()> render_;
  Clock::duration max_age_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::string text_;
  Clock::time_point rendered_at_{};
  std::size_t renders_ = 0;
};

}  // namespace mw::metrics
