#pragma once
// The threads that do the connections' I/O: one event loop per thread, each thread the only one
// to run its loop, and every accepted connection given to the next loop in turn. A connection's
// reads, its run-to-completion calls and its writes all happen on its loop's thread
// (docs/THREADS.md).
#include <atomic>
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

namespace mw::server {

class IoThreads {
 public:
  // `count` 0 means one per core. Threads are named "mw-io-<n>".
  IoThreads(std::size_t count, std::shared_ptr<spdlog::logger> log);
  ~IoThreads();  // stop()
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  // The loop the next connection goes to (round robin). Thread-safe.
  boost::asio::io_context& next();
  std::size_t size() const { return loops_.size(); }
  // Has each loop's thread give back its unused stack pages (util::release_unused_stack) between
  // two of its handlers. Thread-safe; for a daemon gone quiet.
  void release_unused_stacks();
  // Stops every loop (pending operations are abandoned) and joins the threads.
  void stop();

 private:
  struct Loop {
    boost::asio::io_context io{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace mw::server
