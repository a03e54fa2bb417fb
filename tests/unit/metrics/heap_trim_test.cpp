#include "app/heap_trim.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

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

// What else there is to give back (the connection I/O threads' stacks, wired in main.cpp) is
// asked for at every trim, on the trimming thread, and not while nothing has happened since.
TEST(HeapTrim, AsksForWhatElseThereIsToGiveBackAtEveryTrim) {
  boost::asio::io_context io;
  HeapTrim trim(io.get_executor(), std::chrono::milliseconds(20), nullptr);
  int asked = 0;
  const auto trimming_thread = std::this_thread::get_id();
  trim.also_release([&] {
    EXPECT_EQ(std::this_thread::get_id(), trimming_thread);
    ++asked;
  });
  trim.start();
  io.run_for(std::chrono::milliseconds(300));  // the start-up counts as work: one trim, then none
  EXPECT_EQ(trim.trims(), 1u);
  EXPECT_EQ(asked, 1);
}

}  // namespace
}  // namespace mw::app
