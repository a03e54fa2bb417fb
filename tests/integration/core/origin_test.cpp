// Browser WebSocket upgrades against the real daemon: any web page the administrator opens can try
// ws://127.0.0.1:6000, so an upgrade whose Origin is another site is refused, on every WebSocket
// path; clients that send no Origin (midclt, TrueNAS's python client) are not browsers and pass.
#include <gtest/gtest.h>

#include "support/daemon_process.hpp"
#include "support/http_get.hpp"

namespace mw::test {
namespace {

// The head of the answer to an upgrade of `path` with `Host: host` and, when not empty, `origin`.
std::string upgrade(const DaemonProcess& d, const std::string& path, const std::string& host,
                    const std::string& origin) {
  return run_http_head(d.tcp_port(),
                       websocket_upgrade_request(path, host, origin.empty() ? "" : "Origin: " + origin + "\r\n"));
}

TEST(Origin, UpgradesFromTheDaemonsOwnOriginOrWithoutOnePass) {
  DaemonProcess d;
  const std::string host = "127.0.0.1:" + std::to_string(d.tcp_port());
  EXPECT_EQ(http_status(upgrade(d, "/api/current", host, "")), 101);
  EXPECT_EQ(http_status(upgrade(d, "/api/current", host, "http://" + host)), 101);
  EXPECT_EQ(http_status(upgrade(d, "/websocket", host, "https://" + host)), 101);  // TLS ahead of us (a proxy)
  EXPECT_EQ(http_status(upgrade(d, "/api/current", "NAS.example", "https://nas.example:443")), 101);
  EXPECT_EQ(http_status(upgrade(d, "/api/current", "nas.example:80", "http://nas.example")), 101);
}

TEST(Origin, UpgradesFromAnotherSiteAreRefusedOnEveryWebSocketPath) {
  DaemonProcess d;
  const std::string host = "127.0.0.1:" + std::to_string(d.tcp_port());
  for (const char* path : {"/api/current", "/websocket", "/websocket/shell", "/_shell", "/vm/display/1"}) {
    for (const char* origin : {"http://evil.example", "http://127.0.0.1:1", "null", "http://127.0.0.1"}) {
      auto head = upgrade(d, path, host, origin);
      EXPECT_EQ(http_status(head), 403) << path << " from " << origin << "\n" << head;
    }
  }
  // The same host name on another port is another site too.
  EXPECT_EQ(http_status(upgrade(d, "/api/current", "nas.example:8443", "https://nas.example")), 403);
  EXPECT_NE(d.log().find("refused a WebSocket upgrade from origin http://evil.example"), std::string::npos) << d.log();
}

TEST(Origin, AllowedOriginsAdmitOtherSites) {
  DaemonOptions o;
  o.config_text = "[server]\nallowed_origins = https://nas.example:443, http://Other.example:8080\n";
  DaemonProcess d(o);
  const std::string host = "127.0.0.1:" + std::to_string(d.tcp_port());
  EXPECT_EQ(http_status(upgrade(d, "/api/current", host, "https://nas.example")), 101);
  EXPECT_EQ(http_status(upgrade(d, "/websocket/shell", host, "http://other.example:8080")), 101);
  EXPECT_EQ(http_status(upgrade(d, "/api/current", host, "http://nas.example")), 403);  // another scheme
  EXPECT_EQ(http_status(upgrade(d, "/api/current", host, "http://evil.example")), 403);
}

TEST(Origin, AMalformedAllowedOriginStopsTheDaemonWithAClearError) {
  DaemonOptions o;
  o.config_text = "[server]\nallowed_origins = https://nas.example, nas.example\n";
  try {
    DaemonProcess d(o);
    FAIL() << "the daemon started with a malformed allowed origin";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("[server] allowed_origins: 'nas.example' is not an origin such as "
                                         "https://nas.example:443"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mw::test
