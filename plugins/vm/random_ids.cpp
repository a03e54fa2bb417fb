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

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string random_alnum(std::size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += kAlphabet[pick(rd)];
  return out;
}

}  // namespace mw::vm
