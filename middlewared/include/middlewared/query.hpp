#pragma once
// TrueNAS query-filters and query-options, for every *.query method.
// Implemented in middlewared/src/query/.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::query {

// Applies `filters` and `options` to `rows` and returns what the options ask for: a list, one
// object (`get`), or an int (`count`).
// Throws ValidationErrors (attribute "filters" / "options.<key>") for malformed filters or
// options, CallError(EINVAL) for errors the engine meets while filtering (incompatible
// comparisons, max recursion depth), MatchNotFound for `get` without a match.
json::value filter_list(std::span<const json::value* const> rows, const json::array& filters,
                        const json::object& options);
json::value filter_list(const json::array& rows, const json::array& filters, const json::object& options);

// A row that is an object whose top-level values are made on demand: a store that keeps typed
// rows lets the engine read only the fields that filters, order_by and select name, instead of
// building every row as a JSON tree. The engine treats it exactly as the object it stands for.
class RowFields {
 public:
  virtual ~RowFields() = default;
  // The value of the top-level key `key`, nullptr when the object has no such key. The value must
  // stay valid as long as this row object does (the engine keeps pointers while it sorts).
  virtual const json::value* field(std::string_view key) const = 0;
};

// What filter_list would answer, as positions in `rows` instead of copies.
struct Selection {
  std::optional<std::int64_t> count;   // `count` was asked: the answer, and `rows` is empty
  bool get = false;                    // `get` was asked: `rows` holds the one row to answer
  std::vector<std::size_t> rows;       // indexes into the input, in answer order
  std::vector<json::value> projected;  // with `select`: the answer's rows, parallel to `rows`
};

// The same checks, errors and order as filter_list (same exceptions, MatchNotFound included).
Selection select_rows(std::span<const RowFields* const> rows, const json::array& filters, const json::object& options);

}  // namespace mw::query
