#pragma once
// ISO-8601 timestamps for the `.$date` filter rule (what Python's datetime.fromisoformat reads):
// `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`, `:SS`, `.ffffff`, and `Z`, `+HH:MM`,
// `+HHMM` or `+HH` (a missing offset means UTC).
#include <cstdint>
#include <optional>
#include <string_view>

namespace mw::query {

// Microseconds since the Unix epoch, or nullopt when `text` is not such a timestamp.
std::optional<std::int64_t> parse_iso8601_us(std::string_view text);

}  // namespace mw::query
