#pragma once
// The compiled form of one filter element, shared by filter_compile.cpp and filter_eval.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <middlewared/json.hpp>

#include "filter_path.hpp"
#include "regex_pattern.hpp"
#include "value_set.hpp"

namespace mw::query {

enum class Op { Eq, Ne, Gt, Ge, Lt, Le, Match, In, Nin, Rin, Rnin, StartsWith, NotStartsWith, EndsWith, NotEndsWith };

struct FilterLeaf {
  Path path;
  Op op = Op::Eq;
  const char* op_text = "=";          // without the C prefix, for messages
  bool casefold = false;              // `C` prefix: the row value is casefolded before `op`
  json::value operand;                // the filter value, already casefolded when `casefold`
  std::optional<RegexPattern> regex;  // `~`
  std::unique_ptr<ValueSet> in_set;   // `in` / `nin` with a list operand
  bool timestamp = false;             // path ended in `.$date`: compare against timestamp_us
  std::int64_t timestamp_us = 0;
};

struct FilterNode {
  enum class Kind { Leaf, All, Any };
  Kind kind = Kind::Leaf;
  std::unique_ptr<FilterLeaf> leaf;  // on the heap: in_set keeps views into leaf->operand
  std::vector<FilterNode> children;
};

}  // namespace mw::query
