// filter_list: the pipeline filter -> select -> count -> order_by -> offset -> limit -> get
// Rows are handled as pointers; only the rows returned are copied (select_rows copies none).
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

// One pipeline for JSON rows and for rows made on demand: a row type only needs
// FilterTree::matches, project_row and order_rows.
template <class Row>
Selection run(std::span<const Row* const> rows, const json::array& filters, const json::object& options) {
  // Everything the caller sent is checked before the first row is looked at.
  ValidationErrors errors;
  FilterTree tree = FilterTree::compile(filters, errors);
  QueryOptions q = parse_query_options(options, errors);
  errors.throw_if_any();
  if (tree.depth_exceeded()) throw CallError("query-filters max recursion depth exceeded", EINVAL);

  Selection out;
  const std::size_t needed = matches_needed(q);
  std::vector<std::size_t> matched;  // indexes into rows
  std::vector<const Row*> matched_rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (matched.size() >= needed) break;
    const Row* row = rows[i];
    if (row && (tree.empty() || tree.matches(*row))) matched.push_back(i), matched_rows.push_back(row);
  }
  if (q.count) {
    out.count = static_cast<std::int64_t>(matched.size());
    return out;
  }

  // With `select`, order_by sorts the projections (what the caller sees), as TrueNAS does.
  std::vector<json::value> projected;
  std::vector<std::size_t> order;
  if (!q.select.empty()) {
    projected.reserve(matched.size());
    std::vector<const json::value*> view;
    view.reserve(matched.size());
    for (const Row* row : matched_rows) projected.push_back(project_row(*row, q.select));
    for (const auto& p : projected) view.push_back(&p);
    order = order_rows(view, q.order_by);
  } else {
    order = order_rows(matched_rows, q.order_by);
  }
  std::size_t begin = q.offset < order.size() ? static_cast<std::size_t>(q.offset) : order.size();
  std::size_t end = order.size();
  if (q.limit > 0 && q.limit < end - begin) end = begin + static_cast<std::size_t>(q.limit);
  if (q.get) {
    if (begin == end) throw MatchNotFound();
    end = begin + 1;
    out.get = true;
  }
  out.rows.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    out.rows.push_back(matched[order[i]]);
    if (!projected.empty()) out.projected.push_back(std::move(projected[order[i]]));
  }
  return out;
}

}  // namespace

json::value filter_list(std::span<const json::value* const> rows, const json::array& filters,
                        const json::object& options) {
  Selection s = run(rows, filters, options);
  if (s.count) return *s.count;
  // The returned rows are the only copies made; projections are moved out.
  auto take = [&](std::size_t i) -> json::value {
    if (!s.projected.empty()) return std::move(s.projected[i]);
    return *rows[s.rows[i]];
  };
  if (s.get) return take(0);
  json::array out;
  out.reserve(s.rows.size());
  for (std::size_t i = 0; i < s.rows.size(); ++i) out.push_back(take(i));
  return out;
}

json::value filter_list(const json::array& rows, const json::array& filters, const json::object& options) {
  std::vector<const json::value*> view;
  view.reserve(rows.size());
  for (const auto& row : rows) view.push_back(&row);
  return filter_list(view, filters, options);
}

Selection select_rows(std::span<const RowFields* const> rows, const json::array& filters, const json::object& options) {
  return run(rows, filters, options);
}

}  // namespace mw::query
