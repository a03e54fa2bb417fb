// One writer connection (serialised, one transaction per write) and one reader connection; WAL
// lets the reader see the last committed state while a write is under way. The fsync that makes a
// commit durable is done here, outside the writer's lock, and shared (see datastore.hpp).
#include <middlewared/datastore.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "queued_write.hpp"
#include "transaction_control.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace mw {

thread_local detail::StatementCache* detail::active_statements = nullptr;

namespace {

using detail::active_statements;
using detail::ActiveStatements;

// Runs `fn` in one transaction of `cache`'s connection, as SQLite::Transaction would: BEGIN, then
// COMMIT when fn returns; when fn or the COMMIT throws, ROLLBACK (if SQLite has not already ended
// the transaction itself) and rethrow.
template <class Fn>
void in_transaction(detail::StatementCache& cache, Fn&& fn) {
  cache.begin.run();
  try {
    fn();
    cache.commit.run();
  } catch (...) {
    cache.roll_back_quietly();
    throw;
  }
}

constexpr int kBusyTimeoutMs = 5000;

void apply_connection_pragmas(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA synchronous = FULL");
  // What is read is read once (a plugin loads its rows at start-up and then serves them from
  // memory) and writes touch a few pages each, so SQLite's 2 MiB page cache per connection would
  // only hold pages nobody asks for again: rows right after they were written, the audit log's
  // older records (docs/BENCHMARKS.md, "Large answers written in place, and memory after writes").
  db.exec("PRAGMA cache_size = -256");  // KiB
}

// Every Datastore open in this process, for release_every_cache_memory().
std::mutex open_stores_mutex;
std::vector<Datastore*> open_stores;

// Frees `db`'s unused page cache when `m` (the lock its calls are made under) is free now.
void release_if_idle(std::mutex& m, SQLite::Database& db) {
  std::unique_lock lock(m, std::try_to_lock);
  if (lock.owns_lock()) sqlite3_db_release_memory(db.getHandle());
}

std::size_t cache_used(std::mutex& m, SQLite::Database& db) {
  std::lock_guard lock(m);
  int current = 0, highwater = 0;
  sqlite3_db_status(db.getHandle(), SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0);
  return static_cast<std::size_t>(current);
}

// The scope open on this thread, if any.
thread_local DurabilityScope* open_scope = nullptr;

// Makes the directory entries in `dir` durable (the WAL file's own, created with the database).
bool sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

// Each step runs in its own transaction together with the user_version bump, so a crash between
// steps leaves the file at a well-defined earlier version.
void migrate(SQLite::Database& db, const std::filesystem::path& path, const std::vector<Migration>& migrations) {
  int current = user_version(db);
  int newest = 0;
  for (const auto& m : migrations) newest = std::max(newest, m.version);
  if (current > newest)
    throw std::runtime_error(path.string() + " has schema version " + std::to_string(current) +
                             ", newer than this program knows (" + std::to_string(newest) + ")");
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    try {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(m.sql);
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    } catch (const std::exception& e) {
      throw std::runtime_error("migration " + std::to_string(m.version) + "_" + m.name + " of " + path.string() +
                               " failed: " + e.what());
    }
    spdlog::info("datastore {}: applied migration {} ({})", path.string(), m.version, m.name);
    current = m.version;
  }
}

}  // namespace

SQLite::Statement& cached_statement(SQLite::Database& db, const std::string& sql) {
  if (!active_statements || active_statements->db != &db)
    throw std::logic_error("cached_statement outside a Datastore write or read on that connection");
  auto& slot = active_statements->statements[sql];
  if (!slot) {
    slot = std::make_unique<SQLite::Statement>(db, sql);
  } else {
    // Taking it resets it: a caller still stepping through its rows (a helper called per row
    // that takes the same SQL) would silently lose its place, or read the other caller's rows.
    if (slot->hasRow())
      throw std::logic_error("cached_statement: \"" + sql +
                             "\" is taken again while its rows are still being read in this write or read; "
                             "step it to the end or reset() it first, or prepare a statement of its own");
    // tryReset: reset() would rethrow the error of a step that failed earlier (that write rolled back).
    slot->tryReset();
    slot->clearBindings();
  }
  active_statements->used.push_back(slot.get());
  return *slot;
}

