#pragma once
// The optional TLS listener ([server] tls_listen: wss:// and https://).
//
// It terminates TLS and hands the clear-text side of each connection, through a socketpair, to the
// same HTTP/WebSocket session code that serves the unix socket, with the TCP peer's PeerInfo
// (secure = true). So every route, protocol, limit and check is the plain listener's own, and the
// Beast HTTP/WebSocket templates are not instantiated a third time for an SSL stream: the only
// OpenSSL-facing code is this file's .cpp (compile time, one place to audit).
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <middlewared/session.hpp>

#include "server/peer_counter.hpp"

namespace spdlog {
class logger;
}

namespace mw::server {

struct TlsListenerOptions {
  std::string listen;                  // HOST:PORT (port 0: any free port)
  std::filesystem::path certificate;   // PEM, the server certificate (chain) first
  std::filesystem::path private_key;   // PEM
  std::shared_ptr<PeerCounter> peers;  // the per-address cap shared with the plain listener
  bool exempt_loopback = false;
  std::chrono::milliseconds handshake_timeout{10000};  // a peer that never finishes the handshake
};

class TlsListener {
 public:
  // Receives the clear-text end of a connection once its TLS handshake succeeded. `slot` is its
  // place in the per-address count (nullptr when exempt or over the cap; `over_cap` tells which).
  using Adopt = std::function<void(boost::asio::local::stream_protocol::socket clear, PeerInfo peer,
                                   std::shared_ptr<PeerCounter::Slot> slot, bool over_cap)>;

  // Loads the certificate and the key; throws std::runtime_error naming the file when either is
  // missing, unreadable, not PEM, or when the key does not belong to the certificate.
  TlsListener(boost::asio::io_context& io, TlsListenerOptions options, Adopt adopt,
              std::shared_ptr<spdlog::logger> log);
  ~TlsListener();
  TlsListener(const TlsListener&) = delete;
  TlsListener& operator=(const TlsListener&) = delete;

  // Binds and starts accepting; returns the bound "ADDRESS:PORT". Throws when it cannot bind.
  std::string start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mw::server
