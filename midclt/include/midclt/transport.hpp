#pragma once
// A message channel to the daemon: one WebSocket text frame per JSON message.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace midclt {

using Clock = std::chrono::steady_clock;

// The socket is absent or refuses connections: "Daemon not running?".
struct DaemonNotRunning : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Any other failure to connect or to complete the WebSocket handshake.
struct ConnectFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// wss://: the server's certificate did not pass verification (`what()`: OpenSSL's reason).
struct CertificateRejected : ConnectFailed {
  using ConnectFailed::ConnectFailed;
};

// The connection ended; `code` is the WebSocket close code when the server sent one.
struct ConnectionClosed : std::runtime_error {
  ConnectionClosed(std::optional<int> code, std::string reason);
  std::optional<int> code;
  std::string reason;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(std::string_view text) = 0;
  // The next message, or nullopt once `deadline` passes (nullopt deadline: wait forever).
  // Throws ConnectionClosed.
  virtual std::optional<std::string> receive(std::optional<Clock::time_point> deadline) = 0;
  // Polite close: sends a close frame and waits briefly for the answer.
  virtual void close() = 0;
};

}  // namespace midclt
