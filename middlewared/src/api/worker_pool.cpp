#include <middlewared/worker_pool.hpp>

#include <middlewared/guard.hpp>

namespace mw {

WorkerPool::WorkerPool(std::size_t threads, std::string name, std::shared_ptr<spdlog::logger> log)
    : io_(static_cast<int>(threads)), work_(io_.get_executor()), name_(std::move(name)), log_(std::move(log)) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run_guarded_loop(log_, name_, [this] { io_.run(); }); });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::join() {
  work_.reset();
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

}  // namespace mw
