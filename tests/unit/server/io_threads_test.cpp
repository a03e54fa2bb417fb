// IoThreads: asked to, each connection I/O thread gives back the stack pages its handlers grew,
// between two handlers, and runs the next ones as before; unasked, it keeps them.
#include <gtest/gtest.h>

#include "server/io_threads.hpp"
#include "support/stack_probe.hpp"

namespace mw::test {
namespace {

TEST(IoThreadsStack, AnIoThreadGivesBackTheStackItsHandlersGrewWhenAskedAndRunsTheNextAsBefore) {
  mw::server::IoThreads threads(1, nullptr);
  const StackUse first = run_deep_task(threads.next());
  ASSERT_GE(first.resident_kib, kDeepStackBytes / 1024) << "the handler should have grown its stack";
  threads.release_unused_stacks();
  EXPECT_LT(resident_once_below(first.address, first.resident_kib - 256), first.resident_kib - 256);

  const StackUse second = run_deep_task(threads.next());  // the same thread, its stack grown again
  EXPECT_EQ(second.address, first.address);
  EXPECT_GE(second.resident_kib, kDeepStackBytes / 1024);
}

TEST(IoThreadsStack, AnIoThreadKeepsItsStackUnlessAsked) {
  mw::server::IoThreads threads(1, nullptr);
  const KeptStack stack = stack_after_a_quiet_while(threads.next());
  ASSERT_GE(stack.right_after_kib, kDeepStackBytes / 1024);
  EXPECT_GE(stack.quiet_while_later_kib, kDeepStackBytes / 1024);
}

}  // namespace
}  // namespace mw::test
