#include "server/tcp_peer.hpp"

namespace mw::server {

PeerInfo tcp_peer(const boost::asio::ip::tcp::socket& socket, bool secure) {
  PeerInfo p;
  p.transport = PeerInfo::Transport::Tcp;
  p.secure = secure;
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    p.remote_address = remote.address().to_string();
    p.remote_port = remote.port();
  }
  auto local = socket.local_endpoint(ec);
  if (!ec) p.local_address = local.address().to_string();
  return p;
}

}  // namespace mw::server
