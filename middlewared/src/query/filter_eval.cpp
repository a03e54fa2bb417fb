// Matching one row against a compiled filter tree.
#include <cmath>
#include <string_view>

#include <middlewared/errors.hpp>
#include <mw/util/python.hpp>

#include "filter_node.hpp"
#include "filter_tree.hpp"
#include "iso_timestamp.hpp"
#include "python_semantics.hpp"

namespace mw::query {
namespace {

[[noreturn]] void throw_type_error(std::string message) { throw CallError(std::move(message), EINVAL); }

json::value fold_row_value(const json::value& x) {
  if (x.is_null()) return nullptr;
  if (x.is_string()) return json::string(util::casefold(x.get_string()));
  if (x.is_array()) {
    json::array out;
    out.reserve(x.get_array().size());
    for (const auto& e : x.get_array()) {
      if (!e.is_string()) {
        throw_type_error(std::string("filter_list: cannot casefold a value of type '") + python_type_name(e) + "'");
      }
      out.emplace_back(json::string(util::casefold(e.get_string())));
    }
    return out;
  }
  throw_type_error(std::string("filter_list: cannot casefold a value of type '") + python_type_name(x) + "'");
}

bool ordered(const FilterLeaf& leaf, int c) {
  switch (leaf.op) {
    case Op::Gt:
      return c > 0;
    case Op::Ge:
      return c >= 0;
    case Op::Lt:
      return c < 0;
    default:
      return c <= 0;
  }
}

bool in_operand(const FilterLeaf& leaf, const json::value& x) {
  if (leaf.in_set) return leaf.in_set->contains(x);
  return python_contains(leaf.operand, x);
}

// str.startswith / str.endswith with Python's errors for non-strings.
bool affix_test(const FilterLeaf& leaf, const json::value& x) {
  const bool starts = leaf.op == Op::StartsWith || leaf.op == Op::NotStartsWith;
  const char* method = starts ? "startswith" : "endswith";
  if (!x.is_string()) {
    throw_type_error(std::string("'") + python_type_name(x) + "' object has no attribute '" + method + "'");
  }
  if (!leaf.operand.is_string()) {
    throw_type_error(std::string(method) + " first arg must be str or a tuple of str, not " +
                     python_type_name(leaf.operand));
  }
  const std::string_view s = x.get_string();
  const std::string_view a = leaf.operand.get_string();
  return starts ? s.starts_with(a) : s.ends_with(a);
}

bool apply(const FilterLeaf& leaf, const json::value& x) {
  const json::value& y = leaf.operand;
  switch (leaf.op) {
    case Op::Eq:
      return python_equal(x, y);
    case Op::Ne:
      return !python_equal(x, y);
    case Op::Gt:
    case Op::Ge:
    case Op::Lt:
    case Op::Le: {
      auto c = python_order(x, y);
      if (!c) throw_unorderable(leaf.op_text, python_type_name(x), python_type_name(y));
      return ordered(leaf, *c);
    }
    case Op::Match:
      if (x.is_null()) return leaf.regex->match_prefix("");
      if (!x.is_string()) {
        throw_type_error(std::string("expected string or bytes-like object, got '") + python_type_name(x) + "'");
      }
      return leaf.regex->match_prefix(x.get_string());
    case Op::In:
      return in_operand(leaf, x);
    case Op::Nin:
      return !x.is_null() && !in_operand(leaf, x);
    case Op::Rin:
      return !x.is_null() && python_contains(x, y);
    case Op::Rnin:
      return !x.is_null() && !python_contains(x, y);
    case Op::StartsWith:
    case Op::EndsWith:
      return !x.is_null() && affix_test(leaf, x);
    case Op::NotStartsWith:
    case Op::NotEndsWith:
      return !x.is_null() && !affix_test(leaf, x);
  }
  return false;
}

// A datetime field is `{"$date": <ms since epoch>}` in our rows; an ISO string is accepted too.
std::optional<std::int64_t> row_timestamp_us(const json::value& x) {
  if (x.is_string()) return parse_iso8601_us(x.get_string());
  if (!x.is_object()) return std::nullopt;
  auto it = x.get_object().find("$date");
  if (it == x.get_object().end()) return std::nullopt;
  const json::value& ms = it->value();
  if (ms.is_int64()) return ms.get_int64() * 1000;
  if (ms.is_uint64() && ms.get_uint64() < static_cast<std::uint64_t>(INT64_MAX / 1000))
    return static_cast<std::int64_t>(ms.get_uint64()) * 1000;
  if (ms.is_double() && std::isfinite(ms.get_double()) && std::fabs(ms.get_double()) < 9.2e15)
    return std::llround(ms.get_double() * 1000);
  return std::nullopt;
}

bool apply_timestamp(const FilterLeaf& leaf, const json::value& x) {
  auto t = row_timestamp_us(x);
  if (!t) {
    if (leaf.op == Op::Eq) return false;
    if (leaf.op == Op::Ne) return true;
    throw_unorderable(leaf.op_text, python_type_name(x), "datetime.datetime");
  }
  const std::int64_t y = leaf.timestamp_us;
  switch (leaf.op) {
    case Op::Eq:
      return *t == y;
    case Op::Ne:
      return *t != y;
    default:
      return ordered(leaf, *t < y ? -1 : (*t > y ? 1 : 0));
  }
}

bool visit_leaf(const void* context, const json::value& x) {
  const auto& leaf = *static_cast<const FilterLeaf*>(context);
  if (leaf.timestamp) return apply_timestamp(leaf, x);
  if (leaf.casefold) return apply(leaf, fold_row_value(x));
  return apply(leaf, x);
}

template <class Row>
bool node_matches(const FilterNode& node, const Row& row) {
  switch (node.kind) {
    case FilterNode::Kind::Leaf:
      return any_path_value(row, node.leaf->path, &visit_leaf, node.leaf.get());
    case FilterNode::Kind::All:
      for (const auto& child : node.children)
        if (!node_matches(child, row)) return false;
      return true;
    case FilterNode::Kind::Any:
      for (const auto& child : node.children)
        if (node_matches(child, row)) return true;
      return false;
  }
  return false;
}

template <class Row>
bool all_match(const std::vector<FilterNode>& roots, const Row& row) {
  for (const auto& node : roots)
    if (!node_matches(node, row)) return false;
  return true;
}

}  // namespace

bool FilterTree::matches(const json::value& row) const { return all_match(roots_, row); }
bool FilterTree::matches(const RowFields& row) const { return all_match(roots_, row); }

}  // namespace mw::query
