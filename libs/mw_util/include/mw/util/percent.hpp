#pragma once
// Percent-encoding (RFC 3986) through Boost.URL. In its own target, mw_util_url, so that programs
// that never decode URLs (midclt) do not load Boost.URL.
#include <optional>
#include <string>
#include <string_view>

namespace mw::util {

// Decodes %XX escapes; nullopt for a malformed escape ("%2", "%zz"). `plus_is_space`: '+' stands
// for a space, as in an application/x-www-form-urlencoded query string.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// Escapes every byte except RFC 3986's unreserved characters, with upper-case hex digits.
std::string percent_encode(std::string_view text);

}  // namespace mw::util
