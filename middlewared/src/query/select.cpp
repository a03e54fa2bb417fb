#include "select.hpp"

namespace mw::query {
namespace {

const json::value* find_keys(const json::value& row, const std::vector<std::string>& keys) {
  const json::value* v = &row;
  for (const auto& k : keys) {
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

}  // namespace

json::value project_row(const json::value& row, std::span<const SelectSpec> select) {
  json::object out;
  for (const auto& spec : select) {
    if (const json::value* v = find_keys(row, spec.source)) place(out, spec.target, *v);
  }
  return out;
}

}  // namespace mw::query
