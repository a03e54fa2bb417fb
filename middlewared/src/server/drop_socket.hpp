#pragma once
// Ends a connection at once: no closing handshake, both directions shut, descriptor closed.
// Errors are ignored: the peer may well be gone already.
#include <boost/system/error_code.hpp>

namespace mw::server {

template <class Socket>
void drop_socket(Socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(Socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace mw::server
