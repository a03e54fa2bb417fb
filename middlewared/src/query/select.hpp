#pragma once
// The `select` option: projection of one row.
#include <span>

#include <middlewared/json.hpp>

#include "query_options.hpp"

namespace mw::query {

// A new object holding the selected values: dotted selections rebuild their nesting, renamed ones
// land at their top-level target; keys missing from the row are left out.
json::value project_row(const json::value& row, std::span<const SelectSpec> select);
json::value project_row(const RowFields& row, std::span<const SelectSpec> select);

}  // namespace mw::query
