#pragma once
// One JSON number as one exact value, for comparisons across int64, uint64 and double (the query
// engine's Python semantics, the schema validator's equality, minimum and multipleOf).
#include <limits>

#include <boost/json/value.hpp>

namespace mw::util {

// long double has a 64-bit mantissa on x86-64, so every int64, uint64 and double converts
// exactly; a platform where it has not fails to build rather than compare wrongly.
static_assert(std::numeric_limits<long double>::digits >= 64, "exact_number needs a 64-bit long double mantissa");

// A bool counts as 0 or 1 (Python's True == 1); a non-number is a precondition breach.
inline long double exact_number(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::bool_:
      return v.get_bool() ? 1 : 0;
    case boost::json::kind::int64:
      return static_cast<long double>(v.get_int64());
    case boost::json::kind::uint64:
      return static_cast<long double>(v.get_uint64());
    default:
      return static_cast<long double>(v.get_double());
  }
}

}  // namespace mw::util
