#include "app/ini_config.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <mw/util/text.hpp>

namespace mw::app {

IniConfig IniConfig::parse(std::string_view text, const std::string& source_name) {
  IniConfig cfg;
  std::string section;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = util::trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    auto fail = [&](const std::string& what) {
      throw std::runtime_error(source_name + ":" + std::to_string(number) + ": " + what);
    };
    if (t.front() == '[') {
      if (t.back() != ']') fail("section header must end with ']'");
      section = util::trim(std::string_view(t).substr(1, t.size() - 2));
      if (section.empty()) fail("empty section name");
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string::npos) fail("expected 'key = value'");
    std::string key = util::trim(std::string_view(t).substr(0, eq));
    if (key.empty()) fail("empty key");
    if (section.empty()) fail("'" + key + "' is outside any [section]");
    cfg.values_[section][key] = util::trim(std::string_view(t).substr(eq + 1));
  }
  return cfg;
}

IniConfig IniConfig::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read config file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file.string());
}

std::optional<std::string> IniConfig::get(std::string_view section, std::string_view key) const {
  auto s = values_.find(section);
  if (s == values_.end()) return std::nullopt;
  auto k = s->second.find(key);
  if (k == s->second.end()) return std::nullopt;
  return k->second;
}

void IniConfig::set(const std::string& section, const std::string& key, std::string value) {
  values_[section][key] = std::move(value);
}

std::vector<std::string> IniConfig::keys() const {
  std::vector<std::string> out;
  for (const auto& [s, kv] : values_)
    for (const auto& [k, v] : kv) out.push_back(s + "." + k);
  return out;
}

}  // namespace mw::app
