#include "random_ids.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

namespace mw::vm {

std::string random_mac() {
  std::random_device rd;
  std::uniform_int_distribution<int> first(0x00, 0x7f), rest(0x00, 0xff);
  char buf[18];
  std::snprintf(buf, sizeof buf, "00:a0:98:%02x:%02x:%02x", first(rd), rest(rd), rest(rd));
  return buf;
}

bool is_valid_mac(const std::string& mac) {
  if (mac.size() != 17) return false;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    bool colon_slot = i % 3 == 2;
    if (colon_slot ? mac[i] != ':' : !std::isxdigit(static_cast<unsigned char>(mac[i]))) return false;
  }
  return true;
}

}  // namespace mw::vm
