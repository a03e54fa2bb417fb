#pragma once
// What the store tests share: a directory of its own for each test, and reading back the names in
// the `people (id, name)` table they write to.
#include <unistd.h>

#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <middlewared/datastore.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mw::test {

// <tmp>/<prefix>_<pid>_<test name>, emptied; the fixture removes it when the test ends.
inline std::filesystem::path fresh_test_dir(std::string_view prefix) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
                                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
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

}  // namespace mw::test
