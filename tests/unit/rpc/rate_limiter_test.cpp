// Fixed-window call counting used for the anonymous and per-user rate limits.
#include <gtest/gtest.h>

#include "rpc/rate_limiter.hpp"
#include "server/peer_counter.hpp"

namespace mw::rpc {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(RateLimiter, AllowsTheLimitThenRefusesUntilTheWindowEnds) {
  RateLimiter r(3, 60s);
  auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.allow("k", t0 + std::chrono::seconds(i)));
  EXPECT_FALSE(r.allow("k", t0 + 59s));
  EXPECT_TRUE(r.allow("k", t0 + 60s));  // a new window
  EXPECT_TRUE(r.allow("k", t0 + 61s));
}

TEST(RateLimiter, KeysAreCountedSeparately) {
  RateLimiter r(1, 60s);
  auto t0 = Clock::time_point{} + 1h;
  EXPECT_TRUE(r.allow("core.ping\n10.0.0.1", t0));
  EXPECT_FALSE(r.allow("core.ping\n10.0.0.1", t0));
  EXPECT_TRUE(r.allow("core.ping\n10.0.0.2", t0));
  EXPECT_TRUE(r.allow("auth.login\n10.0.0.1", t0));
}

TEST(RateLimiter, ZeroMeansUnlimited) {
  RateLimiter r(0, 60s);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(r.allow("k"));
  EXPECT_EQ(r.tracked_keys(), 0u);
}

TEST(RateLimiter, AFloodOfKeysStaysWithinTheCapEvictingTheOldest) {
  RateLimiter r(1, 60s, 100);
  auto t0 = Clock::time_point{} + 1h;
  EXPECT_TRUE(r.allow("first", t0));
  for (int i = 0; i < 1000; ++i) r.allow("k" + std::to_string(i), t0 + 1s);
  EXPECT_LE(r.tracked_keys(), 100u);
  EXPECT_TRUE(r.allow("first", t0 + 2s));  // evicted first, as the oldest window
}

TEST(CallLimits, ReadFromTheLimitsSection) {
  struct FakeConfig : Config {
    std::optional<std::string> get(std::string_view section, std::string_view key) const override {
      if (section != "limits") return std::nullopt;
      if (key == "anonymous_calls_per_method") return "5";
      if (key == "user_calls_per_minute") return "0";
      if (key == "anonymous_window_seconds") return "-3";
      return std::nullopt;
    }
    const std::filesystem::path& state_dir() const override { return dir; }
    std::filesystem::path dir;
  } cfg;
  auto l = CallLimits::from_config(cfg);
  EXPECT_EQ(l.anonymous_calls_per_method, 5);
  EXPECT_EQ(l.user_calls_per_window, 0);
  EXPECT_EQ(l.anonymous_window, 1s);  // clamped to a positive window
}

TEST(PeerCounter, CapsConnectionsPerAddressAndReleasesWithTheSlot) {
  auto counter = std::make_shared<server::PeerCounter>(2);
  auto a = counter->acquire("10.0.0.1");
  auto b = counter->acquire("10.0.0.1");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(counter->acquire("10.0.0.1"), nullptr);
  EXPECT_NE(counter->acquire("10.0.0.2"), nullptr);
  a.reset();
  EXPECT_EQ(counter->count("10.0.0.1"), 1u);
  EXPECT_NE(counter->acquire("10.0.0.1"), nullptr);
}

TEST(PeerCounter, ZeroMeansUnlimited) {
  auto counter = std::make_shared<server::PeerCounter>(0);
  std::vector<std::shared_ptr<server::PeerCounter::Slot>> slots;
  for (int i = 0; i < 500; ++i) slots.push_back(counter->acquire("10.0.0.1"));
  EXPECT_NE(slots.back(), nullptr);
  EXPECT_EQ(counter->count("10.0.0.1"), 500u);
}

}  // namespace
}  // namespace mw::rpc
