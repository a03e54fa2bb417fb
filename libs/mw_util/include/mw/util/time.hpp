#pragma once
// Wall-clock time as the API writes it: milliseconds since the Unix epoch.
#include <cstdint>

namespace mw::util {

std::int64_t now_ms();

}  // namespace mw::util
