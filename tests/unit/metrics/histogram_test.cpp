#include "metrics/histogram.hpp"

#include <gtest/gtest.h>

#include <array>
#include <thread>
#include <vector>

namespace mw::metrics {
namespace {

constexpr std::array<double, 3> kBounds{0.01, 0.1, 1};

TEST(Histogram, CountsAValueEqualToABoundInThatBucket) {
  Histogram h(kBounds);
  h.observe(0.1);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{0, 1, 1, 1}));
}

TEST(Histogram, BucketsAreCumulativeAndEndWithTheTotal) {
  Histogram h(kBounds);
  for (double v : {0.001, 0.05, 0.5, 5.0, 0.002}) h.observe(v);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_NEAR(s.sum, 5.553, 1e-9);
}

TEST(Histogram, NegativeAndNanObservationsCountAsZero) {
  Histogram h(kBounds);
  h.observe(-1);
  h.observe(std::nan(""));
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[0], 2u);
  EXPECT_EQ(s.sum, 0);
}

TEST(Histogram, RejectsBoundsThatAreNotStrictlyIncreasing) {
  std::array<double, 3> unsorted{1, 0.5, 2}, repeated{1, 1, 2};
  EXPECT_THROW(Histogram{unsorted}, std::invalid_argument);
  EXPECT_THROW(Histogram{repeated}, std::invalid_argument);
}

TEST(Histogram, ConcurrentObservationsAreAllCounted) {
  Histogram h(Histogram::default_bounds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.observe(0.001 * (i % 100));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.snapshot().count, 40000u);
}

}  // namespace
}  // namespace mw::metrics
