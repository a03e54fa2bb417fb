// Datastore::write_shared: writes that arrive together share one transaction, one COMMIT and one
// fsync. No thread is handed the work: the caller that finds no shared transaction under way runs
// one for everything queued (its own write among them, or not, when the queue is longer than a
// transaction takes) and then the fsync that makes it durable; the others sleep until theirs is
// on disk or has failed, each woken once. A write of write_shared_later() has no caller waiting:
// whoever ran its fsync tells it.
#include <middlewared/datastore.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "queued_write.hpp"
#include "transaction_control.hpp"

namespace mw {

void Datastore::write_shared(SharedWrite& w, std::mutex* guard) {
  QueuedWrite mine{&w, guard};
  std::unique_lock lock(sync_mutex_);
  shared_queue_.push_back(&mine);
  note_queued_shared_write();
  while (!mine.done) {
    if (shared_running_ || shared_held_) {
      mine.wake.wait(lock);
      continue;
    }
    lead_shared_transaction(lock, guard, &mine);
  }
  // Later writes that queued behind it after its transaction took its last have nobody else.
  lead_later_writes(lock, guard);
  // Woken once it is on disk (sync_through wakes the writes its fsync covered); a spurious wake
  // finds it still waiting.
  while (!mine.error && synced_ < mine.commit && sync_error_.empty()) mine.wake.wait(lock);
  if (mine.error) std::rethrow_exception(mine.error);
  if (synced_ < mine.commit) throw std::runtime_error(sync_error_);
}

void Datastore::write_shared_later(std::shared_ptr<SharedWrite> w, std::mutex* guard, Durable durable) {
  auto q = std::make_unique<QueuedWrite>(w.get(), guard);
  q->kept = std::move(w);
  q->durable = std::move(durable);
  std::unique_lock lock(sync_mutex_);
  shared_queue_.push_back(q.release());
  note_queued_shared_write();
  // Nobody waits for a later write: with no transaction under way, this caller runs it (or has it
  // run elsewhere), and then whatever later writes queued meanwhile with nobody to run them.
  if (!lead_elsewhere_) return lead_later_writes(lock, guard);
  if (!claim_later_writes()) return;
  lock.unlock();  // the thread it wakes takes this lock first
  hand_later_writes_on(guard);
}

bool Datastore::claim_later_writes() {
  if (!lead_elsewhere_ || shared_running_ || shared_held_ || shared_lead_posted_ || later_leader_returns_ ||
      !later_write_waits_for_a_leader())
    return false;
  shared_lead_posted_ = true;
  return true;
}

void Datastore::hand_later_writes_on(std::mutex* guard) {
  try {
    lead_elsewhere_([this, guard] { lead_claimed_later_writes(guard); });
  } catch (...) {
    lead_claimed_later_writes(guard);  // not handed over (no memory for the task): run them here
  }
}

void Datastore::lead_claimed_later_writes(std::mutex* guard) {
  std::unique_lock lock(sync_mutex_);
  shared_lead_posted_ = false;
  lead_later_writes(lock, guard);
}

void Datastore::lead_later_writes(std::unique_lock<std::mutex>& lock, std::mutex* guard) {
  while (!shared_running_ && !shared_held_ && !shared_lead_posted_ && later_write_waits_for_a_leader())
    lead_shared_transaction(lock, guard, nullptr);
}

bool Datastore::later_write_waits_for_a_leader() const {
  return !shared_queue_.empty() && shared_queue_.front()->later();
}

void Datastore::end_write(QueuedWrite& q, LaterWrites& later) {
  if (!q.later()) {
    q.wake.notify_one();
    return;
  }
  std::exception_ptr error = q.error;
  if (!error && synced_ < q.commit) error = std::make_exception_ptr(std::runtime_error(sync_error_));
  later.add(q, std::move(error));
}

void Datastore::lead_shared_transaction(std::unique_lock<std::mutex>& lock, std::mutex* guard, QueuedWrite* mine) {
  LaterWrites later;
  shared_running_ = true;
  lock.unlock();
  std::vector<QueuedWrite*> ran;
  try {
    ran = run_shared_transaction(guard);
  } catch (...) {
    // Only before it took any write (reserving room for them). A caller of write_shared() gets
    // the error, its own write leaves the queue, and the next queued caller may run one. Later
    // writes have nobody to throw to, and nobody else to run them: the queued ones fail with it.
    lock.lock();
    shared_running_ = false;
    if (mine) {
      std::erase(shared_queue_, mine);
      wake_next_leader();
      throw;
    }
    const auto error = std::current_exception();
    std::erase_if(shared_queue_, [&](QueuedWrite* q) {
      if (!q->later()) return false;
      q->done = true;
      q->error = error;
      end_write(*q, later);
      return true;
    });
    wake_next_leader();
    later.end_after(lock);
    return;
  }
  lock.lock();
  shared_running_ = false;
  wake_next_leader();
  // Later writes queued behind those it took run elsewhere, beside this transaction's fsync.
  const bool hand_on = claim_later_writes();
  std::uint64_t to_sync = 0;  // the transaction's commit, when a write of it committed
  for (auto* q : ran) {
    q->done = true;
    if (q->error || q->commit == 0) {
      if (q != mine) end_write(*q, later);  // failed: its caller answers now
      continue;
    }
    to_sync = q->commit;
    if (q != mine) shared_unsynced_.push_back(q);
  }
  if (to_sync != 0) {
    // An fsync that ran since the COMMIT may have covered it already (or failed): those end now.
    wake_synced_writes(later);
    if (wal_fd_ < 0) synced_through(to_sync, later);  // synchronous=FULL: COMMIT synced itself
  }
  lock.unlock();
  if (hand_on) hand_later_writes_on(guard);
  later.end();
  if (to_sync == 0 || wal_fd_ < 0) {
    lock.lock();
    return;
  }
  // Its writers wait until the disk has it: this thread, awake already, runs the fsync for them.
  // Leading later writes, this thread goes on to the next transaction for them (lead_later_writes)
  // once their callers were told: the writes those callers queue meanwhile wait for it. Handing
  // them to a worker would wake a thread to do what this one, awake already, is about to do
  // (docs/BENCHMARKS.md, "The leader that told a group leads its next transaction").
  try {
    sync_through(to_sync, mine == nullptr);
  } catch (const std::exception&) {
    // sync_through ended every waiting writer with the failure; this caller finds it below.
  }
  lock.lock();
  later_leader_returns_ = false;
}

void Datastore::synced_through(std::uint64_t covered, LaterWrites& later) {
  synced_ = std::max(synced_, covered);
  wake_synced_writes(later);
}

void Datastore::wake_synced_writes(LaterWrites& later) {
  std::erase_if(shared_unsynced_, [&](QueuedWrite* q) {
    if (q->commit > synced_ && sync_error_.empty()) return false;
    end_write(*q, later);
    return true;
  });
}

void Datastore::wake_next_leader() {
  if (!shared_queue_.empty() && !shared_held_ && !shared_queue_.front()->later())
    shared_queue_.front()->wake.notify_one();
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
    if (!sync_error_.empty()) {
      failure = std::make_exception_ptr(std::runtime_error(sync_error_));
    } else {
      // It takes no more writes. Were its COMMIT to fail, the next transaction would take this number.
      last_closed_ = {committed_ + 1, std::chrono::steady_clock::now()};
    }
  }
  if (!failure) {
    try {
      cache.commit.run();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (!failure) start_wal_writeback();
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
  for (auto* q : taken) q->write->transaction_finished();
  return taken;
}

// The disk starts writing the WAL frames just committed while this thread finishes the writes
// (their finish() and transaction_finished(): the plugin's view, events) and wakes their callers;
// the fsync that follows then waits only for what is left (docs/BENCHMARKS.md, "The WAL written
// while a transaction ends"). A hint: durability is the fsync's. Without a wait flag this call
// does not look at the file's write-back errors, so a failed write is still the fsync's to report.
void Datastore::start_wal_writeback() {
  if (wal_fd_ >= 0) ::sync_file_range(wal_fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
}

void Datastore::note_queued_shared_write() {
  // One of the writers expected back came: the others get as long again.
  if (++regroup_arrived_ < regroup_expected_) wait_for_writers_from(std::chrono::steady_clock::now());
  if (shared_waiting_for_sync_) shared_wake_.notify_one();
}

void Datastore::wait_for_writers_from(std::chrono::steady_clock::time_point t) {
  regroup_until_ = std::max(regroup_until_, t + regroup_limit_);
}

void Datastore::expect_writers_back(std::size_t answered, std::chrono::steady_clock::duration took,
                                    std::chrono::steady_clock::time_point answered_at) {
  regroup_expected_ = answered;
  regroup_arrived_ = shared_queue_.size();  // queued meanwhile: the next transaction takes them too
  // A slow disk (seconds per fsync when it is failing or swamped) must not hold the callers' lock
  // as long: how soon writers come back depends on them, not on the disk.
  regroup_limit_ = std::max(std::min<std::chrono::steady_clock::duration>(took, kRegroupWaitCap), regroup_at_least_);
  regroup_until_ = answered_at + regroup_limit_;
}

void Datastore::writers_told() { wait_for_writers_from(std::chrono::steady_clock::now()); }

void Datastore::regroup_wait_at_least(std::chrono::microseconds at_least) {
  std::lock_guard lock(sync_mutex_);
  regroup_at_least_ = at_least;
}

Datastore::QueuedWrite* Datastore::next_shared_write(std::size_t taken) {
  if (taken >= kMaxSharedWrites) return nullptr;
  std::unique_lock lock(sync_mutex_);
  bool regrouping = false;
  while (shared_queue_.empty() && taken > 0) {
    if (syncing_) {
      // An fsync under way cannot cover this transaction: until it ends, committing would only
      // make the next fsync's group smaller. Writes that arrive meanwhile join this transaction.
      shared_waiting_for_sync_ = true;
      shared_wake_.wait(lock);
      shared_waiting_for_sync_ = false;
      continue;
    }
    // The writers the last fsync told are coming back (regroup_wait_at_least).
    if (regroup_arrived_ >= regroup_expected_ || std::chrono::steady_clock::now() >= regroup_until_) break;
    if (!regrouping) ++regroup_waits_;
    regrouping = true;
    shared_waiting_for_sync_ = true;
    const auto until = regroup_until_;  // may move later while this waits: looked at again then
    shared_wake_.wait_until(lock, until);
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
  std::unique_lock lock(store_.sync_mutex_);
  store_.shared_held_ = false;
  if (store_.shared_running_) return;
  store_.wake_next_leader();
  // Later writes at the front have no caller waiting to run them: this thread does.
  try {
    if (store_.later_write_waits_for_a_leader()) store_.lead_later_writes(lock, store_.shared_queue_.front()->guard);
  } catch (...) {  // only LaterWrites' reservation, before anything was taken
  }
}

}  // namespace mw
