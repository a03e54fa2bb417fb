#include "cpuset.hpp"

#include <charconv>

namespace mw::vm::hypervisor::qemu {

namespace {

int parse_number(std::string_view text, const std::string& whole) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    throw std::invalid_argument("invalid CPU list '" + whole + "'");
  }
  return value;
}

}  // namespace

std::vector<int> parse_cpuset(const std::string& text) {
  std::vector<int> cpus;
  std::string_view rest(text);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(parse_number(item, text));
      continue;
    }
    int first = parse_number(item.substr(0, dash), text);
    int last = parse_number(item.substr(dash + 1), text);
    if (last < first) throw std::invalid_argument("invalid CPU list '" + text + "'");
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  if (cpus.empty()) throw std::invalid_argument("empty CPU list");
  return cpus;
}

}  // namespace mw::vm::hypervisor::qemu
