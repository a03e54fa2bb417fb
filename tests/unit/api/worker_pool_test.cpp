// WorkerPool: a thread that ran tasks and then waited a whole idle period for the next one gives
// back the stack pages its tasks grew, and runs the next tasks as before.
#include <gtest/gtest.h>

#include <chrono>
#include <middlewared/worker_pool.hpp>

#include "support/stack_probe.hpp"

namespace mw::test {
namespace {

class WorkerPoolStackTest : public ::testing::Test {
 protected:
  void TearDown() override { mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(1000)); }
};

TEST_F(WorkerPoolStackTest, AnIdleThreadGivesBackTheStackItsTasksGrewAndRunsTheNextAsBefore) {
  mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(50));
  mw::WorkerPool pool(1, "test pool");
  const StackUse first = run_deep_task(pool.get_executor());
  ASSERT_GE(first.resident_kib, kDeepStackBytes / 1024) << "the task should have grown its stack";
  EXPECT_LT(resident_once_below(first.address, first.resident_kib - 256), first.resident_kib - 256);

  const StackUse second = run_deep_task(pool.get_executor());  // the same thread, its stack grown again
  EXPECT_EQ(second.address, first.address);
  EXPECT_GE(second.resident_kib, kDeepStackBytes / 1024);
}

TEST_F(WorkerPoolStackTest, ThreadsKeepTheirStackWhenReleaseIsOff) {
  mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(0));
  mw::WorkerPool pool(1, "test pool");
  const KeptStack stack = stack_after_a_quiet_while(pool.get_executor());
  ASSERT_GE(stack.right_after_kib, kDeepStackBytes / 1024);
  EXPECT_GE(stack.quiet_while_later_kib, kDeepStackBytes / 1024);
}

}  // namespace
}  // namespace mw::test
