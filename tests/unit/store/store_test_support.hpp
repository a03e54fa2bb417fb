#pragma once
// What the store tests share: a directory of its own for each test, a store of one table,
// `people (id, name)`, reading back the names written to it, a shared write that adds one, and
// waiting for shared writes to queue.
#include <unistd.h>

#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <middlewared/datastore.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mw::test {

// <tmp>/<prefix>_<pid>_<test name>, emptied; the fixture removes it when the test ends.
inline std::filesystem::path fresh_test_dir(std::string_view prefix) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
                                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

// A store at `path` whose one table is `people (id, name)`, names unique.
inline std::unique_ptr<Datastore> open_people_store(const std::filesystem::path& path) {
  return std::make_unique<Datastore>(
      path, std::vector<Migration>{{1, "people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"}});
}

// The names in `people`, in id order, read through the store's reader.
inline std::vector<std::string> people_names(Datastore& store) {
  std::vector<std::string> names;
  store.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT name FROM people ORDER BY id");
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  });
  return names;
}

// A shared write that inserts one name into `people`, and what its transaction's end said.
class InsertPerson final : public SharedWrite {
 public:
  explicit InsertPerson(std::string name) : name_(std::move(name)) {}
  void apply(SQLite::Database& db) override { db.exec("INSERT INTO people (name) VALUES ('" + name_ + "')"); }
  void finish(bool committed) noexcept override { finished = committed; }

  std::optional<bool> finished;

 private:
  std::string name_;
};

// Waits (up to 30 s) until `n` shared writes are queued, as they are while shared writes are held.
inline void wait_until_queued(Datastore& store, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (store.durability().queued < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(store.durability().queued, n);
}

}  // namespace mw::test