Datastore::Datastore(std::filesystem::path path, const std::vector<Migration>& migrations) : path_(std::move(path)) {
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  // Each connection is used by one thread at a time, under write_mutex_ or read_mutex_: SQLite's
  // own per-connection mutex, taken on every call (each column read of a start-up load), is
  // not needed (docs/BENCHMARKS.md, "Start-up, timed finely; and the state of every scale goal").
  writer_ = std::make_unique<SQLite::Database>(
      path_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
  // WAL is persistent in the file; set it before anything else touches the database.
  writer_->exec("PRAGMA journal_mode = WAL");
  apply_connection_pragmas(*writer_);
  migrate(*writer_, path_, migrations);
  reader_ = open_reader();
  // IMMEDIATE takes the write lock up front: a write never fails half-way on a lock upgrade.
  writer_statements_ = std::make_unique<detail::StatementCache>(*writer_, "BEGIN IMMEDIATE");
  // One read transaction: every statement of a read's fn sees the same snapshot.
  reader_statements_ = std::make_unique<detail::StatementCache>(*reader_, "BEGIN");
  // The WAL file exists from the first transaction in WAL mode and stays while the writer is open
  // (SQLite removes it only when the last connection closes). fsync works on a read-only
  // descriptor: it writes back the file, not the descriptor. With NORMAL, SQLite still syncs the
  // WAL before each checkpoint and the database after it, and a reused WAL's header: only the
  // commits themselves are left to sync_through().
  wal_fd_ = ::open((path_.string() + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
  if (wal_fd_ >= 0 && sync_directory(path_.parent_path())) {
    writer_->exec("PRAGMA synchronous = NORMAL");
  } else {
    spdlog::warn("datastore {}: no group commit (WAL file not opened for syncing: {}); every commit syncs itself",
                 path_.string(), std::strerror(errno));
    if (wal_fd_ >= 0) ::close(wal_fd_);
    wal_fd_ = -1;
  }
  // Committed shared writes wait here for their fsync: two transactions' worth at most, unless
  // more than kMaxSharedWrites writers queue at once. Reserved, so that recording a committed
  // write allocates nothing in the usual case.
  shared_unsynced_.reserve(2 * kMaxSharedWrites);
  std::lock_guard lock(open_stores_mutex);
  open_stores.push_back(this);
}

Datastore::~Datastore() {
  {
    std::lock_guard lock(open_stores_mutex);
    std::erase(open_stores, this);
  }
  // Later writes still queued (only while shared writes are held) never ran: nobody is told.
  for (auto* q : shared_queue_)
    if (q->later()) delete q;
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void Datastore::release_cache_memory() {
  release_if_idle(write_mutex_, *writer_);
  release_if_idle(read_mutex_, *reader_);
}

void Datastore::release_every_cache_memory() {
  std::lock_guard lock(open_stores_mutex);
  for (auto* store : open_stores) store->release_cache_memory();
}

std::int64_t Datastore::sqlite_heap_bytes() {
  sqlite3_int64 current = 0, highwater = 0;
  return sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highwater, 0) == SQLITE_OK ? current : 0;
}

std::size_t Datastore::cache_bytes() { return cache_used(write_mutex_, *writer_) + cache_used(read_mutex_, *reader_); }

void Datastore::write(const std::function<void(SQLite::Database&)>& fn) {
  {
    // After a failed fsync nothing is known to be durable: refuse rather than commit what the
    // caller would be told failed.
    std::lock_guard lock(sync_mutex_);
    if (!sync_error_.empty()) throw std::runtime_error(sync_error_);
  }
  std::uint64_t commit = 0;
  {
    std::lock_guard lock(write_mutex_);
    in_transaction(*writer_statements_, [&] {
      ActiveStatements active(writer_statements_.get());
      fn(*writer_);
    });
    commit = ++committed_;
    ++writes_;
  }
  committed_wait(commit);
}

void Datastore::committed_wait(std::uint64_t commit) {
  if (wal_fd_ < 0) {
    std::lock_guard lock(sync_mutex_);
    synced_ = std::max(synced_, commit);  // synchronous=FULL: COMMIT returned after its own fsync
    return;
  }
  if (!DurabilityScope::defer(*this, commit)) sync_through(commit);
}

void Datastore::sync_through(std::uint64_t commit, bool then_leads) {
  LaterWrites later;
  std::unique_lock lock(sync_mutex_);
  while (synced_ < commit && sync_error_.empty()) {
    if (syncing_) {
      sync_done_.wait(lock);  // the fsync under way may not cover `commit`: look again after it
      continue;
    }
    syncing_ = true;
    // Every transaction counted here has written its WAL frames: this fsync covers them all.
    const std::uint64_t covered = committed_.load();
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    const int rc = ::fdatasync(wal_fd_);
    const int error = errno;
    const auto ended = std::chrono::steady_clock::now();
    lock.lock();
    syncing_ = false;
    ++fsyncs_;
    if (then_leads) later_leader_returns_ = true;
    std::size_t answered = 0;
    if (rc == 0) {
      const std::size_t waiting = shared_unsynced_.size();
      synced_through(covered, later);
      answered = waiting - shared_unsynced_.size();
      // Set before the lock is released: the transaction woken below looks at it first.
      // From when the transaction it covers closed, when it is the one closed last (another
      // may have closed while this fsync ran); else from the fsync's start.
      const auto since = last_closed_.commit == covered ? last_closed_.at : started;
      if (answered > 0) expect_writers_back(answered, ended - since, ended);
    } else {
      sync_error_ = "fsync of " + path_.string() + "-wal failed: " + std::strerror(error);
      wake_synced_writes(later);  // every one of them: none will be known to be on disk
    }
    sync_done_.notify_all();
    if (shared_waiting_for_sync_) shared_wake_.notify_one();
    later.end_after(lock);  // the writes of callers that do not wait, told without the lock
    if (answered > 0) writers_told();
  }
  if (synced_ < commit) throw std::runtime_error(sync_error_);
}

Datastore::Durability Datastore::durability() {
  std::lock_guard lock(sync_mutex_);
  return {wal_fd_ >= 0,   committed_.load(),    synced_,        fsyncs_,
          writes_.load(), shared_queue_.size(), regroup_waits_, regroup_limit_};
}

DurabilityScope::DurabilityScope() : active_(open_scope == nullptr) {
  if (active_) open_scope = this;
}

DurabilityScope::~DurabilityScope() {
  try {
    wait();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
  }
  if (active_) open_scope = nullptr;
}

void DurabilityScope::wait() {
  // Stores are few (one per plugin): the last commit recorded for each is the one to wait for.
  while (!pending_.empty()) {
    auto [store, commit] = pending_.back();
    pending_.pop_back();
    store->sync_through(commit);
  }
}

bool DurabilityScope::defer(Datastore& store, std::uint64_t commit) {
  if (open_scope == nullptr) return false;
  for (auto& [s, c] : open_scope->pending_)
    if (s == &store) {
      c = std::max(c, commit);
      return true;
    }
  open_scope->pending_.emplace_back(&store, commit);
  return true;
}

void Datastore::read(const std::function<void(SQLite::Database&)>& fn) {
  std::lock_guard lock(read_mutex_);
  in_transaction(*reader_statements_, [&] {
    ActiveStatements active(reader_statements_.get());
    fn(*reader_);
  });
}

std::unique_ptr<SQLite::Database> Datastore::open_reader() const {
  auto db =
      std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
  apply_connection_pragmas(*db);
  return db;
}

int Datastore::schema_version() {
  std::lock_guard lock(write_mutex_);
  return user_version(*writer_);
}

}  // namespace mw
