#include <middlewared/config.hpp>
#include <mw/util/text.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mw {

std::string Config::get_or(std::string_view section, std::string_view key, std::string fallback) const {
  auto v = get(section, key);
  return v ? *v : std::move(fallback);
}

bool Config::get_bool(std::string_view section, std::string_view key, bool fallback) const {
  auto v = get(section, key);
  if (!v) return fallback;
  const std::string s = util::ascii_lower(*v);
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  return fallback;
}

long long Config::get_int(std::string_view section, std::string_view key, long long fallback) const {
  auto v = get(section, key);
  if (!v) return fallback;
  long long out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  return (ec == std::errc() && p == v->data() + v->size()) ? out : fallback;
}

std::vector<std::string> Config::get_list(std::string_view section, std::string_view key,
                                          std::vector<std::string> fallback) const {
  auto v = get(section, key);
  if (!v) return fallback;
  std::vector<std::string> out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = util::trim(rest.substr(0, comma));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace mw
