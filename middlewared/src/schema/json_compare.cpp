#include "schema/json_compare.hpp"

#include <cmath>
#include <functional>

#include <mw/util/json_number.hpp>

namespace mw::schema {

namespace {

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

std::size_t mix(std::size_t seed, std::size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

bool is_integer(const json::value& v, bool strict) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (strict || !v.is_double()) return false;
  double d = v.get_double();
  return std::isfinite(d) && std::trunc(d) == d;
}

int compare_numbers(const json::value& a, const json::value& b) {
  if (a.is_int64() && b.is_int64()) {
    return a.get_int64() < b.get_int64() ? -1 : (a.get_int64() > b.get_int64() ? 1 : 0);
  }
  long double x = util::exact_number(a);
  long double y = util::exact_number(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool json_equal(const json::value& a, const json::value& b, bool strict) {
  if (is_number(a) && is_number(b)) {
    if (strict && (a.is_double() != b.is_double())) return false;
    return compare_numbers(a, b) == 0;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null:
      return true;
    case json::kind::bool_:
      return a.get_bool() == b.get_bool();
    case json::kind::string:
      return a.get_string() == b.get_string();
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!json_equal(x[i], y[i], strict)) return false;
      }
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        auto it = y.find(member.key());
        if (it == y.end() || !json_equal(member.value(), it->value(), strict)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

std::size_t json_hash(const json::value& v, bool strict) {
  switch (v.kind()) {
    case json::kind::null:
      return 0x51;
    case json::kind::bool_:
      return v.get_bool() ? 0x71 : 0x70;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: {
      long double x = util::exact_number(v);
      std::size_t h = std::hash<long double>{}(x == 0 ? 0.0L : x);
      return strict && v.is_double() ? mix(h, 0xd0) : h;
    }
    case json::kind::string:
      return std::hash<std::string_view>{}(v.get_string());
    case json::kind::array: {
      std::size_t seed = 0xa11;
      for (const auto& item : v.get_array()) seed = mix(seed, json_hash(item, strict));
      return seed;
    }
    case json::kind::object: {
      // Sum of per-member hashes: independent of member order.
      std::size_t sum = 0x0b;
      for (const auto& member : v.get_object()) {
        sum += mix(std::hash<std::string_view>{}(member.key()), json_hash(member.value(), strict));
      }
      return sum;
    }
  }
  return 0;
}

bool is_multiple_of(const json::value& value, const json::value& divisor) {
  auto as_unsigned_magnitude = [](const json::value& v, unsigned long long& out) {
    if (v.is_uint64()) {
      out = v.get_uint64();
      return true;
    }
    if (v.is_int64()) {
      long long i = v.get_int64();
      out = i < 0 ? 0ULL - static_cast<unsigned long long>(i) : static_cast<unsigned long long>(i);
      return true;
    }
    return false;
  };
  unsigned long long x = 0;
  unsigned long long d = 0;
  if (as_unsigned_magnitude(value, x) && as_unsigned_magnitude(divisor, d) && d != 0) {
    return x % d == 0;
  }
  long double q = util::exact_number(value) / util::exact_number(divisor);
  if (!std::isfinite(q)) return false;
  long double nearest = std::nearbyint(q);
  // Decimal fractions are inexact in binary (0.0075 / 0.0001 = 75.00000000000001): allow a
  // relative rounding slack far below any meaningful fraction.
  return std::fabs(q - nearest) <= 1e-9L * std::fmax(1.0L, std::fabs(q));
}

}  // namespace mw::schema
