#include "midclt/uri.hpp"

#include <gtest/gtest.h>

using namespace midclt;

TEST(Uri, UnixSocketUsesApiCurrentAndLocalhost) {
  auto ep = parse_uri("ws+unix:///run/middleware/middlewared.sock");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->kind, Endpoint::Kind::UnixSocket);
  EXPECT_EQ(ep->socket_path, "/run/middleware/middlewared.sock");
  EXPECT_EQ(ep->target, "/api/current");
  EXPECT_EQ(ep->host_header, "localhost");
  EXPECT_FALSE(ep->legacy);
}

TEST(Uri, BarePathIsAUnixSocket) {
  auto ep = parse_uri("./var/run/middlewared.sock");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->kind, Endpoint::Kind::UnixSocket);
  EXPECT_EQ(ep->socket_path, "./var/run/middlewared.sock");
}

TEST(Uri, UnixSocketWithWebsocketSuffixIsLegacy) {
  auto ep = parse_uri("ws+unix:///tmp/x.sock/websocket");
  ASSERT_TRUE(ep);
  EXPECT_TRUE(ep->legacy);
  EXPECT_EQ(ep->socket_path, "/tmp/x.sock");
  EXPECT_EQ(ep->target, "/websocket");
}

TEST(Uri, TcpWithPortAndPath) {
  auto ep = parse_uri("ws://127.0.0.1:6000/api/current");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->kind, Endpoint::Kind::Tcp);
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 6000);
  EXPECT_EQ(ep->target, "/api/current");
  EXPECT_EQ(ep->host_header, "127.0.0.1:6000");
  EXPECT_FALSE(ep->legacy);
  EXPECT_FALSE(ep->tls);
}

TEST(Uri, TcpDefaultsToPort80AndRootPath) {
  auto ep = parse_uri("ws://nas.example");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->port, 80);
  EXPECT_EQ(ep->target, "/");
  EXPECT_EQ(ep->host_header, "nas.example");
}

TEST(Uri, WebsocketSuffixSelectsLegacyProtocol) {
  auto ep = parse_uri("ws://localhost/websocket");
  ASSERT_TRUE(ep);
  EXPECT_TRUE(ep->legacy);
  EXPECT_EQ(ep->target, "/websocket");
}

TEST(Uri, Ipv6LiteralKeepsBracketsInHostHeaderOnly) {
  auto ep = parse_uri("ws://[::1]:8080/api/current");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 8080);
  EXPECT_EQ(ep->host_header, "[::1]:8080");
}

TEST(Uri, WssIsTlsOnPort443) {
  auto ep = parse_uri("wss://nas/api/current");
  ASSERT_TRUE(ep);
  EXPECT_TRUE(ep->tls);
  EXPECT_EQ(ep->port, 443);
}

TEST(Uri, RejectsUnknownSchemeAndBadPort) {
  UriError error;
  EXPECT_FALSE(parse_uri("http://nas/api/current", &error));
  EXPECT_NE(error.message.find("Unsupported URI scheme 'http'"), std::string::npos);
  EXPECT_FALSE(parse_uri("ws://nas:99999/", &error));
  EXPECT_NE(error.message.find("Invalid port"), std::string::npos);
  EXPECT_FALSE(parse_uri("ws://:80/", &error));
}

TEST(DefaultUri, PrefersEnvironmentThenSystemSocketThenEmbedded) {
  auto no_env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  auto env = [](const char* name) -> std::optional<std::string> {
    return std::string(name) == "MIDCLT_URI" ? std::optional<std::string>("ws://h:1/api/current") : std::nullopt;
  };
  auto exists = [](std::string_view p) { return p == "/run/middleware/middlewared.sock"; };
  auto missing = [](std::string_view) { return false; };
  EXPECT_EQ(default_uri(env, exists), "ws://h:1/api/current");
  EXPECT_EQ(default_uri(no_env, exists), "ws+unix:///run/middleware/middlewared.sock");
  EXPECT_EQ(default_uri(no_env, missing), "ws+unix://./var/run/middlewared.sock");
}
