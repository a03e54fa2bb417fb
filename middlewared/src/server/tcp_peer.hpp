#pragma once
// Who is on the other end of an accepted TCP connection, as the rest of the daemon sees it.
#include <boost/asio/ip/tcp.hpp>

#include <middlewared/session.hpp>

namespace mw::server {

// Transport Tcp, remote address and port, the local address the peer reached; `secure` for
// connections that arrived through the TLS listener.
PeerInfo tcp_peer(const boost::asio::ip::tcp::socket& socket, bool secure);

}  // namespace mw::server
