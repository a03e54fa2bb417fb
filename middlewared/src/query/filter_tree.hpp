#pragma once
// A query-filters list, validated and compiled once per query, then
// matched against each row.
#include <memory>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/json.hpp>
#include <middlewared/query.hpp>

namespace mw::query {

struct FilterNode;

class FilterTree {
 public:
  // Checks the whole tree before any row is seen. A malformed element adds one error on
  // "filters" ("Value error, filter_list: ...") to `errors`; nesting deeper than kMaxDepth is
  // reported by depth_exceeded() instead, because TrueNAS raises it from the engine (-32001).
  // `filters` must outlive the tree.
  static FilterTree compile(const json::array& filters, ValidationErrors& errors);

  static constexpr int kMaxDepth = 3;

  FilterTree(FilterTree&&) noexcept;
  FilterTree& operator=(FilterTree&&) noexcept;
  ~FilterTree();

  bool depth_exceeded() const { return depth_exceeded_; }
  bool empty() const { return roots_.empty(); }

  // Throws CallError(EINVAL) for comparisons Python would refuse (null < 1, casefold of an int).
  bool matches(const json::value& row) const;
  bool matches(const RowFields& row) const;

 private:
  FilterTree();
  std::vector<FilterNode> roots_;
  bool depth_exceeded_ = false;
};

}  // namespace mw::query
