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
#include <atomic>
#include <condition_variable>
#include <cstdint>
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

  // A read-only connection of the caller's own, set up as the reader is, for a start-up load
  // that reads on two threads at once, each on its own connection. Each of its statements is a
  // transaction of its own unless the caller begins one; the caller closes it (destroys it).
  std::unique_ptr<SQLite::Database> open_reader() const;

  int schema_version();
  const std::filesystem::path& path() const { return path_; }

  // Counters of the group commit, for tests and diagnostics.
  struct Durability {
    bool grouped;           // false: synchronous=FULL, every COMMIT syncs itself
    std::uint64_t commits;  // transactions committed by write()
    std::uint64_t synced;   // of those, how many are known to be on disk
    std::uint64_t fsyncs;   // fsyncs of the WAL file done for them
  };
  Durability durability();

 private:
  friend class DurabilityScope;
  // Returns once commit number `commit` is on disk: runs an fsync, or waits for the one under way
  // and then runs the next if that one started before `commit`.
  void sync_through(std::uint64_t commit);

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
  std::string sync_error_;  // sticky: after a failed fsync nothing later is known to be durable
};

}  // namespace mw
