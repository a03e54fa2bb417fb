#pragma once
// A plugin's own SQLite database (one file per plugin under <state>/db/), WAL mode, foreign keys
// on, migrated with PRAGMA user_version.
// Writes are serialised on one connection and each is one transaction; readers use their own
// connection, so a long write never blocks them (WAL).
//
// Group commit: a write commits without waiting for the disk (the writer connection runs with
// synchronous=NORMAL, so COMMIT writes the WAL frames but does not fsync them; the transaction is
// then visible to readers and survives a kill of the process, only not a power loss), and then
// waits until the WAL file has been fsynced past its commit. One fsync runs at a time per
// database, and it covers every transaction committed before it started: writes that commit while
// an fsync is under way share the next one. A write that fails rolls back its own transaction and
// touches no one else's. Where the WAL file cannot be opened for syncing, the writer keeps
// synchronous=FULL and every COMMIT fsyncs by itself, as SQLite does.
//
// Shared transactions: writes made with write_shared() that arrive together share ONE transaction
// (and so one COMMIT and one fsync), each inside a SAVEPOINT of its own, so one that fails rolls
// back only itself. The first caller to find no shared transaction under way runs the queued
// writes and then their fsync; the others sleep until theirs is on disk (no thread is handed the
// work, and each waiting caller is woken once).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/embedded.hpp>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace mw {

// One schema step. `version` is what PRAGMA user_version becomes after it ran.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Turns embedded files named "NNNN_description.sql" into migrations, ordered by NNNN.
// Throws std::runtime_error on a name without a number or a duplicate/missing version.
std::vector<Migration> migrations_from_files(const std::vector<EmbeddedFile>& files);

class Datastore;
namespace detail {
struct StatementCache;  // datastore.cpp
}

// A statement prepared once per connection and kept for the connection's life, for SQL run on
// every call (parsing it again each time costs more than running it). Only inside the `fn` of a
// Datastore::write or read, on the connection that `fn` was given: the same text returns the same
// statement, reset and with its bindings cleared (also after a step of it failed and the write
// rolled back). Elsewhere, or for another connection, throws std::logic_error; so does taking
// it while a row of it is still being read (stepped to a row, neither to the end nor reset).
SQLite::Statement& cached_statement(SQLite::Database& db, const std::string& sql);

// While one is open on a thread, Datastore::write on that thread returns once its transaction has
// committed, without waiting for the fsync; wait() (or the destructor) waits for all of them.
// Whoever answers a caller opens one around the work and waits before answering: locks the work
// takes around its writes are then released before the fsync, so concurrent callers' writes commit
// meanwhile and share the next fsync. A scope opened inside another one on the same thread leaves
// the waiting to the outer one.
class DurabilityScope {
 public:
  DurabilityScope();
  ~DurabilityScope();  // waits like wait(), logging instead of throwing
  DurabilityScope(const DurabilityScope&) = delete;
  DurabilityScope& operator=(const DurabilityScope&) = delete;

  // Returns once every write made in this scope is on disk; throws std::runtime_error when an
  // fsync failed (the writes are then committed but not known to be durable).
  void wait();

 private:
  friend class Datastore;
  // Records (store, commit) with the scope open on this thread; false when there is none.
  static bool defer(Datastore& store, std::uint64_t commit);

  bool active_;
  std::vector<std::pair<Datastore*, std::uint64_t>> pending_;
};

// One write of a transaction that other writes may share (Datastore::write_shared).
class SharedWrite {
 public:
  virtual ~SharedWrite() = default;
  // Runs inside its own SAVEPOINT, after the writes queued before it in the same transaction, so
  // it sees their rows. Throwing rolls back this write alone; its caller gets the exception.
  virtual void apply(SQLite::Database& db) = 0;
  // Called for every write of a shared transaction once the transaction ended, in order, on the
  // thread that ran it (still under the guard and the store's write lock, before any caller is
  // answered): `committed` when its apply() returned and the COMMIT succeeded. What a write
  // changes outside the database (an in-memory view, events) belongs here, so that it shows only
  // what committed. Must not throw.
  virtual void finish(bool committed) noexcept = 0;
  // Called for every write of a shared transaction once finish() was called for all of them, in
  // the same order and under the same locks: work that finish() left for the transaction as a
  // whole (one change of an in-memory view for all of its writes) is done by the first call.
  // Does nothing unless overridden. Must not throw.
  virtual void transaction_finished() noexcept {}
};

