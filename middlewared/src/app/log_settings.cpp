#include "app/log_settings.hpp"

#include <charconv>
#include <stdexcept>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "server/origin_policy.hpp"

namespace mw::app {
namespace {

bool valid_level(const std::string& level) {
  for (const char* known : {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"})
    if (level == known) return true;
  return false;
}

std::optional<long long> parse_int(std::string_view text) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string first_of(const Config& cfg, std::string_view key, std::string_view legacy_key, std::string fallback) {
  if (auto v = cfg.get("log", key)) return *v;
  if (auto v = cfg.get("server", legacy_key)) return *v;
  return fallback;
}

}  // namespace

LogSettings log_settings(const Config& cfg) {
  LogSettings s;
  s.level = first_of(cfg, "level", "log_level", "info");
  if (!valid_level(s.level))
    throw std::runtime_error("log.level: unknown level '" + s.level +
                             "' (trace, debug, info, warn, error, critical, off)");
  s.file = first_of(cfg, "file", "log_file", "");
  if (auto v = cfg.get("log", "max_size")) {
    auto bytes = parse_byte_size(*v);
    if (!bytes)
      throw std::runtime_error("log.max_size: expected a size such as 10M, 512K or 1048576, got '" + *v + "'");
    s.max_size = *bytes;
  }
  if (auto v = cfg.get("log", "max_files")) {
    auto n = parse_int(*v);
    if (!n || *n < 1 || *n > 1000)
      throw std::runtime_error("log.max_files: expected a number from 1 to 1000, got '" + *v + "'");
    s.max_files = static_cast<std::size_t>(*n);
  }
  return s;
}

std::vector<std::string> config_problems(const Config& cfg) {
  std::vector<std::string> problems;
  try {
    log_settings(cfg);
  } catch (const std::exception& e) {
    problems.emplace_back(e.what());
  }
  auto positive = [&](const char* section, const char* key) {
    if (auto v = cfg.get(section, key)) {
      auto n = parse_int(*v);
      if (!n || *n < 1)
        problems.push_back(std::string(section) + "." + key + ": expected a positive integer, got '" + *v + "'");
    }
  };
  positive("server", "worker_threads");
  positive("server", "job_threads");
  if (auto v = cfg.get("server", "io_threads")) {
    auto n = parse_int(*v);
    if (!n || *n < 0)
      problems.push_back("server.io_threads: expected 0 (one per core) or a positive integer, got '" + *v + "'");
  }
  positive("audit", "max_rows");
  if (auto v = cfg.get("server", "heap_trim_quiet_ms")) {
    auto n = parse_int(*v);
    if (!n || *n < 0)
      problems.push_back("server.heap_trim_quiet_ms: expected 0 (never trim) or a positive integer, got '" + *v + "'");
  }
  if (auto v = cfg.get("server", "listen"); v && !v->empty()) {
    auto colon = v->rfind(':');
    auto port = colon == std::string::npos ? std::nullopt : parse_int(std::string_view(*v).substr(colon + 1));
    if (!port || *port < 0 || *port > 65535)
      problems.push_back("server.listen: expected HOST:PORT (empty disables TCP), got '" + *v + "'");
  }
  try {
    server::OriginPolicy::read_allowed(cfg);
  } catch (const std::exception& e) {
    problems.emplace_back(e.what());
  }
  // Config::get_bool falls back silently on a word it does not know; say so here instead.
  if (auto v = cfg.get("server", "check_results");
      v && *v != "fail" &&
      cfg.get_bool("server", "check_results", true) != cfg.get_bool("server", "check_results", false))
    problems.push_back("server.check_results: expected true, false or fail, got '" + *v + "'");
  return problems;
}

void setup_logging(const Config& cfg) {
  LogSettings s = log_settings(cfg);
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  if (!s.file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(s.file, s.max_size, s.max_files));
  auto log = std::make_shared<spdlog::logger>("middlewared", sinks.begin(), sinks.end());
  auto level = spdlog::level::from_str(s.level);
  log->set_level(level);
  spdlog::set_default_logger(log);
  spdlog::set_level(level);
}

}  // namespace mw::app
