#include "metrics/scrape_cache.hpp"

namespace mw::metrics {

ScrapeCache::ScrapeCache(std::function<std::string()> render, Clock::duration max_age,
                         std::function<Clock::time_point()> now)
    : render_(std::move(render)), max_age_(max_age), now_(std::move(now)) {}

std::string ScrapeCache::get() {
  std::lock_guard lock(mutex_);
  auto now = now_();
  if (renders_ == 0 || now - rendered_at_ >= max_age_) {
    text_ = render_();
    rendered_at_ = now;
    ++renders_;
  }
  return text_;
}

std::size_t ScrapeCache::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

}  // namespace mw::metrics
