#pragma once
// Random identifiers (MAC addresses, serials, display passwords) and the MAC format rule.
#include <string>
#include <string_view>

#include <mw/util/random.hpp>
#include <mw/util/text.hpp>

namespace mw::vm {

// "00:a0:98:XX:YY:ZZ", lowercase, XX in 00..7f.
std::string random_mac();
// Six colon-separated hexadecimal octets.
bool is_valid_mac(const std::string& mac);
inline std::string lowercase(std::string_view text) { return util::ascii_lower(text); }
// `length` characters from [A-Za-z0-9].
using util::random_alnum;

}  // namespace mw::vm
