#pragma once
// Where midclt connects: `ws+unix:///path/to.sock`, `ws://host[:port]/path`,
// `wss://...`; a URI ending in `/websocket` selects the legacy protocol.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace midclt {

struct Endpoint {
  enum class Kind { UnixSocket, Tcp };
  Kind kind = Kind::UnixSocket;
  bool tls = false;
  bool legacy = false;
  std::string socket_path;  // UnixSocket
  std::string host;         // Tcp: name or address, without IPv6 brackets
  std::uint16_t port = 0;   // Tcp
  std::string target;       // HTTP request target of the WebSocket handshake
  std::string host_header;  // Host header of the handshake
};

struct UriError {
  std::string message;
};

// Parses a URI; a bare path (no "://") means a unix socket at that path.
std::optional<Endpoint> parse_uri(std::string_view uri, UriError* error = nullptr);

inline constexpr std::string_view kSystemSocket = "/run/middleware/middlewared.sock";
inline constexpr std::string_view kEmbeddedSocket = "./var/run/middlewared.sock";

// The default when -u is absent: $MIDCLT_URI if set and not empty, else the system socket if it
// exists, else the embedded default relative to the current directory.
std::string default_uri(const std::function<std::optional<std::string>(const char*)>& getenv,
                        const std::function<bool(std::string_view)>& exists);

}  // namespace midclt
