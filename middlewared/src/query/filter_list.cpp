// filter_list: the pipeline filter -> select -> count -> order_by -> offset -> limit -> get
// Rows are handled as pointers; only the rows returned are copied.
#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

#include <limits>
#include <vector>

#include "filter_tree.hpp"
#include "order_by.hpp"
#include "query_options.hpp"
#include "select.hpp"

namespace mw::query {
namespace {

// `get` without ordering needs only the first match, so scanning stops there (TrueNAS
// short-circuits the same case). Otherwise every row is filtered, so an error a later row would
// raise is not hidden by `limit`.
std::size_t matches_needed(const QueryOptions& q) {
  if (q.get && !q.count && q.order_by.empty()) return 1;
  return std::numeric_limits<std::size_t>::max();
}

}  // namespace

json::value filter_list(std::span<const json::value* const> rows, const json::array& filters,
                        const json::object& options) {
  // Everything the caller sent is checked before the first row is looked at.
  ValidationErrors errors;
  FilterTree tree = FilterTree::compile(filters, errors);
  QueryOptions q = parse_query_options(options, errors);
  errors.throw_if_any();
  if (tree.depth_exceeded()) throw CallError("query-filters max recursion depth exceeded", EINVAL);

  const std::size_t needed = matches_needed(q);
  std::vector<const json::value*> matched;
  for (const json::value* row : rows) {
    if (matched.size() >= needed) break;
    if (row && (tree.empty() || tree.matches(*row))) matched.push_back(row);
  }
  if (q.count) return static_cast<std::int64_t>(matched.size());

  std::vector<json::value> projected;
  if (!q.select.empty()) {
    projected.reserve(matched.size());
    for (std::size_t i = 0; i < matched.size(); ++i) {
      projected.push_back(project_row(*matched[i], q.select));
      matched[i] = &projected.back();
    }
  }

  const std::vector<std::size_t> order = order_rows(matched, q.order_by);
  std::size_t begin = q.offset < order.size() ? static_cast<std::size_t>(q.offset) : order.size();
  std::size_t end = order.size();
  if (q.limit > 0 && q.limit < end - begin) end = begin + static_cast<std::size_t>(q.limit);

  // The returned rows are the only copies made; projections are moved out.
  auto take = [&](std::size_t index) -> json::value {
    if (!projected.empty()) return std::move(projected[index]);
    return *matched[index];
  };
  if (q.get) {
    if (begin == end) throw MatchNotFound();
    return take(order[begin]);
  }
  json::array out;
  out.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) out.push_back(take(order[i]));
  return out;
}

json::value filter_list(const json::array& rows, const json::array& filters, const json::object& options) {
  std::vector<const json::value*> view;
  view.reserve(rows.size());
  for (const auto& row : rows) view.push_back(&row);
  return filter_list(view, filters, options);
}

}  // namespace mw::query
