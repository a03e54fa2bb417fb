#pragma once
// The `order_by` option: one stable multi-key sort.
#include <cstddef>
#include <span>
#include <vector>

#include <middlewared/json.hpp>

#include "query_options.hpp"

namespace mw::query {

// The order in which to return `rows`, as indexes into it. Throws CallError(EINVAL) when two sort
// values cannot be ordered (null against a number without a nulls_ prefix).
std::vector<std::size_t> order_rows(std::span<const json::value* const> rows, std::span<const OrderKey> keys);
std::vector<std::size_t> order_rows(std::span<const RowFields* const> rows, std::span<const OrderKey> keys);

}  // namespace mw::query
