// One writer connection (serialised, one transaction per write) and one reader connection; WAL
// lets the reader see the last committed state while a write is under way.
#include <middlewared/datastore.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace mw {
namespace {

constexpr int kBusyTimeoutMs = 5000;

void apply_connection_pragmas(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA synchronous = FULL");
}

int user_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

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

Datastore::Datastore(std::filesystem::path path, const std::vector<Migration>& migrations) : path_(std::move(path)) {
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  writer_ = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                               kBusyTimeoutMs);
  // WAL is persistent in the file; set it before anything else touches the database.
  writer_->exec("PRAGMA journal_mode = WAL");
  apply_connection_pragmas(*writer_);
  migrate(*writer_, path_, migrations);
  reader_ = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READONLY, kBusyTimeoutMs);
  apply_connection_pragmas(*reader_);
}

Datastore::~Datastore() = default;

void Datastore::write(const std::function<void(SQLite::Database&)>& fn) {
  std::lock_guard lock(write_mutex_);
  // IMMEDIATE takes the write lock up front: a write never fails half-way on a lock upgrade.
  SQLite::Transaction tx(*writer_, SQLite::TransactionBehavior::IMMEDIATE);
  fn(*writer_);
  tx.commit();  // the Transaction destructor rolls back when fn threw
}

void Datastore::read(const std::function<void(SQLite::Database&)>& fn) {
  std::lock_guard lock(read_mutex_);
  // One read transaction: every statement of fn sees the same snapshot.
  SQLite::Transaction tx(*reader_, SQLite::TransactionBehavior::DEFERRED);
  fn(*reader_);
  tx.commit();
}

int Datastore::schema_version() {
  std::lock_guard lock(write_mutex_);
  return user_version(*writer_);
}

}  // namespace mw
