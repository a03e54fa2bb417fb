// run_beside: both functions run, either one's exception reaches the caller, and the calling
// thread's heap is grown at once when it grows by brk.
#include <malloc.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "load_threads.hpp"

namespace mw::vm::testing {
namespace {

char* heap_end() { return static_cast<char*>(::sbrk(0)); }

TEST(RunBeside, RunsBothAndRethrowsEitherOnesException) {
  int here = 0, beside = 0;
  run_beside([&] { ++here; }, [&] { ++beside; }, 0);
  EXPECT_EQ(here, 1);
  EXPECT_EQ(beside, 1);
  EXPECT_THROW(run_beside([] {}, [] { throw std::runtime_error("beside"); }, 0), std::runtime_error);
  EXPECT_THROW(run_beside([] { throw std::runtime_error("here"); }, [] {}, 0), std::runtime_error);
}

// The daemon's malloc setting (tune_allocator): blocks below 4 MiB come from the heap. The 12 MiB
// the test thread allocates while `here` runs must then find the heap already grown by the 16 MiB
// asked for: the break does not move.
TEST(RunBeside, GrowsTheCallingThreadsHeapAtOnce) {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  constexpr std::size_t kReserved = 16 << 20;
  char* grown = nullptr;
  bool moved_while_allocating = false;
  std::vector<void*> blocks;
  run_beside(
      [&] {
        grown = heap_end();
        for (std::size_t i = 0; i < (12 << 20) / 4096; ++i) blocks.push_back(std::malloc(4000));
        moved_while_allocating = heap_end() != grown;
        for (void* block : blocks) std::free(block);
      },
      [] {}, kReserved);
  EXPECT_FALSE(moved_while_allocating);
  malloc_trim(0);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
}

}  // namespace
}  // namespace mw::vm::testing
