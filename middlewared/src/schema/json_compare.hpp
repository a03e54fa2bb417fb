#pragma once
// JSON value equality, hashing and number handling with the two integer modes.
#include <cstddef>

#include <middlewared/json.hpp>

namespace mw::schema {

// Is `v` an integer? Strict: only int64/uint64 (written without fraction or exponent).
// Spec: also a double with an integral value (1.0).
bool is_integer(const json::value& v, bool strict);

// -1, 0, 1 comparing two numbers (int64, uint64 or double) exactly.
int compare_numbers(const json::value& a, const json::value& b);

// JSON equality: objects ignore member order; numbers compare by value unless `strict`, where a
// double never equals an integer.
bool json_equal(const json::value& a, const json::value& b, bool strict);

// A hash consistent with json_equal(…, strict).
std::size_t json_hash(const json::value& v, bool strict);

// True when `value` is an integer multiple of `divisor` (both numbers, divisor > 0).
bool is_multiple_of(const json::value& value, const json::value& divisor);

}  // namespace mw::schema
