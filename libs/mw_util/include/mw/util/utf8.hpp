#pragma once
// UTF-8 decoding and encoding of single code points, for the helpers that work on characters
// rather than bytes (casefold, repr, json.dumps' ensure_ascii).
#include <cstddef>
#include <string>
#include <string_view>

namespace mw::util {

// Decodes the sequence at text[i] into `cp`; returns its length, or 0 when it is not valid UTF-8
// (a bad lead byte, a missing continuation byte, or a sequence cut off by the end).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp);

void append_utf8(std::string& out, char32_t cp);

}  // namespace mw::util
