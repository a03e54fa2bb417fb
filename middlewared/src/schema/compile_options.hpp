#pragma once
// How a SchemaSet compiles its schemas.
#include <cstddef>

namespace mw::schema {

struct CompileOptions {
  // false: draft-07 spec mode (1.0 is an integer; 1 == 1.0 in enum/const/uniqueItems).
  // true: TrueNAS (pydantic strict) mode: only numbers written without fraction/exponent are
  // integers, and a double never equals an integer.
  bool strict_integers = false;
  // Check the implemented formats (date-time, date, time, ipv4, ipv6, uuid, regex); other formats
  // are always accepted, as draft-07 allows.
  bool check_formats = true;
};

// Limits that keep hostile schemas and instances from exhausting the stack or the CPU.
inline constexpr int kMaxInstanceDepth = 64;            // nesting of the validated instance
inline constexpr int kMaxSchemaDepth = 512;             // nested subschemas/$refs being evaluated
inline constexpr std::size_t kMaxPatternLength = 8192;  // bytes of a `pattern` source

}  // namespace mw::schema
