#pragma once
// Where and how much the daemon logs: `[log] level, file, max_size, max_files` (the older
// `[server] log_level` / `log_file` keys still count when the [log] ones are absent). Stderr always
// (journald picks it up under systemd); a size-rotated file as well when `file` is set.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/byte_size.hpp>
#include <middlewared/config.hpp>

namespace mw::app {

struct LogSettings {
  std::string level = "info";
  std::string file;                  // empty: stderr only
  std::size_t max_size = 10u << 20;  // bytes per file before it rotates
  std::size_t max_files = 5;         // rotated files kept besides the current one
};

// Throws std::runtime_error naming the key of a malformed value.
LogSettings log_settings(const Config& cfg);

using mw::parse_byte_size;  // "10M" -> bytes (middlewared/byte_size.hpp)

// Every problem --check-config reports for `cfg`, as "section.key: problem".
std::vector<std::string> config_problems(const Config& cfg);

// Installs the default spdlog logger described by `cfg`.
void setup_logging(const Config& cfg);

}  // namespace mw::app
