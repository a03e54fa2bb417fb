#pragma once
// The daemon's configuration (etc/middlewared.conf: INI sections, `key = value`), read-only.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mw {

// A command-line flag of the daemon that sets one configuration key, declared by the plugin that
// reads the key (`--accelerator tcg` sets [vm] accelerator). The flag beats the file.
struct SettingFlag {
  std::string flag;     // "--accelerator"
  std::string section;  // "vm"
  std::string key;      // "accelerator"
  std::string help;
};

class Config {
 public:
  virtual ~Config() = default;
  virtual std::optional<std::string> get(std::string_view section, std::string_view key) const = 0;
  std::string get_or(std::string_view section, std::string_view key, std::string fallback) const;
  bool get_bool(std::string_view section, std::string_view key, bool fallback) const;
  long long get_int(std::string_view section, std::string_view key, long long fallback) const;
  // Comma-separated list, items trimmed, empty items dropped.
  std::vector<std::string> get_list(std::string_view section, std::string_view key,
                                    std::vector<std::string> fallback = {}) const;
  // Where state lives (SQLite files, pidfiles, sockets, logs); always absolute.
  virtual const std::filesystem::path& state_dir() const = 0;
};

}  // namespace mw
