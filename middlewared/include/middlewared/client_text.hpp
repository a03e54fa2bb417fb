#pragma once
// Text a client sent (user names, method names, paths, origins, keys), made safe to show again:
// in a log line, where a newline would forge a line of its own and an escape sequence would
// drive the reader's terminal, and in an error reply, which must not hand large input back.
#include <cstddef>
#include <string>
#include <string_view>

namespace mw {

// For log lines: control characters (below 0x20, DEL) and backslashes written as C escapes
// (\n, \t, \\, \x1b), bytes of invalid UTF-8 as \xNN; at most `max` bytes of the input, then
// "…" when there was more.
std::string log_text(std::string_view text, std::size_t max = 256);

// For error messages quoting input: the input itself when short, else its first `max` bytes (cut
// at a character boundary) and "…".
inline constexpr std::size_t kEchoPrefix = 64;
std::string echo_prefix(std::string_view text, std::size_t max = kEchoPrefix);

}  // namespace mw
