#pragma once
// base64 (RFC 4648) and hex for byte strings held in std::string.
#include <string>
#include <string_view>

namespace mw::util {

// Standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);
// Strict standard base64: padding required, no white space, unused bits zero; false (and `out`
// unspecified) on anything else.
bool base64_decode(std::string_view text, std::string& out);
// URL-safe alphabet ('-', '_'), no padding: what tokens in URLs use.
std::string base64url_encode(std::string_view bytes);
// Lower-case hex, two digits a byte.
std::string hex_encode(std::string_view bytes);

}  // namespace mw::util
