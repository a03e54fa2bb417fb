#include "value_set.hpp"

#include <cmath>

#include "python_semantics.hpp"

namespace mw::query {
namespace {

// The bucket a number falls in; integral floats join the integers so that 1.0 finds 1.
enum class NumberClass { Int, BigInt, Real };

struct Number {
  NumberClass cls;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
};

Number classify(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_:
      return {NumberClass::Int, v.get_bool() ? 1 : 0};
    case json::kind::int64:
      return {NumberClass::Int, v.get_int64()};
    case json::kind::uint64: {
      const auto u = v.get_uint64();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return {NumberClass::Int, static_cast<std::int64_t>(u)};
      return {NumberClass::BigInt, 0, u};
    }
    default: {
      const double d = v.get_double();
      if (std::isfinite(d) && std::trunc(d) == d) {
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
          return {NumberClass::Int, static_cast<std::int64_t>(d)};
        if (d >= 0 && d < 18446744073709551616.0) return {NumberClass::BigInt, 0, static_cast<std::uint64_t>(d)};
      }
      return {NumberClass::Real, 0, 0, d};
    }
  }
}

bool is_number(const json::value& v) { return v.is_bool() || v.is_int64() || v.is_uint64() || v.is_double(); }

}  // namespace

ValueSet::ValueSet(const json::array& values) {
  for (const auto& v : values) {
    if (v.is_null()) {
      has_null_ = true;
    } else if (v.is_string()) {
      strings_.insert(std::string_view(v.get_string()));
    } else if (is_number(v)) {
      const Number n = classify(v);
      if (n.cls == NumberClass::Int)
        ints_.insert(n.i);
      else if (n.cls == NumberClass::BigInt)
        big_ints_.insert(n.u);
      else
        reals_.insert(n.d);
    } else {
      composites_.push_back(&v);
    }
  }
}

bool ValueSet::contains(const json::value& v) const {
  if (v.is_null()) return has_null_;
  if (v.is_string()) return strings_.contains(std::string_view(v.get_string()));
  if (is_number(v)) {
    const Number n = classify(v);
    if (n.cls == NumberClass::Int) return ints_.contains(n.i);
    if (n.cls == NumberClass::BigInt) return big_ints_.contains(n.u);
    return reals_.contains(n.d);
  }
  for (const json::value* c : composites_)
    if (python_equal(*c, v)) return true;
  return false;
}

}  // namespace mw::query
