#include "app/heap_trim.hpp"

#include <gtest/gtest.h>

namespace mw::app {
namespace {

TEST(QuietAfterWork, TrimsOnceAfterStartUpWhenNoCallCame) {
  QuietAfterWork quiet;
  EXPECT_TRUE(quiet.tick(0));
  EXPECT_FALSE(quiet.tick(0));
  EXPECT_FALSE(quiet.tick(0));
}

TEST(QuietAfterWork, WaitsForAWholePeriodWithoutCallsThenTrimsOnce) {
  QuietAfterWork quiet;
  EXPECT_FALSE(quiet.tick(5));   // calls came during the first period
  EXPECT_FALSE(quiet.tick(12));  // and during the next
  EXPECT_TRUE(quiet.tick(12));   // a whole period without one
  EXPECT_FALSE(quiet.tick(12));  // nothing freed since: no second trim
  EXPECT_FALSE(quiet.tick(13));
  EXPECT_TRUE(quiet.tick(13));
}

TEST(QuietAfterWork, NeverTrimsWhileCallsKeepComing) {
  QuietAfterWork quiet;
  for (std::uint64_t calls = 1; calls < 100; ++calls) EXPECT_FALSE(quiet.tick(calls)) << calls;
}

}  // namespace
}  // namespace mw::app
