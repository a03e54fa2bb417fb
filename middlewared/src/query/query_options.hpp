#pragma once
// query-options, checked as strictly as TrueNAS's QueryOptions model; keys the
// caller left out take their defaults.
#include <cstdint>
#include <string>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>

#include "filter_path.hpp"

namespace mw::query {

struct OrderKey {
  enum class Nulls { Compare, First, Last };
  Path path;             // where the sort value is looked up
  std::string null_key;  // nulls_first/last look this whole string up as a top-level key
  Nulls nulls = Nulls::Compare;
  bool descending = false;
};

struct SelectSpec {
  std::vector<std::string> source;  // object keys walked in the row
  std::vector<std::string> target;  // where the value goes: the same keys, or one renamed key
};

struct QueryOptions {
  std::vector<OrderKey> order_by;
  std::vector<SelectSpec> select;
  bool count = false;
  bool get = false;
  std::uint64_t offset = 0;
  std::uint64_t limit = 0;  // 0 = unlimited
};

inline constexpr std::uint64_t kMaxLimit = 10000;

// Adds every problem to `errors` (attributes "options.<key>").
QueryOptions parse_query_options(const json::object& options, ValidationErrors& errors);

}  // namespace mw::query
