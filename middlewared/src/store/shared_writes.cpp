// Datastore::write_shared: writes that arrive together share one transaction, one COMMIT and one
// fsync. No thread is handed the work: the caller that finds no shared transaction under way runs
// one for everything queued (its own write among them, or not, when the queue is longer than a
// transaction takes) and then the fsync that makes it durable; the others sleep until theirs is
// on disk or has failed, each woken once.
#include <middlewared/datastore.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <stdexcept>
#include <utility>

#include "transaction_control.hpp"

namespace mw {

struct Datastore::QueuedWrite {
  SharedWrite* write;
  // Its caller's own, so that it is woken only when there is something for it to do: lead the
  // next transaction, or return (its write failed, or committed and is on disk). A condition
  // shared by all would wake every caller at every transaction's end and again at every fsync's
  // end, and on a small machine each wake-up costs more CPU than the write's own work.
  std::condition_variable wake;
  bool applied = false;  // its apply() returned inside the transaction
  bool done = false;     // its outcome is set (under sync_mutex_)
  std::exception_ptr error;
  std::uint64_t commit = 0;  // the committed transaction's number, when it committed
};

void Datastore::write_shared(SharedWrite& w, std::mutex* guard) {
  QueuedWrite mine{&w};
  std::unique_lock lock(sync_mutex_);
  shared_queue_.push_back(&mine);
  if (shared_waiting_for_sync_) shared_wake_.notify_one();
  while (!mine.done) {
    if (shared_running_ || shared_held_) {
      mine.wake.wait(lock);
      continue;
    }
    lead_shared_transaction(lock, guard, mine);
  }
  // Woken once it is on disk (sync_through wakes the writes its fsync covered); a spurious wake
  // finds it still waiting.
  while (!mine.error && synced_ < mine.commit && sync_error_.empty()) mine.wake.wait(lock);
  if (mine.error) std::rethrow_exception(mine.error);
  if (synced_ < mine.commit) throw std::runtime_error(sync_error_);
}

void Datastore::lead_shared_transaction(std::unique_lock<std::mutex>& lock, std::mutex* guard, QueuedWrite& mine) {
  shared_running_ = true;
  lock.unlock();
  std::vector<QueuedWrite*> ran;
  try {
    ran = run_shared_transaction(guard);
  } catch (...) {
    // Only before it took any write (reserving room for them): its own write leaves the queue,
    // and the next queued caller may run one.
    lock.lock();
    std::erase(shared_queue_, &mine);
    shared_running_ = false;
    wake_next_leader();
    throw;
  }
  lock.lock();
  shared_running_ = false;
  wake_next_leader();
  std::uint64_t to_sync = 0;  // the transaction's commit, when a write of it committed
  for (auto* q : ran) {
    q->done = true;
    if (q->error || q->commit == 0) {
      if (q != &mine) q->wake.notify_one();  // failed: its caller answers now
      continue;
    }
    to_sync = q->commit;
    if (q != &mine) shared_unsynced_.push_back(q);
  }
  if (to_sync == 0) return;
  // An fsync that ran since the COMMIT may have covered it already (or failed): those wake now.
  wake_synced_writes();
  if (wal_fd_ < 0) {
    synced_through(to_sync);  // synchronous=FULL: COMMIT returned after its own fsync
    return;
  }
  // Its writers sleep until the disk has it: this thread, awake already, runs the fsync for them.
  lock.unlock();
  try {
    sync_through(to_sync);
  } catch (const std::exception&) {
    // sync_through woke every waiting writer with the failure; this caller finds it below.
  }
  lock.lock();
}

void Datastore::synced_through(std::uint64_t covered) {
  synced_ = std::max(synced_, covered);
  wake_synced_writes();
}

void Datastore::wake_synced_writes() {
  std::erase_if(shared_unsynced_, [&](QueuedWrite* q) {
    if (q->commit > synced_ && sync_error_.empty()) return false;
    q->wake.notify_one();
    return true;
  });
}

void Datastore::wake_next_leader() {
  if (!shared_queue_.empty() && !shared_held_) shared_queue_.front()->wake.notify_one();
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
  if (!store_.shared_running_) store_.wake_next_leader();
}

}  // namespace mw
