#pragma once
// Helpers of the tests that act as a remote (non-loopback) client: a root API key to log in
// with, and an address of this machine that is not loopback.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <string>

#include <boost/json.hpp>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {

// A fresh API key for root, made over the unix socket.
inline std::string create_root_key(const DaemonProcess& d, const std::string& key_name) {
  auto root = RpcClient::unix_socket(d.socket_path());
  auto created = root.call("api_key.create", {boost::json::object{{"name", key_name}, {"username", "root"}}});
  return std::string(created.at("key").as_string());
}

// A local IPv4 address that is not loopback, or "" when the machine has none.
inline std::string non_loopback_ipv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string found;
  for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text)) found = text;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace mw::test
