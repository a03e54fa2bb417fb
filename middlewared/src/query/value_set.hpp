#pragma once
// The right-hand list of `in` / `nin`, hashed once per query so that a list of 100,000 values
// costs one lookup per row. Membership is Python equality (1 == 1.0 == true).
#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <middlewared/json.hpp>

namespace mw::query {

class ValueSet {
 public:
  // Keeps views into `values`, which must outlive the set and not move.
  explicit ValueSet(const json::array& values);

  bool contains(const json::value& v) const;

 private:
  bool has_null_ = false;
  std::unordered_set<std::int64_t> ints_;       // bools, ints and integral floats
  std::unordered_set<std::uint64_t> big_ints_;  // above INT64_MAX
  std::unordered_set<double> reals_;            // non-integral floats
  std::unordered_set<std::string_view> strings_;
  std::vector<const json::value*> composites_;  // lists and dicts: compared one by one
};

}  // namespace mw::query
