#include <middlewared/worker_pool.hpp>

#include <atomic>
#include <cstdint>

#include <middlewared/guard.hpp>
#include <mw/util/thread_stack.hpp>

namespace mw {
namespace {

std::atomic<std::int64_t> stack_release_after_ms{1000};

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
          util::release_unused_stack();
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
