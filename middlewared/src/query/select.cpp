#include "select.hpp"

namespace mw::query {
namespace {

const json::value* find_keys(const json::value& row, const std::vector<std::string>& keys, std::size_t start = 0) {
  const json::value* v = &row;
  for (std::size_t i = start; i < keys.size(); ++i) {
    const auto& k = keys[i];
    if (!v->is_object()) return nullptr;
    auto it = v->get_object().find(k);
    if (it == v->get_object().end()) return nullptr;
    v = &it->value();
  }
  return v;
}

void place(json::object& out, const std::vector<std::string>& target, const json::value& value) {
  json::object* parent = &out;
  for (std::size_t i = 0; i + 1 < target.size(); ++i) {
    json::value& child = (*parent)[target[i]];
    if (child.is_null()) child = json::object();
    if (!child.is_object()) return;  // an earlier selection already put a scalar here
    parent = &child.get_object();
  }
  (*parent)[target.back()] = value;
}

// The row is an object: its first key is asked for, the rest walked in its value.
const json::value* find_keys(const RowFields& row, const std::vector<std::string>& keys) {
  if (keys.empty()) return nullptr;  // query_options never gives an empty selection
  const json::value* v = row.field(keys[0]);
  return v ? find_keys(*v, keys, 1) : nullptr;
}

template <class Row>
json::value project(const Row& row, std::span<const SelectSpec> select) {
  json::object out;
  for (const auto& spec : select) {
    if (const json::value* v = find_keys(row, spec.source)) place(out, spec.target, *v);
  }
  return out;
}

}  // namespace

json::value project_row(const json::value& row, std::span<const SelectSpec> select) { return project(row, select); }
json::value project_row(const RowFields& row, std::span<const SelectSpec> select) { return project(row, select); }

}  // namespace mw::query
