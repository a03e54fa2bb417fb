#pragma once
// The network side: listeners on TCP and on a unix socket, plain HTTP routes, and the upgrade to
// WebSocket JSON-RPC. All Beast code lives in server.cpp (one heavy translation unit).
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace spdlog {
class logger;
}
namespace mw::events {
class EventHub;
}
namespace mw::rpc {
class Dispatcher;
}

namespace mw::server {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
// Answers a plain HTTP GET for `target` (path + query), or nullopt for 404.
using HttpRoute = std::function<std::optional<HttpResponse>(const std::string& target)>;

struct ServerOptions {
  std::optional<std::string> tcp_listen;          // "127.0.0.1:6000"; nullopt = no TCP
  std::optional<std::filesystem::path> unix_path;  // nullopt = no unix socket
  std::filesystem::path tcp_port_file;            // where the bound TCP address is written (tests use port 0)
  std::size_t max_queued_bytes = 32u << 20;        // per connection, before it is dropped as too slow
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, rpc::Dispatcher& dispatcher,
         events::EventHub& hub, HttpRoute http, std::shared_ptr<spdlog::logger> log);
  ~Server();
  // Binds and starts accepting; throws std::runtime_error when an address cannot be bound.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::server
