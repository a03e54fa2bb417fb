#include "auth/origin.hpp"

#include <arpa/inet.h>

#include <cstring>

#include <middlewared/errors.hpp>

namespace mw::plugins::auth {

OriginKey origin_key(const PeerInfo& peer) {
  OriginKey k;
  k.transport = peer.transport;
  if (peer.transport == PeerInfo::Transport::Tcp) k.address = peer.remote_address;
  if (peer.transport == PeerInfo::Transport::Unix) k.uid = peer.uid;
  return k;
}

std::string origin_text(const PeerInfo& peer) {
  switch (peer.transport) {
    case PeerInfo::Transport::Tcp: {
      bool v6 = peer.remote_address.find(':') != std::string::npos;
      std::string addr = v6 ? "[" + peer.remote_address + "]" : peer.remote_address;
      return addr + ":" + std::to_string(peer.remote_port);
    }
    case PeerInfo::Transport::Unix:
      return "UNIX socket (pid=" + (peer.pid ? std::to_string(*peer.pid) : std::string("?")) +
             " uid=" + (peer.uid ? std::to_string(*peer.uid) : std::string("?")) + ")";
    case PeerInfo::Transport::Internal:
      break;
  }
  return "internal";
}

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(v6.s6_addr, loopback, 16) == 0) return true;
    // An IPv4-mapped address (::ffff:127.x.y.z) from a dual-stack listener.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(v6.s6_addr, mapped, 12) == 0 && v6.s6_addr[12] == 127;
  }
  return false;
}

bool is_plain_remote_transport(const PeerInfo& peer) {
  return peer.transport == PeerInfo::Transport::Tcp && !peer.secure && !is_loopback_address(peer.remote_address);
}

bool is_internal_peer(const PeerInfo& peer) {
  return peer.transport == PeerInfo::Transport::Internal ||
         (peer.transport == PeerInfo::Transport::Unix && peer.uid && *peer.uid == 0);
}

void require_private_caller(CallContext& c) {
  if (!c.session || is_internal_peer(c.session->peer())) return;
  const json::value* asked = c.session->set_options({}).if_contains("private_methods");  // {} reads them
  if (asked && asked->is_bool() && asked->get_bool()) return;
  throw CallError(c.method +
                      " is a private method: only root on the unix socket or a connection that set "
                      "private_methods may call it",
                  EPERM);
}

}  // namespace mw::plugins::auth
