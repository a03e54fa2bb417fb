// run_beside: both functions run, and either one's exception reaches the caller.
#include <stdexcept>

#include <gtest/gtest.h>

#include "load_threads.hpp"

namespace mw::vm::testing {
namespace {

TEST(RunBeside, RunsBothAndRethrowsEitherOnesException) {
  int here = 0, beside = 0;
  run_beside([&] { ++here; }, [&] { ++beside; }, 0);
  EXPECT_EQ(here, 1);
  EXPECT_EQ(beside, 1);
  EXPECT_THROW(run_beside([] {}, [] { throw std::runtime_error("beside"); }, 0), std::runtime_error);
  EXPECT_THROW(run_beside([] { throw std::runtime_error("here"); }, [] {}, 0), std::runtime_error);
}

}  // namespace
}  // namespace mw::vm::testing
