#pragma once
// A shared write waiting for its transaction and its fsync, and the end of those whose caller does
// not wait (write_shared_later): shared by the shared transactions (shared_writes.cpp) and the
// fsync (datastore.cpp).
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <middlewared/datastore.hpp>

namespace mw {

struct Datastore::QueuedWrite {
  QueuedWrite(SharedWrite* w, std::mutex* g) : write(w), guard(g) {}
  SharedWrite* write;
  std::mutex* guard;
  // write_shared_later(): the write, kept until it ended, and whom to tell then. Empty for a caller
  // waiting in write_shared().
  std::shared_ptr<SharedWrite> kept;
  Durable durable;
  // Its caller's own, so that it is woken only when there is something for it to do: lead the
  // next transaction, or return (its write failed, or committed and is on disk). A condition
  // shared by all would wake every caller at every transaction's end and again at every fsync's
  // end, and on a small machine each wake-up costs more CPU than the write's own work.
  std::condition_variable wake;
  bool applied = false;  // its apply() returned inside the transaction
  bool done = false;     // its outcome is set (under sync_mutex_)
  std::exception_ptr error;
  std::uint64_t commit = 0;  // the committed transaction's number, when it committed

  bool later() const { return static_cast<bool>(durable); }
};

// Writes of write_shared_later() whose outcome is known: their callers are told once the store's
// lock is released (what they do then, such as answering a client, must not hold it up), and each
// QueuedWrite goes with it.
class Datastore::LaterWrites {
 public:
  LaterWrites() { ended_.reserve(2 * kMaxSharedWrites); }  // before anything is taken: nothing below throws
  ~LaterWrites() { end(); }
  LaterWrites(const LaterWrites&) = delete;
  LaterWrites& operator=(const LaterWrites&) = delete;

  void add(QueuedWrite& q, std::exception_ptr error) { ended_.emplace_back(&q, std::move(error)); }
  // With the store's lock released.
  void end() noexcept {
    for (auto& [q, error] : ended_) {
      std::unique_ptr<QueuedWrite> owned(q);
      try {
        q->durable(error);
      } catch (...) {  // the caller's to handle; nothing of the store's depends on it
      }
    }
    ended_.clear();
  }
  void end_after(std::unique_lock<std::mutex>& lock) noexcept {
    lock.unlock();
    end();
    lock.lock();
  }

 private:
  std::vector<std::pair<QueuedWrite*, std::exception_ptr>> ended_;
};

}  // namespace mw
