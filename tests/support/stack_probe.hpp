#pragma once
// For tests of threads that give back their unused stack (WorkerPool, the connection I/O
// threads): run a task that grows the stack of the thread it runs on, and watch what the
// mapping holding that stack keeps resident.
#include <boost/asio/post.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

namespace mw::test {

inline constexpr std::size_t kDeepStackBytes = 512 * 1024;

// Resident KiB of the mapping of this process that holds `address` (/proc/self/smaps).
inline std::size_t resident_kib_of_mapping(std::uintptr_t address) {
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

// Writes kDeepStackBytes of this thread's stack (so that its pages are really touched).
[[gnu::noinline]] inline void touch_deep_stack() {
  unsigned char bytes[kDeepStackBytes];
  std::memset(bytes, 1, sizeof bytes);
  asm volatile("" : : "r"(bytes) : "memory");
}

struct StackUse {
  std::uintptr_t address;  // somewhere in the thread's stack
  std::size_t resident_kib;
};

// Runs a deep task through `executor`; what its thread's stack holds right after it. Returning at
// all says the thread survived whatever was done to its stack before.
template <class Executor>
StackUse run_deep_task(Executor&& executor) {
  std::promise<StackUse> done;
  boost::asio::post(executor, [&] {
    touch_deep_stack();
    char here = 0;
    const auto address = reinterpret_cast<std::uintptr_t>(&here);
    done.set_value({address, resident_kib_of_mapping(address)});
  });
  return done.get_future().get();
}

// Resident KiB of the stack a deep task grew on `executor`'s thread: right after the task, and after
// a quiet 200 ms in which nobody asked the thread to give it back.
struct KeptStack {
  std::size_t right_after_kib, quiet_while_later_kib;
};
template <class Executor>
KeptStack stack_after_a_quiet_while(Executor&& executor) {
  const StackUse used = run_deep_task(std::forward<Executor>(executor));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return {used.resident_kib, resident_kib_of_mapping(used.address)};
}

// Resident KiB of the stack at `address` once it falls below `below`, or after 10 s.
inline std::size_t resident_once_below(std::uintptr_t address, std::size_t below) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t now = resident_kib_of_mapping(address);
  while (now >= below && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = resident_kib_of_mapping(address);
  }
  return now;
}

}  // namespace mw::test
