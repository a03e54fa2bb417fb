#pragma once
// Record paths of query-filters: dotted components, `\.` for a literal dot, numeric
// components index lists (negative from the end, as in Python), `*` fans out over a list.
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/json.hpp>
#include <middlewared/query.hpp>

namespace mw::query {

struct PathComponent {
  std::string key;    // the component text, `\.` already unescaped
  bool star = false;  // `*`
  bool has_index = false;
  long long index = 0;  // valid when has_index
};
using Path = std::vector<PathComponent>;

Path parse_path(std::string_view text);

// Called for each value a path reaches; returning true stops the walk.
using PathVisitor = bool (*)(const void* context, const json::value& value);

// Walks `path` from `root` and calls `visit` on each value reached (several through `*`).
// A missing key reaches nothing; a scalar met before the path ends is itself the value; a list
// index out of range reaches null. Returns true when some call of `visit` returned true.
bool any_path_value(const json::value& root, const Path& path, PathVisitor visit, const void* context);

// The one value at `path` with the same rules, `*` counting as missing; nullptr when missing.
const json::value* find_path_value(const json::value& root, const Path& path);

// The same on a row whose top-level values are made on demand (an object: the first component
// is a key, and only that key's value is asked for).
bool any_path_value(const RowFields& root, const Path& path, PathVisitor visit, const void* context);
const json::value* find_path_value(const RowFields& root, const Path& path);

}  // namespace mw::query
