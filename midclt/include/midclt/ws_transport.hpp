#pragma once
// The WebSocket transport over a unix socket or TCP (Boost.Beast lives only in its .cpp).
#include <memory>

#include "midclt/transport.hpp"
#include "midclt/uri.hpp"

namespace midclt {

class WsTransport : public Transport {
 public:
  // Connects and performs the WebSocket handshake before `deadline`.
  // Throws DaemonNotRunning or ConnectFailed.
  static std::unique_ptr<WsTransport> connect(const Endpoint& endpoint, Clock::time_point deadline);
  ~WsTransport() override;

  void send(std::string_view text) override;
  std::optional<std::string> receive(std::optional<Clock::time_point> deadline) override;
  void close() override;

 private:
  struct Impl;
  explicit WsTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace midclt
