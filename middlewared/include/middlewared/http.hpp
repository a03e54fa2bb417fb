#pragma once
// Plain HTTP and raw WebSocket endpoints a plugin may serve beside the JSON-RPC API: file
// downloads (/_download), the VM serial console (/_shell), the noVNC display proxy (/vm/display/).
// Plugins see requests and byte channels, never Beast.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/session.hpp>

namespace mw {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoding left to the handler
  std::string query;   // after '?', may be empty
  std::map<std::string, std::string, std::less<>> headers;  // names lower-cased
  PeerInfo peer;
  std::string body;
};

// A reply body produced over time (a job's download pipe), sent chunked. The server asks for the
// next piece with read(); `deliver` is called exactly once, on any thread, with a non-empty piece,
// or with `end` true when nothing more comes.
class HttpBodySource {
 public:
  virtual ~HttpBodySource() = default;
  virtual void read(std::function<void(std::string piece, bool end)> deliver) = 0;
  // The client went away (or a write failed): no more reads come.
  virtual void cancel() = 0;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // When set, the file is streamed as the body (body is ignored); large downloads never sit in memory.
  std::optional<std::filesystem::path> file;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set (and no file), the body comes from this source, sent with chunked encoding.
  std::shared_ptr<HttpBodySource> stream;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// Who a plain HTTP request stands for (POST /_upload): its token or other credentials from the
// headers or the query, or nullptr. The auth plugin provides it; it may block.
using HttpAuthenticator = std::function<std::shared_ptr<const Credentials>(const HttpRequest&)>;

// The server side of one accepted WebSocket, as a plugin sees it. Thread-safe.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  virtual void send(std::string data, bool binary) = 0;
  virtual void close(int code, std::string reason) = 0;
  // The peer proved who it is (a token checked): from now on it may stay silent as long as it
  // likes. Until then the server closes it when it sends nothing for [limits]
  // idle_unauthenticated_timeout, like an anonymous JSON-RPC connection.
  virtual void set_authenticated() = 0;
};

// A plugin's end of one WebSocket. Calls arrive on the I/O thread, one at a time: never block.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void on_message(std::string data, bool binary) = 0;
  virtual void on_close() = 0;
};

// Decides whether to take an upgrade request; nullptr refuses it (the server answers 403).
using WebSocketAcceptor =
    std::function<std::shared_ptr<WebSocketHandler>(const HttpRequest&, std::shared_ptr<WebSocketChannel>)>;

}  // namespace mw
