#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "console/console_protocol.hpp"

using namespace mw::vm::console;

TEST(ConsoleRoutePaths, ReadsTheJobIdOfADownloadPath) {
  EXPECT_EQ(id_after("/_download/12", "/_download/"), 12);
  EXPECT_EQ(id_after("/_download/0", "/_download/"), 0);
}

TEST(ConsoleRoutePaths, RejectsDownloadPathsWithoutAPlainNumber) {
  EXPECT_FALSE(id_after("/_download/", "/_download/"));
  EXPECT_FALSE(id_after("/_download/12a", "/_download/"));
  EXPECT_FALSE(id_after("/_download/-1", "/_download/"));
  EXPECT_FALSE(id_after("/_download/1/2", "/_download/"));
  EXPECT_FALSE(id_after("/_download/1234567890123456789", "/_download/"));
  EXPECT_FALSE(id_after("/_upload/3", "/_download/"));
}

TEST(ConsoleRoutePaths, SplitsADisplayPathIntoDeviceAndFile) {
  auto p = parse_display_path("/vm/display/7/app/ui.js");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->device_id, 7);
  EXPECT_EQ(p->rest, "app/ui.js");
  EXPECT_EQ(parse_display_path("/vm/display/7/")->rest, "");
  EXPECT_EQ(parse_display_path("/vm/display/7")->device_id, 7);
  EXPECT_FALSE(parse_display_path("/vm/display/x/vnc.html"));
  EXPECT_FALSE(parse_display_path("/vm/display/"));
  EXPECT_FALSE(parse_display_path("/vm/displays/1/"));
}

TEST(ConsoleQuery, DecodesPercentEscapesAndPlusInValues) {
  EXPECT_EQ(query_param("a=1&auth_token=x%2By+z", "auth_token"), "x+y z");
  EXPECT_EQ(query_param("token=abc", "token"), "abc");
  EXPECT_EQ(query_param("flag&token=", "flag"), "");
  EXPECT_FALSE(query_param("tokens=abc", "token"));
  EXPECT_FALSE(query_param("token=%zz", "token"));
  EXPECT_FALSE(query_param("token=%4", "token"));
}

// spice-html5 hands the display token to its WebSockets as a cookie.
TEST(ConsoleQuery, FindsACookieAmongOthers) {
  EXPECT_EQ(cookie_value("a=1; token=xyz; b=2", "token"), "xyz");
  EXPECT_EQ(cookie_value("token=first", "token"), "first");
  EXPECT_EQ(cookie_value("mytoken=no; a=1", "token"), std::nullopt);
  EXPECT_EQ(cookie_value("", "token"), std::nullopt);
}

TEST(ConsoleFiles, TheSpiceViewerPageIsItsOwnIndex) {
  EXPECT_EQ(static_file("/usr/share/spice-html5", "", "spice_auto.html"),
            std::filesystem::path("/usr/share/spice-html5/spice_auto.html"));
  EXPECT_EQ(static_file("/usr/share/novnc", ""), std::filesystem::path("/usr/share/novnc/vnc.html"));
}

TEST(ConsoleQuery, EncodingRoundTripsThroughDecoding) {
  const std::string raw = "vm/display/3/websockify?token=a_b-c&x=y z";
  EXPECT_EQ(percent_encode(raw), "vm%2Fdisplay%2F3%2Fwebsockify%3Ftoken%3Da_b-c%26x%3Dy%20z");
  EXPECT_EQ(percent_decode(percent_encode(raw)), raw);
}

TEST(ConsoleStaticFiles, ServesTheViewerPageForAnEmptyPath) {
  EXPECT_EQ(static_file("/usr/share/novnc", ""), std::filesystem::path("/usr/share/novnc/vnc.html"));
  EXPECT_EQ(static_file("/usr/share/novnc", "app/ui.js"), std::filesystem::path("/usr/share/novnc/app/ui.js"));
  EXPECT_EQ(static_file("/r", "app%2Fstyles%2Fbase.css"), std::filesystem::path("/r/app/styles/base.css"));
}

TEST(ConsoleStaticFiles, RefusesPathsThatLeaveTheRoot) {
  for (const char* bad :
       {"../etc/passwd", "app/../../x", "%2E%2E/x", "/etc/passwd", "%2Fetc", "a//b", "./a", "a%00b", "a\\..\\b", "%zz"})
    EXPECT_FALSE(static_file("/usr/share/novnc", bad)) << bad;
}

TEST(ConsoleStaticFiles, NamesContentTypesBrowsersNeedForModules) {
  EXPECT_EQ(content_type_for("vnc.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app/ui.js"), "application/javascript");
  EXPECT_EQ(content_type_for("app/styles/base.css"), "text/css");
  EXPECT_EQ(content_type_for("x.bin"), "application/octet-stream");
}

TEST(ShellRequest, ReadsTokenAndVmId) {
  auto r = parse_shell_request(R"({"token":"abc","options":{"vm_id":4}})");
  EXPECT_EQ(r.token, "abc");
  EXPECT_EQ(r.vm_id, 4);
  EXPECT_FALSE(parse_shell_request(R"({"token":"abc"})").vm_id);
}

TEST(ShellRequest, RejectsMissingTokenAsInvalidToken) {
  for (const char* bad : {R"({"options":{"vm_id":1}})", R"({"token":""})", R"({"token":5})"}) {
    try {
      parse_shell_request(bad);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), "Invalid token") << bad;
    }
  }
}

TEST(ShellRequest, RejectsVmIdCombinedWithAnApp) {
  EXPECT_THROW(parse_shell_request(R"({"token":"t","options":{"vm_id":1,"app_name":"x"}})"), std::invalid_argument);
  EXPECT_THROW(parse_shell_request(R"({"token":"t","options":{"vm_id":"1"}})"), std::invalid_argument);
  EXPECT_THROW(parse_shell_request("not json"), std::invalid_argument);
  EXPECT_THROW(parse_shell_request("[1]"), std::invalid_argument);
}

TEST(ShellRequest, RejectsVmIdsNoVmCanHaveWithInvalidArgument) {
  // Only std::invalid_argument may leave the parser: anything else used to end the daemon.
  const std::pair<const char*, const char*> cases[] = {{"18446744073709551615", "options.vm_id is out of range"},
                                                       {"9223372036854775808", "options.vm_id is out of range"},
                                                       {"-9223372036854775809", "options.vm_id must be an integer"},
                                                       {"1e300", "options.vm_id must be an integer"}};
  for (const auto& [vm_id, reason] : cases) {
    try {
      parse_shell_request(std::string(R"({"token":"t","options":{"vm_id":)") + vm_id + "}}");
      ADD_FAILURE() << vm_id;
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), reason) << vm_id;
    }
  }
  EXPECT_EQ(parse_shell_request(R"({"token":"t","options":{"vm_id":9223372036854775807}})").vm_id, INT64_MAX);
}

TEST(ShellMessages, HaveTheTrueNasShapes) {
  EXPECT_EQ(boost::json::parse(shell_failed(207, "Invalid token")),
            boost::json::parse(R"({"msg":"failed","error":{"error":207,"reason":"Invalid token"}})"));
  EXPECT_EQ(boost::json::parse(shell_connected("u-1")), boost::json::parse(R"({"msg":"connected","id":"u-1"})"));
}
