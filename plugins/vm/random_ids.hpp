#pragma once
// Random identifiers (MAC addresses, serials, display passwords) and the MAC format rule.
#include <string>

namespace mw::vm {

// "00:a0:98:XX:YY:ZZ", lowercase, XX in 00..7f.
std::string random_mac();
// Six colon-separated hexadecimal octets.
bool is_valid_mac(const std::string& mac);
std::string lowercase(std::string text);
// `length` characters from [A-Za-z0-9].
std::string random_alnum(std::size_t length);

}  // namespace mw::vm
