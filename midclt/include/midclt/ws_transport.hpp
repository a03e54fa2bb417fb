#pragma once
// The WebSocket transport over a unix socket or TCP (Boost.Beast lives only in its .cpp).
#include <memory>

#include "midclt/transport.hpp"
#include "midclt/uri.hpp"

namespace midclt {

class WsTransport : public Transport {
 public:
  // Connects (wss://: and completes TLS, checking the server's certificate and name when `verify`)
  // and performs the WebSocket handshake before `deadline`.
  // Throws DaemonNotRunning, CertificateRejected or ConnectFailed.
  static std::unique_ptr<WsTransport> connect(const Endpoint& endpoint, Clock::time_point deadline, bool verify = true);
  ~WsTransport() override;

  void send(std::string_view text) override;
  std::optional<std::string> receive(std::optional<Clock::time_point> deadline) override;
  void close() override;

 public:
  struct Impl;  // defined, with its implementations, in the .cpp only

 private:
  explicit WsTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace midclt
