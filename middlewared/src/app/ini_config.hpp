#pragma once
// etc/middlewared.conf: INI sections with `key = value` lines, `#`/`;` comments. Command-line flags
// override file values; the file overrides the embedded defaults.
#include <filesystem>
#include <map>
#include <string>

#include <middlewared/config.hpp>

namespace mw::app {

class IniConfig : public Config {
 public:
  // Throws std::runtime_error with "<file>:<line>: <problem>" on a malformed line.
  static IniConfig parse(std::string_view text, const std::string& source_name);
  static IniConfig load(const std::filesystem::path& file);

  std::optional<std::string> get(std::string_view section, std::string_view key) const override;
  void set(const std::string& section, const std::string& key, std::string value);
  const std::filesystem::path& state_dir() const override { return state_dir_; }
  void set_state_dir(std::filesystem::path dir) { state_dir_ = std::move(dir); }
  // Every key seen, for --check-config ("section.key").
  std::vector<std::string> keys() const;

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> values_;
  std::filesystem::path state_dir_;
};

}  // namespace mw::app