class Datastore {
 public:
  // Opens (creating) `path` and applies every migration newer than the file's user_version, each
  // in its own transaction. Throws std::runtime_error naming the failing migration.
  Datastore(std::filesystem::path path, const std::vector<Migration>& migrations);
  ~Datastore();
  Datastore(const Datastore&) = delete;
  Datastore& operator=(const Datastore&) = delete;

  // Runs `fn` inside one transaction on the writer connection; commits when fn returns, rolls
  // back when it throws (and rethrows). Calls are serialised. Returns once the transaction is on
  // disk, or, inside a DurabilityScope, once it has committed (the scope waits for the disk).
  void write(const std::function<void(SQLite::Database&)>& fn);
  // Runs `fn` on the reader connection (serialised among readers, never behind a writer). It sees
  // every committed transaction, also one whose fsync is still under way.
  // For both: `fn` must not keep the connection or a statement beyond its call. The connections
  // are opened without SQLite's own mutex, since these calls are what serialise them.
  void read(const std::function<void(SQLite::Database&)>& fn);

  // As write(), but the transaction may be shared with other write_shared() calls. A caller that
  // finds a shared transaction under way queues its write and waits; the caller that starts one
  // runs every queued write, those arriving meanwhile included (up to kMaxSharedWrites), each in
  // its own SAVEPOINT, then commits them at once. While an fsync of this store is under way (it
  // cannot cover a transaction committed after it started) the transaction stays open to take
  // in the writes arriving meanwhile. Returns once committed and on disk, also inside a
  // DurabilityScope: the caller holds no lock of its own meanwhile (`guard` is taken only around
  // the transaction), and the thread that ran the transaction, awake already, runs the fsync for
  // all of its writers, each woken once. Throws what `w.apply` threw, the COMMIT's error (every
  // write of that transaction then fails, and each is finished uncommitted), or the fsync's.
  // `guard`: a lock of the caller's, taken around each shared transaction before the store's own
  // lock, so that the caller's other writes, made under it, never interleave with one (nullptr:
  // none). Every shared write of a store passes the same one, and none is made with it held.
  void write_shared(SharedWrite& w, std::mutex* guard);
  // As write_shared(), but the caller does not wait for a transaction someone else runs: when one
  // is under way the write is queued and this returns at once; otherwise the caller runs the
  // transaction (and the transactions of whatever queued meanwhile) and its fsync, as
  // write_shared()'s leader does. `durable` is called exactly once, on whichever thread ran the
  // fsync (or found the write failed), with no lock of the store's held: with nullptr once the
  // write is committed and on disk, else with what write_shared() would have thrown. Until then
  // the store keeps `w`. For a caller that answers later instead of waiting (a call answered from
  // another thread): each waiting caller would otherwise sleep and be woken once per write.
  using Durable = std::function<void(std::exception_ptr error)>;
  void write_shared_later(std::shared_ptr<SharedWrite> w, std::mutex* guard, Durable durable);
  // Where write_shared_later() has a transaction run instead of on its caller's thread: `run`
  // runs the task it is given on a thread that may block. For callers that must not wait for a
  // transaction and its fsync (a call answered on the I/O thread that read it). Set before any
  // write_shared_later(); unset, its caller runs the transaction.
  using RunElsewhere = std::function<void(std::function<void()> task)>;
  void lead_later_writes_on(RunElsewhere run) { lead_elsewhere_ = std::move(run); }
  static constexpr std::size_t kMaxSharedWrites = 64;
  // Callers answered together by one fsync tend to write again together (clients that each send
  // their next write once answered). So a shared transaction begun after an fsync that ended m
  // shared writes stays open, before committing, until m writes have queued since that fsync
  // ended (those still queued then count), or until none has come for as long as the transaction
  // that fsync made durable took from closing to being on disk (its COMMIT, its writes' ends, its
  // fsync; never more than kRegroupWaitCap), counted from the moment its writers were told and
  // again from each that came back. A writer that misses the transaction waits for it to be on
  // disk and then for its own: about one such span more, and the writers split into two groups
  // that take turns, each waiting for the other's fsync. Waiting longer than that for it would
  // cost those already in more than it saves. (Bounded by the fsync alone and counted once, the
  // wait was shorter than the writers' way back: docs/BENCHMARKS.md, "The regroup wait as long as
  // a transaction".) A lone writer never waits: its own write is the one expected. `at_least`
  // raises the limit, over the cap too (for tests, whose timing is not their own).
  void regroup_wait_at_least(std::chrono::microseconds at_least);
  static constexpr std::chrono::milliseconds kRegroupWaitCap{5};

