#pragma once
// A fixed set of threads running posted tasks and completion handlers, like asio's thread_pool,
// but each thread runs under run_guarded_loop (guard.hpp): a task that throws is logged with the
// pool's name and the thread goes on with the next one.
//
// A thread that ran tasks and then waited a whole idle period for the next one gives back the
// pages of its stack below the frame it waits in. A task grows the stack of the thread it runs on
// (SQLite and schema validation go deep), nothing shrinks a thread's stack by itself, and a pool
// of eight threads that all served a burst of writes otherwise keeps well over 100 KiB of stack
// pages resident for good (docs/BENCHMARKS.md, "Shared writes woken once, caches and stacks given
// back when quiet").
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace spdlog {
class logger;
}

namespace mw {

class WorkerPool {
 public:
  using executor_type = boost::asio::io_context::executor_type;

  // `name` says in the log what ran on the pool ("worker pool", "job pool", ...).
  WorkerPool(std::size_t threads, std::string name, std::shared_ptr<spdlog::logger> log = nullptr);
  ~WorkerPool();  // join()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  executor_type get_executor() noexcept { return io_.get_executor(); }
  // The idle period after which a thread gives back its unused stack (process-wide, for every
  // pool; each thread reads it as it waits). 0: never. Default 1 s.
  static void set_stack_release_after(std::chrono::milliseconds idle);
  // Lets the threads finish what is queued and waits for them; later tasks are not run.
  void join();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<executor_type> work_;
  std::string name_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::thread> threads_;
};

}  // namespace mw
