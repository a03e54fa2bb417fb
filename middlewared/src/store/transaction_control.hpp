#pragma once
// What a connection of a Datastore keeps prepared for its transactions, shared by the plain
// writes and reads (datastore.cpp) and the shared writes (shared_writes.cpp).
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <middlewared/datastore.hpp>

namespace mw {

namespace detail {

// One statement of transaction control, prepared once: sqlite3_exec (SQLiteCpp's Transaction)
// parses "BEGIN IMMEDIATE" and "COMMIT" again on every write.
class ControlStatement {
 public:
  ControlStatement(sqlite3* db, const char* sql) : db_(db) {
    if (int rc = sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); rc != SQLITE_OK)
      throw SQLite::Exception(db, rc);
  }
  ~ControlStatement() { sqlite3_finalize(statement_); }
  ControlStatement(const ControlStatement&) = delete;
  ControlStatement& operator=(const ControlStatement&) = delete;

  // Throws what sqlite3_exec would have (SQLite::Exception with the connection's message).
  void run() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(statement_);
      return;
    }
    SQLite::Exception error(db_, rc);  // before the reset, while the message is this step's
    sqlite3_reset(statement_);
    throw error;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

struct StatementCache {
  StatementCache(SQLite::Database& connection, const char* begin_sql)
      : db(&connection),
        begin(connection.getHandle(), begin_sql),
        commit(connection.getHandle(), "COMMIT"),
        rollback(connection.getHandle(), "ROLLBACK"),
        savepoint(connection.getHandle(), "SAVEPOINT shared_write"),
        release(connection.getHandle(), "RELEASE shared_write"),
        rollback_to(connection.getHandle(), "ROLLBACK TO shared_write") {}

  // Inside a transaction: whether SQLite has ended it itself (some errors roll it back whole).
  bool transaction_ended() const { return sqlite3_get_autocommit(db->getHandle()) != 0; }
  // After a failure inside the transaction: ROLLBACK unless SQLite already ended it. A failing
  // ROLLBACK is not reported (as SQLite::Transaction's destructor: the first error is the one).
  void roll_back_quietly() noexcept {
    if (transaction_ended()) return;
    try {
      rollback.run();
    } catch (const std::exception&) {
    }
  }

  SQLite::Database* db;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements;
  std::vector<SQLite::Statement*> used;  // in the write or read under way
  ControlStatement begin, commit, rollback;
  // One write of a shared transaction (Datastore::write_shared).
  ControlStatement savepoint, release, rollback_to;
};

// The cache of the connection whose write or read runs on this thread, if any.
extern thread_local StatementCache* active_statements;

// Makes `cache` the active one for the life of this object (restoring the one before: a write's
// fn may read another store). At the end it resets the statements fn used, so that none left
// half-stepped keeps a read open past the transaction's end.
class ActiveStatements {
 public:
  explicit ActiveStatements(StatementCache* cache) : cache_(cache), previous_(active_statements) {
    active_statements = cache;
  }
  ~ActiveStatements() {
    // Bindings go too: a text bound without a copy (bindNoCopy) must not stay bound to memory its
    // caller is about to free.
    for (auto* st : cache_->used) {
      st->tryReset();
      st->clearBindings();
    }
    cache_->used.clear();
    active_statements = previous_;
  }
  ActiveStatements(const ActiveStatements&) = delete;
  ActiveStatements& operator=(const ActiveStatements&) = delete;

 private:
  StatementCache* cache_;
  StatementCache* previous_;
};

}  // namespace detail

}  // namespace mw
