#include <gtest/gtest.h>

#include "auth/origin.hpp"

namespace mw::plugins::auth {
namespace {

PeerInfo tcp(std::string addr, uint16_t port) {
  PeerInfo p;
  p.transport = PeerInfo::Transport::Tcp;
  p.remote_address = std::move(addr);
  p.remote_port = port;
  return p;
}

PeerInfo unix_peer(uint32_t uid, uint32_t pid) {
  PeerInfo p;
  p.transport = PeerInfo::Transport::Unix;
  p.uid = uid;
  p.pid = pid;
  return p;
}

TEST(Origin, TcpOriginIgnoresThePort) {
  EXPECT_EQ(origin_key(tcp("10.0.0.5", 1000)), origin_key(tcp("10.0.0.5", 2000)));
  EXPECT_FALSE(origin_key(tcp("10.0.0.5", 1000)) == origin_key(tcp("10.0.0.6", 1000)));
}

TEST(Origin, UnixOriginIsTheUidNotThePid) {
  EXPECT_EQ(origin_key(unix_peer(0, 10)), origin_key(unix_peer(0, 11)));
  EXPECT_FALSE(origin_key(unix_peer(0, 10)) == origin_key(unix_peer(1000, 10)));
  EXPECT_FALSE(origin_key(unix_peer(0, 10)) == origin_key(tcp("127.0.0.1", 1)));
}

TEST(Origin, TextLooksLikeTrueNas) {
  EXPECT_EQ(origin_text(tcp("192.168.0.3", 40392)), "192.168.0.3:40392");
  EXPECT_EQ(origin_text(tcp("::1", 5)), "[::1]:5");
  EXPECT_EQ(origin_text(unix_peer(0, 42)), "UNIX socket (pid=42 uid=0)");
}

TEST(Origin, OnlyNonLoopbackTcpIsPlainRemote) {
  EXPECT_FALSE(is_plain_remote_transport(tcp("127.0.0.1", 1)));
  EXPECT_FALSE(is_plain_remote_transport(tcp("127.8.9.10", 1)));
  EXPECT_FALSE(is_plain_remote_transport(tcp("::1", 1)));
  EXPECT_FALSE(is_plain_remote_transport(tcp("::ffff:127.0.0.1", 1)));
  EXPECT_FALSE(is_plain_remote_transport(unix_peer(1000, 1)));
  EXPECT_TRUE(is_plain_remote_transport(tcp("192.168.1.10", 1)));
  EXPECT_TRUE(is_plain_remote_transport(tcp("::ffff:10.0.0.1", 1)));
  EXPECT_TRUE(is_plain_remote_transport(tcp("fe80::1", 1)));
}

}  // namespace
}  // namespace mw::plugins::auth
