#pragma once
// Gives the heap's free pages back to the system once the daemon has gone quiet after work.
//
// glibc returns only the free memory at the top of a heap by itself. What a burst of calls frees
// in the middle (replaced catalog snapshots, request trees, the start-up load's temporaries) stays
// resident until malloc_trim() hands the wholly free pages back: with 10 000 VMs that is several
// megabytes after the start-up load alone (docs/BENCHMARKS.md, "Memory once quiet, the bench's own
// costs, and every scale goal again").
// SQLite's page caches are emptied first (each store's connections that are not busy): after
// writes they hold the pages those wrote, which the next write reads again cheaply from the
// system's file cache. The main and connection I/O threads give back their unused stack pages
// too (the pool threads do so by themselves once idle: WorkerPool).
// A trim walks every free list, so it is not done per call but once calls have stopped for a
// moment, on the main I/O thread, where nobody waits for it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "rpc/call_observer.hpp"

namespace spdlog {
class logger;
}

namespace mw::app {

// When to trim, told the number of calls finished so far once per quiet period: after work (calls
// finished since the last trim, or the start-up before the first), once a whole period has passed
// without a call finishing.
class QuietAfterWork {
 public:
  bool tick(std::uint64_t finished_calls);

 private:
  std::uint64_t seen_ = 0;
  bool worked_ = true;  // the start-up load is work too
};

class HeapTrim : public rpc::CallObserver {
 public:
  // `quiet` 0 disables trimming.
  HeapTrim(boost::asio::any_io_executor io, std::chrono::milliseconds quiet, std::shared_ptr<spdlog::logger> log);
  ~HeapTrim() override;

  void start();
  void on_call(const rpc::CallRecord& record) noexcept override;
  // More to give back at each trim, run first, on the trimming thread (the main I/O thread): the
  // connection I/O threads' stacks. Set before start(); it is not called once the main I/O thread's
  // loop has stopped.
  void also_release(std::function<void()> release) { also_release_ = std::move(release); }

  std::uint64_t trims() const { return trims_.load(std::memory_order_relaxed); }
  // Resident bytes the trims gave back, measured around each.
  std::uint64_t released_bytes() const { return released_.load(std::memory_order_relaxed); }

 private:
  void arm();
  void trim();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds quiet_;
  std::shared_ptr<spdlog::logger> log_;
  QuietAfterWork decide_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> trims_{0};
  std::atomic<std::uint64_t> released_{0};
  std::function<void()> also_release_;
};

}  // namespace mw::app