  // While the returned object lives, shared writes queue and no shared transaction starts; once
  // it is gone the queued writes run together (up to kMaxSharedWrites to a transaction). For
  // tests that need several writes in one transaction.
  class SharedWritesHeld {
   public:
    ~SharedWritesHeld();
    SharedWritesHeld(const SharedWritesHeld&) = delete;
    SharedWritesHeld& operator=(const SharedWritesHeld&) = delete;

   private:
    friend class Datastore;
    explicit SharedWritesHeld(Datastore& store) : store_(store) {}
    Datastore& store_;
  };
  [[nodiscard]] SharedWritesHeld hold_shared_writes();

  // A read-only connection of the caller's own, set up as the reader is, for a start-up load
  // that reads on two threads at once, each on its own connection. Each of its statements is a
  // transaction of its own unless the caller begins one; the caller closes it (destroys it).
  std::unique_ptr<SQLite::Database> open_reader() const;

  // Frees what SQLite's page caches of this store's connections hold and no statement is using,
  // skipping a connection that is busy (never waiting for it). For a daemon gone quiet: the pages
  // are read again, from the system's file cache, by the next write that needs them.
  void release_cache_memory();
  // release_cache_memory() of every Datastore open in this process.
  static void release_every_cache_memory();
  // Bytes SQLite's page caches of this store's connections hold now (for tests and diagnostics).
  std::size_t cache_bytes();
  // Heap memory SQLite holds in this process, over every connection of every store (its page
  // caches, statements and schemas). Read from SQLite's own counter, without any store's lock,
  // so a long write never holds up whoever asks (GET /metrics).
  static std::int64_t sqlite_heap_bytes();

  int schema_version();
  const std::filesystem::path& path() const { return path_; }

  // Counters of the group commit, for tests and diagnostics.
  struct Durability {
    bool grouped;                 // false: synchronous=FULL, every COMMIT syncs itself
    std::uint64_t commits;        // transactions committed by write() and write_shared()
    std::uint64_t synced;         // of those, how many are known to be on disk
    std::uint64_t fsyncs;         // fsyncs of the WAL file done for them
    std::uint64_t writes;         // writes committed: one per write(), each of a shared transaction's
    std::uint64_t queued;         // shared writes waiting to be taken into a transaction
    std::uint64_t regroup_waits;  // shared transactions that waited for the writers of an fsync to come back
    // How long the next shared transaction waits for each of the writers of the last fsync that
    // ended any (regroup_wait_at_least).
    std::chrono::steady_clock::duration regroup_limit;
  };
  Durability durability();

 private:
  friend class DurabilityScope;
  // Returns once commit number `commit` is on disk: runs an fsync, or waits for the one under way
  // and then runs the next if that one started before `commit`. `then_leads`: the caller runs the
  // next transaction for later writes once it returns (later_leader_returns_).
  void sync_through(std::uint64_t commit, bool then_leads = false);
  // Right after a shared transaction's COMMIT: has the disk start writing the WAL, so that the
  // fsync after the writes' finish() waits for less. A hint; the fsync alone makes it durable.
  void start_wal_writeback();
  // The tail of write() once `commit` committed: waits as write() says.
  void committed_wait(std::uint64_t commit);

