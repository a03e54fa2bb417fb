#include "app/log_settings.hpp"

#include <gtest/gtest.h>

#include "app/ini_config.hpp"

namespace mw::app {
namespace {

IniConfig config(std::string_view text) { return IniConfig::parse(text, "test.conf"); }

TEST(LogSettings, DefaultsToStderrAtInfo) {
  auto s = log_settings(config(""));
  EXPECT_EQ(s.level, "info");
  EXPECT_EQ(s.file, "");
  EXPECT_EQ(s.max_size, 10u << 20);
  EXPECT_EQ(s.max_files, 5u);
}

TEST(LogSettings, ReadsTheLogSectionBeforeTheOlderServerKeys) {
  auto s =
      log_settings(config("[server]\nlog_file = /old.log\nlog_level = warn\n[log]\nfile = /new.log\nlevel = debug\n"
                          "max_size = 2M\nmax_files = 3\n"));
  EXPECT_EQ(s.level, "debug");
  EXPECT_EQ(s.file, "/new.log");
  EXPECT_EQ(s.max_size, 2u << 20);
  EXPECT_EQ(s.max_files, 3u);
  EXPECT_EQ(log_settings(config("[server]\nlog_file = /old.log\n")).file, "/old.log");
}

TEST(LogSettings, ParsesByteSizesWithUnits) {
  EXPECT_EQ(parse_byte_size("4096"), 4096u);
  EXPECT_EQ(parse_byte_size("512K"), 512u << 10);
  EXPECT_EQ(parse_byte_size("1g"), 1u << 30);
  EXPECT_EQ(parse_byte_size("0"), std::nullopt);
  EXPECT_EQ(parse_byte_size("10MB"), std::nullopt);
  EXPECT_EQ(parse_byte_size(""), std::nullopt);
}

TEST(LogSettings, RejectsAMalformedMaxSizeNamingTheKey) {
  try {
    log_settings(config("[log]\nmax_size = lots\n"));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "log.max_size: expected a size such as 10M, 512K or 1048576, got 'lots'");
  }
}

TEST(ConfigProblems, ListsEveryBadValue) {
  auto problems =
      config_problems(config("[server]\nworker_threads = -2\nlisten = localhost\ncheck_results = maybe\n"
                             "heap_trim_quiet_ms = soon\n[log]\nlevel = chatty\n"));
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "log.level: unknown level 'chatty' (trace, debug, info, warn, error, critical, off)",
                          "server.worker_threads: expected a positive integer, got '-2'",
                          "server.heap_trim_quiet_ms: expected 0 (never trim) or a positive integer, got 'soon'",
                          "server.listen: expected HOST:PORT (empty disables TCP), got 'localhost'",
                          "server.check_results: expected true, false or fail, got 'maybe'",
                      }));
  EXPECT_TRUE(config_problems(config("[server]\nlisten = 127.0.0.1:6000\n[log]\nmax_files = 2\n")).empty());
}

}  // namespace
}  // namespace mw::app
