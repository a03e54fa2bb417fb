#pragma once
// A plugin's own SQLite database (one file per plugin under <state>/db/), WAL mode,
// synchronous=FULL, foreign keys on, migrated with PRAGMA user_version.
// Writes are serialised on one connection and each is one transaction; readers use their own
// connection, so a long write never blocks them (WAL).
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <middlewared/embedded.hpp>

namespace SQLite {
class Database;
}

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

class Datastore {
 public:
  // Opens (creating) `path` and applies every migration newer than the file's user_version, each
  // in its own transaction. Throws std::runtime_error naming the failing migration.
  Datastore(std::filesystem::path path, const std::vector<Migration>& migrations);
  ~Datastore();
  Datastore(const Datastore&) = delete;
  Datastore& operator=(const Datastore&) = delete;

  // Runs `fn` inside one transaction on the writer connection; commits when fn returns, rolls
  // back when it throws (and rethrows). Calls are serialised.
  void write(const std::function<void(SQLite::Database&)>& fn);
  // Runs `fn` on the reader connection (serialised among readers, never behind a writer).
  void read(const std::function<void(SQLite::Database&)>& fn);

  int schema_version();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> writer_;
  std::unique_ptr<SQLite::Database> reader_;
  std::mutex write_mutex_;
  std::mutex read_mutex_;
};

}  // namespace mw
