#pragma once
// Where a connection comes from, as authentication needs it: token origin binding, the origin
// text of auth.sessions, and whether a plain-text secret may cross the transport.
#include <compare>
#include <optional>
#include <string>

#include <middlewared/method.hpp>
#include <middlewared/session.hpp>

namespace mw::plugins::auth {

// Two connections have the same origin when they come from the same remote IP address (TCP) or
// the same user id (unix socket): a reconnecting client gets a new port and a new pid.
struct OriginKey {
  PeerInfo::Transport transport = PeerInfo::Transport::Internal;
  std::string address;          // TCP: remote IP
  std::optional<uint32_t> uid;  // unix: peer uid
  bool operator==(const OriginKey&) const = default;
};

OriginKey origin_key(const PeerInfo& peer);
// "127.0.0.1:40392", "[::1]:40392", "UNIX socket (pid=12 uid=0)", "internal".
std::string origin_text(const PeerInfo& peer);
bool is_loopback_address(const std::string& address);
// True for plain (not TLS) TCP from a non-loopback address: secrets would cross the network in clear.
bool is_plain_remote_transport(const PeerInfo& peer);
// The daemon's own connections and root on the unix socket (TrueNAS's internal sessions).
bool is_internal_peer(const PeerInfo& peer);
// Private methods (TrueNAS's @private) answer only in-process calls, internal sessions and
// connections that asked for private methods (core.set_options); others get EPERM.
void require_private_caller(CallContext& c);

}  // namespace mw::plugins::auth
