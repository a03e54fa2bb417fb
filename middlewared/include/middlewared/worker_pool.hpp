#pragma once
// A fixed set of threads running posted tasks and completion handlers, like asio's thread_pool,
// but each thread runs under run_guarded_loop (guard.hpp): a task that throws is logged with the
// pool's name and the thread goes on with the next one.
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
