// Datastore::write_shared: writes that arrive together share one transaction, one COMMIT and one
// fsync. No thread is handed the work: the caller that finds no shared transaction under way runs
// one for everything queued (its own write among them, or not, when the queue is longer than a
// transaction takes), the others wait for theirs to be done.
#include <middlewared/datastore.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <exception>
#include <stdexcept>
#include <utility>

#include "transaction_control.hpp"

namespace mw {

struct Datastore::QueuedWrite {
  SharedWrite* write;
  bool applied = false;  // its apply() returned inside the transaction
  bool done = false;     // its outcome is set (under sync_mutex_)
  std::exception_ptr error;
  std::uint64_t commit = 0;  // the committed transaction's number, when it committed
};

void Datastore::write_shared(SharedWrite& w, std::mutex* guard) {
  QueuedWrite mine{&w};
  {
    std::unique_lock lock(sync_mutex_);
    shared_queue_.push_back(&mine);
    if (shared_waiting_for_sync_) shared_wake_.notify_one();
    while (!mine.done) {
      if (shared_running_ || shared_held_) {
        shared_done_.wait(lock);
        continue;
      }
      shared_running_ = true;
      lock.unlock();
      std::vector<QueuedWrite*> ran;
      try {
        ran = run_shared_transaction(guard);
      } catch (...) {
        // Only before it took any write (reserving room for them): let another caller run one.
        lock.lock();
        shared_running_ = false;
        shared_done_.notify_all();
        throw;
      }
      lock.lock();
      for (auto* q : ran) q->done = true;
      shared_running_ = false;
      shared_done_.notify_all();
    }
  }
  if (mine.error) std::rethrow_exception(mine.error);
  committed_wait(mine.commit);
}

std::vector<Datastore::QueuedWrite*> Datastore::run_shared_transaction(std::mutex* guard) {
  std::unique_lock<std::mutex> guarded;
  if (guard) guarded = std::unique_lock(*guard);
  std::lock_guard lock(write_mutex_);
  auto& cache = *writer_statements_;
  std::vector<QueuedWrite*> taken;
  taken.reserve(kMaxSharedWrites);  // nothing below throws once writes are taken
  // The transaction's own failure (BEGIN, COMMIT, or SQLite ending it): every write of it fails.
  std::exception_ptr failure;
  try {
    cache.begin.run();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // Nothing can run: the writes queued now fail with the reason (none waits for a later try
    // that would fail the same way).
    std::lock_guard sync(sync_mutex_);
    while (!shared_queue_.empty() && taken.size() < kMaxSharedWrites) {
      taken.push_back(shared_queue_.front());
      shared_queue_.pop_front();
    }
  }
  // No write of the transaction applied yet: the next one needs no SAVEPOINT (nor the sub-journal
  // SQLite keeps of the pages changed under one). When it fails, the transaction holds nothing
  // else: it is rolled back whole and begun again for the writes after it.
  bool nothing_applied = true;
  while (!failure) {
    QueuedWrite* q = next_shared_write(taken.size());
    if (!q) break;
    taken.push_back(q);
    const bool alone = nothing_applied;
    if (!alone) {
      try {
        cache.savepoint.run();
      } catch (...) {
        failure = q->error = std::current_exception();
        break;
      }
    }
    try {
      {
        detail::ActiveStatements active(&cache);  // its statements reset before the RELEASE
        q->write->apply(*writer_);
      }
      if (!alone) cache.release.run();
      q->applied = true;
      nothing_applied = false;
    } catch (...) {
      q->error = std::current_exception();
      // Some errors (a full disk, an I/O error) make SQLite roll back the whole transaction: the
      // writes before this one are gone too.
      if (!alone && cache.transaction_ended()) {
        failure = q->error;
        break;
      }
      try {
        if (alone) {
          cache.roll_back_quietly();
          cache.begin.run();
        } else {
          cache.rollback_to.run();  // this write alone
          cache.release.run();
        }
      } catch (...) {
        failure = std::current_exception();  // it cannot be undone alone: none of them commits
        break;
      }
    }
  }
  if (!failure) {
    // After a failed fsync nothing is known to be durable: refuse rather than commit what the
    // callers would be told failed (as write(); a write that failed by itself keeps its own error,
    // as a create's validation error came before the refusal).
    std::lock_guard sync(sync_mutex_);
    if (!sync_error_.empty()) failure = std::make_exception_ptr(std::runtime_error(sync_error_));
  }
  if (!failure) {
    try {
      cache.commit.run();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) cache.roll_back_quietly();
  std::uint64_t commit = 0;
  std::size_t committed_writes = 0;
  if (!failure) {
    commit = ++committed_;
    for (auto* q : taken) committed_writes += q->applied ? 1 : 0;
    writes_ += committed_writes;
  }
  for (auto* q : taken) {
    const bool committed = !failure && q->applied;
    if (committed) q->commit = commit;
    if (failure && !q->error) q->error = failure;
    q->write->finish(committed);
  }
  return taken;
}

Datastore::QueuedWrite* Datastore::next_shared_write(std::size_t taken) {
  if (taken >= kMaxSharedWrites) return nullptr;
  std::unique_lock lock(sync_mutex_);
  // An fsync under way cannot cover this transaction: until it ends, committing would only make
  // the next fsync's group smaller. Writes that arrive meanwhile join this transaction instead.
  while (shared_queue_.empty() && syncing_ && taken > 0) {
    shared_waiting_for_sync_ = true;
    shared_wake_.wait(lock);
    shared_waiting_for_sync_ = false;
  }
  if (shared_queue_.empty()) return nullptr;
  QueuedWrite* q = shared_queue_.front();
  shared_queue_.pop_front();
  return q;
}

Datastore::SharedWritesHeld Datastore::hold_shared_writes() {
  std::lock_guard lock(sync_mutex_);
  if (shared_held_) throw std::logic_error("hold_shared_writes: already held");
  shared_held_ = true;
  return SharedWritesHeld(*this);
}

Datastore::SharedWritesHeld::~SharedWritesHeld() {
  std::lock_guard lock(store_.sync_mutex_);
  store_.shared_held_ = false;
  store_.shared_done_.notify_all();
}

}  // namespace mw
