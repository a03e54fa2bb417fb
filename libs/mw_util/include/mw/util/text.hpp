#pragma once
// Byte-wise ASCII text helpers (locale-independent: header names, option keys, config values).
#include <string>
#include <string_view>

namespace mw::util {

// Without leading and trailing ASCII white space (" \t\r\n\f\v"), as Python's str.strip().
std::string trim(std::string_view text);
// A-Z mapped to a-z, every other byte unchanged.
std::string ascii_lower(std::string_view text);

}  // namespace mw::util
