#include "query_options.hpp"

#include <string_view>

#include "python_semantics.hpp"

namespace mw::query {
namespace {

constexpr std::string_view kNullsFirst = "nulls_first:";
constexpr std::string_view kNullsLast = "nulls_last:";

std::string attr(std::string_view key) { return "options." + std::string(key); }

void parse_bool(const json::value& v, std::string_view key, bool& out, ValidationErrors& errors) {
  if (!v.is_bool()) return errors.add(attr(key), "Input should be a valid boolean");
  out = v.get_bool();
}

void parse_uint(const json::value& v, std::string_view key, std::uint64_t max, std::uint64_t& out,
                ValidationErrors& errors) {
  if (!v.is_int64() && !v.is_uint64()) return errors.add(attr(key), "Input should be a valid integer");
  if (v.is_int64() && v.get_int64() < 0) return errors.add(attr(key), "Input should be greater than or equal to 0");
  const std::uint64_t n = v.is_int64() ? static_cast<std::uint64_t>(v.get_int64()) : v.get_uint64();
  if (n > max) return errors.add(attr(key), "Input should be less than or equal to " + std::to_string(max));
  out = n;
}

void parse_order_by(const json::value& v, std::vector<OrderKey>& out, ValidationErrors& errors) {
  if (!v.is_array()) return errors.add("options.order_by", "Input should be a valid list");
  const auto& list = v.get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) {
      errors.add("options.order_by." + std::to_string(i), "Input should be a valid string");
      continue;
    }
    std::string_view name = list[i].get_string();
    OrderKey key;
    if (name.starts_with(kNullsFirst)) {
      key.nulls = OrderKey::Nulls::First;
      name.remove_prefix(kNullsFirst.size());
    } else if (name.starts_with(kNullsLast)) {
      key.nulls = OrderKey::Nulls::Last;
      name.remove_prefix(kNullsLast.size());
    }
    if (name.starts_with('-')) {
      key.descending = true;
      name.remove_prefix(1);
    }
    if (name.empty()) {
      errors.add("options.order_by", "Value error, filter_list: order_by field name is empty");
      continue;
    }
    key.path = parse_path(name);
    key.null_key = std::string(name);
    out.push_back(std::move(key));
  }
}

std::vector<std::string> select_keys(std::string_view text) {
  std::vector<std::string> keys;
  for (auto& c : parse_path(text)) keys.push_back(std::move(c.key));
  return keys;
}

void parse_select(const json::value& v, std::vector<SelectSpec>& out, ValidationErrors& errors) {
  if (!v.is_array()) return errors.add("options.select", "Input should be a valid list");
  for (const auto& entry : v.get_array()) {
    if (entry.is_string()) {
      SelectSpec spec;
      spec.source = select_keys(entry.get_string());
      spec.target = spec.source;
      out.push_back(std::move(spec));
      continue;
    }
    const std::string shown = python_repr(entry);
    if (!entry.is_array()) {
      errors.add("options.select",
                 "Value error, " + shown + ": select entries must be strings or [source, target] lists");
      continue;
    }
    const auto& pair = entry.get_array();
    if (pair.size() != 2) {
      errors.add("options.select", "Value error, " + shown + ": select as list may only contain two parameters");
      continue;
    }
    if (!pair[0].is_string()) {
      errors.add("options.select", "Value error, " + shown + ": first item must be a string");
      continue;
    }
    if (!pair[1].is_string()) {
      errors.add("options.select", "Value error, " + shown + ": second item must be a string");
      continue;
    }
    SelectSpec spec;
    spec.source = select_keys(pair[0].get_string());
    spec.target = {std::string(pair[1].get_string())};
    out.push_back(std::move(spec));
  }
}

}  // namespace

QueryOptions parse_query_options(const json::object& options, ValidationErrors& errors) {
  QueryOptions q;
  bool force_sql = false;
  for (const auto& kv : options) {
    const std::string_view key = kv.key();
    const json::value& v = kv.value();
    if (key == "extra") {
      if (!v.is_object()) errors.add("options.extra", "Input should be a valid dictionary");
    } else if (key == "order_by") {
      parse_order_by(v, q.order_by, errors);
    } else if (key == "select") {
      parse_select(v, q.select, errors);
    } else if (key == "count") {
      parse_bool(v, key, q.count, errors);
    } else if (key == "get") {
      parse_bool(v, key, q.get, errors);
    } else if (key == "force_sql_filters") {
      parse_bool(v, key, force_sql, errors);  // a hint for SQL-backed queries; same results here
    } else if (key == "offset") {
      parse_uint(v, key, UINT64_MAX, q.offset, errors);
    } else if (key == "limit") {
      parse_uint(v, key, kMaxLimit, q.limit, errors);
    } else {
      errors.add(attr(key), "Extra inputs are not permitted");
    }
  }
  if (q.get && q.limit > 1) errors.add("options.get", "Value error, get=True is incompatible with limit > 1");
  if (q.get && q.offset > 0) errors.add("options.get", "Value error, get=True is incompatible with offset");
  return q;
}

}  // namespace mw::query
