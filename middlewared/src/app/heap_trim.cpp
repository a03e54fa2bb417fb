#include "app/heap_trim.hpp"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

#include <spdlog/spdlog.h>
#include <middlewared/datastore.hpp>
#include <mw/util/thread_stack.hpp>

namespace mw::app {
namespace {

// Resident bytes of this process (/proc/self/statm's second field, in pages); 0 if unreadable.
std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

bool QuietAfterWork::tick(std::uint64_t finished_calls) {
  if (finished_calls != seen_) {
    seen_ = finished_calls;
    worked_ = true;
    return false;
  }
  if (!worked_) return false;
  worked_ = false;
  return true;
}

HeapTrim::HeapTrim(boost::asio::any_io_executor io, std::chrono::milliseconds quiet,
                   std::shared_ptr<spdlog::logger> log)
    : timer_(std::move(io)), quiet_(quiet), log_(std::move(log)) {}

HeapTrim::~HeapTrim() { timer_.cancel(); }

void HeapTrim::start() {
  if (quiet_.count() > 0) arm();
}

void HeapTrim::on_call(const rpc::CallRecord&) noexcept { calls_.fetch_add(1, std::memory_order_relaxed); }

void HeapTrim::arm() {
  timer_.expires_after(quiet_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the daemon is stopping
    if (decide_.tick(calls_.load(std::memory_order_relaxed))) trim();
    arm();
  });
}

void HeapTrim::trim() {
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t before = resident_bytes();
  if (also_release_) also_release_();
  util::release_unused_stack();  // this thread's: a timer's handler runs at the top of its loop
  // SQLite's page caches first: what they free is then given back with the rest.
  Datastore::release_every_cache_memory();
  malloc_trim(0);
  const std::uint64_t after = resident_bytes();
  const std::uint64_t released = before > after ? before - after : 0;
  trims_.fetch_add(1, std::memory_order_relaxed);
  released_.fetch_add(released, std::memory_order_relaxed);
  if (log_)
    log_->debug("heap trimmed: {} KiB given back in {} µs", released / 1024,
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace mw::app
