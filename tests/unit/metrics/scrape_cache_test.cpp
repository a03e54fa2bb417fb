#include "metrics/scrape_cache.hpp"

#include <gtest/gtest.h>

namespace mw::metrics {
namespace {

TEST(ScrapeCache, RendersAgainOnlyOnceTheCopyIsOlderThanMaxAge) {
  ScrapeCache::Clock::time_point now{};
  int n = 0;
  ScrapeCache cache([&] { return "text " + std::to_string(++n); }, std::chrono::seconds(1), [&] { return now; });
  EXPECT_EQ(cache.get(), "text 1");
  now += std::chrono::milliseconds(999);
  EXPECT_EQ(cache.get(), "text 1");
  EXPECT_EQ(cache.renders(), 1u);
  now += std::chrono::milliseconds(1);
  EXPECT_EQ(cache.get(), "text 2");
  EXPECT_EQ(cache.renders(), 2u);
}

}  // namespace
}  // namespace mw::metrics