  // Shared transactions (shared_writes.cpp).
  struct QueuedWrite;
  // Writes of write_shared_later() whose outcome is known, ended once the lock is released.
  class LaterWrites;
  // The caller `mine` (nullptr: one of write_shared_later(), which waits for none of them), first
  // in line with no transaction under way, runs one (its own write among them, or not, when the
  // queue is longer than one takes) and then the fsync its writers wait for. Called and returns
  // with `lock` (on sync_mutex_) held.
  void lead_shared_transaction(std::unique_lock<std::mutex>& lock, std::mutex* guard, QueuedWrite* mine);
  // Whether the write at the queue's front is one of write_shared_later(), with nobody to run
  // it unless the caller does (under sync_mutex_).
  bool later_write_waits_for_a_leader() const;
  // Runs transactions while later writes wait at the queue's front with nobody to run them.
  // Called and returns with `lock` (on sync_mutex_) held.
  void lead_later_writes(std::unique_lock<std::mutex>& lock, std::mutex* guard);
  // Under sync_mutex_: whether later writes wait at the front with no transaction under way and
  // are to run elsewhere (lead_later_writes_on); if so, no one else hands them on meanwhile.
  bool claim_later_writes();
  // Without sync_mutex_, after claim_later_writes(): has them run elsewhere (or here, when the
  // task cannot be handed over). Posted with the lock released: the thread it wakes takes it first.
  void hand_later_writes_on(std::mutex* guard);
  // The claimed later writes' run, on whichever thread it was handed to.
  void lead_claimed_later_writes(std::mutex* guard);
  // Under sync_mutex_: `q`'s outcome is set; its caller is woken, or its `durable` is to be called.
  void end_write(QueuedWrite& q, LaterWrites& later);
  // Runs one shared transaction of the queued writes; returns those it took (each with its
  // outcome set).
  std::vector<QueuedWrite*> run_shared_transaction(std::mutex* guard);
  // Under sync_mutex_: the first queued caller is to run the next transaction.
  void wake_next_leader();
  // Under sync_mutex_: every transaction up to `covered` is on disk; wakes their shared writers.
  void synced_through(std::uint64_t covered, LaterWrites& later);
  // Under sync_mutex_: wakes the shared writers waiting for the disk whose commit is on it (all of
  // them after a failed fsync).
  void wake_synced_writes(LaterWrites& later);
  // The next queued write for the transaction under way, which holds `taken` writes; nullptr
  // when it should commit. Waits while an fsync is under way and nothing is queued, and while
  // the writers of the last fsync are expected back (regroup_wait_at_least).
  QueuedWrite* next_shared_write(std::size_t taken);
  // Under sync_mutex_: a shared write was queued; wakes the transaction waiting for writes.
  void note_queued_shared_write();
  // Under sync_mutex_: an fsync ended `answered` shared writes, and the transaction it made
  // durable took `took` from closing to then; the next shared transaction waits for as many, until
  // none has come for `took` (regroup_wait_at_least) since `answered_at`.
  void expect_writers_back(std::size_t answered, std::chrono::steady_clock::duration took,
                           std::chrono::steady_clock::time_point answered_at);
  // Under sync_mutex_, once the writers expected back were told: telling them took this
  // thread's time, not theirs, so their way back counts from now.
  void writers_told();
  // Under sync_mutex_: the writers expected back get regroup_limit_ from `t` (when they were told,
  // or when one of them came back).
  void wait_for_writers_from(std::chrono::steady_clock::time_point t);

  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> writer_;
  std::unique_ptr<SQLite::Database> reader_;
  // Declared after the connections, so destroyed before them: SQLite closes no connection that
  // still has statements.
  std::unique_ptr<detail::StatementCache> writer_statements_;
  std::unique_ptr<detail::StatementCache> reader_statements_;
  std::mutex write_mutex_;
  std::mutex read_mutex_;

  int wal_fd_ = -1;                          // the WAL file, opened read-only for fsync; -1: not grouped
  std::atomic<std::uint64_t> committed_{0};  // written under write_mutex_, after COMMIT returned
  std::mutex sync_mutex_;                    // guards what follows
  std::condition_variable sync_done_;
  std::uint64_t synced_ = 0;
  std::uint64_t fsyncs_ = 0;
  bool syncing_ = false;
  std::string sync_error_;                // sticky: after a failed fsync nothing later is known to be durable
  std::atomic<std::uint64_t> writes_{0};  // written under write_mutex_
  // Shared writes, under sync_mutex_ too.
  std::deque<QueuedWrite*> shared_queue_;
  bool shared_running_ = false;           // a shared transaction is under way
  bool shared_held_ = false;              // hold_shared_writes()
  bool shared_waiting_for_sync_ = false;  // the one under way waits for an fsync's end or a write
  bool shared_lead_posted_ = false;       // a transaction for later writes is to run elsewhere
  // The thread whose fsync just ended later writes is telling their callers, and then runs the
  // next transaction for later writes itself: those queued meanwhile wait for it, not for a
  // worker woken to run them.
  bool later_leader_returns_ = false;
  RunElsewhere lead_elsewhere_;
  std::vector<QueuedWrite*> shared_unsynced_;  // committed shared writes whose callers wait for the disk
  // The writers of the last fsync, expected back (next_shared_write).
  std::size_t regroup_expected_ = 0;  // shared writes that fsync ended
  std::size_t regroup_arrived_ = 0;   // shared writes queued since
  std::chrono::steady_clock::time_point regroup_until_{};
  std::chrono::steady_clock::duration regroup_limit_{};
  std::chrono::steady_clock::duration regroup_at_least_{};
  std::uint64_t regroup_waits_ = 0;
  // The last shared transaction to stop taking writes: the commit it was to be, and when.
  struct Closed {
    std::uint64_t commit = 0;
    std::chrono::steady_clock::time_point at{};
  };
  Closed last_closed_;
  std::condition_variable shared_wake_;  // for the one waiting: a write queued, an fsync ended
};

}  // namespace mw
