#include <middlewared/worker_pool.hpp>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include <middlewared/guard.hpp>

namespace mw {
namespace {

std::atomic<std::int64_t> stack_release_after_ms{1000};

// Gives back this thread's stack pages below the caller's frame. Nothing there is in use: the
// caller only waits for work, and a page given back reads as zeros when it is touched again.
// The page under this frame's stays, for the frames of the madvise call itself.
[[gnu::noinline]] void release_stack_below_caller() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  std::size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  volatile char here = 0;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(low) + page - 1) & ~(page - 1);
  const std::uintptr_t frame = reinterpret_cast<std::uintptr_t>(&here) & ~(page - 1);
  if (frame < begin + 2 * page) return;
  const std::uintptr_t end = frame - page;
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

void WorkerPool::set_stack_release_after(std::chrono::milliseconds idle) {
  stack_release_after_ms.store(idle.count(), std::memory_order_relaxed);
}

WorkerPool::WorkerPool(std::size_t threads, std::string name, std::shared_ptr<spdlog::logger> log)
    : io_(static_cast<int>(threads)), work_(io_.get_executor()), name_(std::move(name)), log_(std::move(log)) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      run_guarded_loop(log_, name_, [this] {
        for (;;) {
          // Nothing to give back until a task ran: wait for one without a timeout.
          if (io_.run_one() == 0) return;  // stopped
          // Then run tasks until one idle period passes without any.
          for (;;) {
            const std::int64_t idle_ms = stack_release_after_ms.load(std::memory_order_relaxed);
            if (idle_ms <= 0) {
              io_.run();
              return;
            }
            if (io_.run_one_for(std::chrono::milliseconds(idle_ms)) == 0) break;
          }
          if (io_.stopped()) return;
          release_stack_below_caller();
        }
      });
    });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::join() {
  work_.reset();
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

}  // namespace mw
