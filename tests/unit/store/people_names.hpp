#pragma once
// The store tests write people into a `people (id, name)` table; this reads their names back, in
// id order, through the store's reader.
#include <SQLiteCpp/SQLiteCpp.h>

#include <middlewared/datastore.hpp>
#include <string>
#include <vector>

namespace mw::test {

inline std::vector<std::string> people_names(Datastore& store) {
  std::vector<std::string> names;
  store.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT name FROM people ORDER BY id");
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  });
  return names;
}

}  // namespace mw::test
