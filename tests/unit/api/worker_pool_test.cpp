// WorkerPool: a thread that ran tasks and then waited a whole idle period for the next one gives
// back the stack pages its tasks grew, and runs the next tasks as before.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <middlewared/worker_pool.hpp>
#include <sstream>
#include <string>
#include <thread>

namespace {

constexpr std::size_t kDeepBytes = 512 * 1024;

// Resident KiB of the mapping of this process that holds `address` (/proc/self/smaps).
std::size_t resident_kib_of_mapping(std::uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
      continue;
    }
    if (inside && line.rfind("Rss:", 0) == 0) return std::stoul(line.substr(4));
  }
  return 0;
}

// Writes kDeepBytes of this thread's stack (so that its pages are really touched).
[[gnu::noinline]] void touch_deep_stack() {
  unsigned char bytes[kDeepBytes];
  std::memset(bytes, 1, sizeof bytes);
  asm volatile("" : : "r"(bytes) : "memory");
}

struct StackUse {
  std::uintptr_t address;  // somewhere in the thread's stack
  std::size_t resident_kib;
};

// Runs a deep task on the pool; what its thread's stack holds right after it. Returning at all
// says the thread survived whatever was done to its stack before.
StackUse run_deep_task(mw::WorkerPool& pool) {
  std::promise<StackUse> done;
  boost::asio::post(pool.get_executor(), [&] {
    touch_deep_stack();
    char here = 0;
    const auto address = reinterpret_cast<std::uintptr_t>(&here);
    done.set_value({address, resident_kib_of_mapping(address)});
  });
  return done.get_future().get();
}

// Resident KiB of the stack at `address` once it falls below `below`, or after 10 s.
std::size_t resident_once_below(std::uintptr_t address, std::size_t below) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t now = resident_kib_of_mapping(address);
  while (now >= below && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = resident_kib_of_mapping(address);
  }
  return now;
}

class WorkerPoolStackTest : public ::testing::Test {
 protected:
  void TearDown() override { mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(1000)); }
};

TEST_F(WorkerPoolStackTest, AnIdleThreadGivesBackTheStackItsTasksGrewAndRunsTheNextAsBefore) {
  mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(50));
  mw::WorkerPool pool(1, "test pool");
  const StackUse first = run_deep_task(pool);
  ASSERT_GE(first.resident_kib, kDeepBytes / 1024) << "the task should have grown its stack";
  EXPECT_LT(resident_once_below(first.address, first.resident_kib - 256), first.resident_kib - 256);

  const StackUse second = run_deep_task(pool);  // the same thread, its stack grown again
  EXPECT_EQ(second.address, first.address);
  EXPECT_GE(second.resident_kib, kDeepBytes / 1024);
}

TEST_F(WorkerPoolStackTest, ThreadsKeepTheirStackWhenReleaseIsOff) {
  mw::WorkerPool::set_stack_release_after(std::chrono::milliseconds(0));
  mw::WorkerPool pool(1, "test pool");
  const StackUse used = run_deep_task(pool);
  ASSERT_GE(used.resident_kib, kDeepBytes / 1024);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_GE(resident_kib_of_mapping(used.address), kDeepBytes / 1024);
}

}  // namespace
