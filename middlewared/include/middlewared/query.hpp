#pragma once
// TrueNAS query-filters and query-options, for every *.query method.
// Implemented in middlewared/src/query/.
#include <span>

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

}  // namespace mw::query
