#include <gtest/gtest.h>

#include "app/ini_config.hpp"

namespace mw::app {
namespace {

TEST(IniConfig, ReadsSectionsKeysAndTypes) {
  auto cfg = IniConfig::parse(
      "# comment\n[server]\nlisten = 127.0.0.1:6000\n; other\n[vm]\nstorage_roots = /mnt, /srv/images ,\n"
      "stop_vms_on_shutdown = yes\nlimit = 42\n",
      "test.conf");
  EXPECT_EQ(cfg.get("server", "listen"), "127.0.0.1:6000");
  EXPECT_EQ(cfg.get_list("vm", "storage_roots"), (std::vector<std::string>{"/mnt", "/srv/images"}));
  EXPECT_TRUE(cfg.get_bool("vm", "stop_vms_on_shutdown", false));
  EXPECT_EQ(cfg.get_int("vm", "limit", 0), 42);
  EXPECT_EQ(cfg.get_int("vm", "missing", 7), 7);
  EXPECT_FALSE(cfg.get("nope", "listen").has_value());
}

TEST(IniConfig, MalformedLineNamesFileAndLine) {
  try {
    IniConfig::parse("[server]\nthis is not a setting\n", "bad.conf");
    ADD_FAILURE() << "parsed a malformed line";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "bad.conf:2: expected 'key = value'");
  }
  EXPECT_THROW(IniConfig::parse("key = 1\n", "x"), std::runtime_error);
  EXPECT_THROW(IniConfig::parse("[server\n", "x"), std::runtime_error);
}

TEST(IniConfig, BadNumbersAndBooleansFallBack) {
  auto cfg = IniConfig::parse("[a]\nn = 12x\nb = maybe\n", "x");
  EXPECT_EQ(cfg.get_int("a", "n", 5), 5);
  EXPECT_TRUE(cfg.get_bool("a", "b", true));
}

}  // namespace
}  // namespace mw::app
