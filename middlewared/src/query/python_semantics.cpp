#include "python_semantics.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>

#include <middlewared/errors.hpp>
#include <mw/util/json_number.hpp>

namespace mw::query {
namespace {

bool is_number(const json::value& v) { return v.is_bool() || v.is_int64() || v.is_uint64() || v.is_double(); }

int three_way(long double a, long double b) { return a < b ? -1 : (b < a ? 1 : 0); }

}  // namespace

const char* python_type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "NoneType";
    case json::kind::bool_:
      return "bool";
    case json::kind::int64:
    case json::kind::uint64:
      return "int";
    case json::kind::double_:
      return "float";
    case json::kind::string:
      return "str";
    case json::kind::array:
      return "list";
    case json::kind::object:
      return "dict";
  }
  return "object";
}

std::string python_str(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return python_repr(v);
}

bool python_equal(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) return util::exact_number(a) == util::exact_number(b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null:
      return true;
    case json::kind::string:
      return a.get_string() == b.get_string();
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!python_equal(x[i], y[i])) return false;
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !python_equal(kv.value(), it->value())) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

std::optional<int> python_order(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) return three_way(util::exact_number(a), util::exact_number(b));
  if (a.is_string() && b.is_string()) {
    // Byte order of UTF-8 is code point order, which is how Python orders str.
    const int c = std::string_view(a.get_string()).compare(std::string_view(b.get_string()));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_array() && b.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    const std::size_t n = std::min(x.size(), y.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (!python_equal(x[i], y[i])) return python_order(x[i], y[i]);
    }
    return three_way(static_cast<long double>(x.size()), static_cast<long double>(y.size()));
  }
  return std::nullopt;
}

void throw_unorderable(const char* op, const char* left_type, const char* right_type) {
  throw CallError(
      std::string("'") + op + "' not supported between instances of '" + left_type + "' and '" + right_type + "'",
      EINVAL);
}

int python_sort_compare(const json::value& a, const json::value& b) {
  if (python_equal(a, b)) return 0;
  auto c = python_order(a, b);
  if (!c) throw_unorderable("<", python_type_name(a), python_type_name(b));
  return *c;
}

bool python_contains(const json::value& container, const json::value& item) {
  switch (container.kind()) {
    case json::kind::array:
      for (const auto& e : container.get_array())
        if (python_equal(e, item)) return true;
      return false;
    case json::kind::string:
      if (!item.is_string()) {
        throw CallError(std::string("'in <string>' requires string as left operand, not ") + python_type_name(item),
                        EINVAL);
      }
      return std::string_view(container.get_string()).find(std::string_view(item.get_string())) !=
             std::string_view::npos;
    case json::kind::object:
      if (item.is_array() || item.is_object())
        throw CallError(std::string("unhashable type: '") + python_type_name(item) + "'", EINVAL);
      return item.is_string() && container.get_object().contains(item.get_string());
    default:
      throw CallError(std::string("argument of type '") + python_type_name(container) + "' is not iterable", EINVAL);
  }
}

}  // namespace mw::query
