#include "order_by.hpp"

#include <algorithm>
#include <numeric>

#include "python_semantics.hpp"

namespace mw::query {
namespace {

const json::value& null_value() {
  static const json::value null;  // immutable: what a missing sort value compares as
  return null;
}

// The nulls_ prefixes look the whole name up as a top-level key (the reference engine's quirk:
// a dotted name puts every row in the null group).
bool in_null_group(const json::value& row, const OrderKey& key) {
  if (!row.is_object()) return true;
  auto it = row.get_object().find(key.null_key);
  return it == row.get_object().end() || it->value().is_null();
}

bool in_null_group(const RowFields& row, const OrderKey& key) {
  const json::value* v = row.field(key.null_key);
  return !v || v->is_null();
}

template <class Row>
std::vector<std::size_t> order_any(std::span<const Row* const> rows, std::span<const OrderKey> keys) {
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (keys.empty() || rows.size() < 2) return order;

  // Sort values are looked up once per row and key, not once per comparison.
  const std::size_t nkeys = keys.size();
  std::vector<const json::value*> values(rows.size() * nkeys);
  std::vector<char> null_group(rows.size() * nkeys, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t k = 0; k < nkeys; ++k) {
      const json::value* v = find_path_value(*rows[r], keys[k].path);
      values[r * nkeys + k] = v ? v : &null_value();
      if (keys[k].nulls != OrderKey::Nulls::Compare) null_group[r * nkeys + k] = in_null_group(*rows[r], keys[k]);
    }
  }
  auto less = [&](std::size_t a, std::size_t b) {
    for (std::size_t k = 0; k < nkeys; ++k) {
      const OrderKey& key = keys[k];
      if (key.nulls != OrderKey::Nulls::Compare) {
        const bool na = null_group[a * nkeys + k];
        const bool nb = null_group[b * nkeys + k];
        if (na && nb) continue;  // unsorted among themselves: later keys decide
        if (na != nb) return key.nulls == OrderKey::Nulls::First ? na : nb;
      }
      const int c = python_sort_compare(*values[a * nkeys + k], *values[b * nkeys + k]);
      if (c != 0) return key.descending ? c > 0 : c < 0;
    }
    return false;
  };
  std::stable_sort(order.begin(), order.end(), less);
  return order;
}

}  // namespace

std::vector<std::size_t> order_rows(std::span<const json::value* const> rows, std::span<const OrderKey> keys) {
  return order_any(rows, keys);
}

std::vector<std::size_t> order_rows(std::span<const RowFields* const> rows, std::span<const OrderKey> keys) {
  return order_any(rows, keys);
}

}  // namespace mw::query
