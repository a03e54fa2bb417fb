#pragma once
// The network side: listeners on TCP and on a unix socket, plain HTTP routes, and the upgrade to
// WebSocket JSON-RPC. All Beast code lives in server.cpp (one heavy translation unit); the optional
// TLS listener (tls_listener.cpp) terminates TLS and feeds the same sessions.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/route_registry.hpp"
#include "server/upload_pipe.hpp"

namespace mw {
class Config;
}
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

struct ServerOptions {
  std::optional<std::string> tcp_listen;           // "127.0.0.1:6000"; nullopt = no TCP
  std::optional<std::filesystem::path> unix_path;  // nullopt = no unix socket
  std::filesystem::path tcp_port_file;             // where the bound TCP address is written (tests use port 0)
  // Optional TLS listener (wss://, https://), same routes and checks as tcp_listen; its peers
  // count as secure (plain-text secrets allowed). Certificate chain and key are PEM files.
  std::optional<std::string> tls_listen;
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  std::filesystem::path tls_port_file;       // where the bound TLS address is written
  std::size_t max_queued_bytes = 32u << 20;  // per connection, before it is dropped as too slow
  RouteRegistry* routes = nullptr;           // every HTTP/WebSocket path but the RPC ones (outlives the server)
  UploadStarter upload;                      // POST /_upload (with `routes`); empty = not served
  // [limits] (etc/middlewared.conf): abuse resistance.
  std::size_t max_connections_per_ip = 64;  // TCP connections per remote address; 0 = unlimited
  // Loopback peers are not counted per address. Off by default: behind a reverse proxy on the same
  // host every client is a loopback peer, and any web page can reach 127.0.0.1.
  bool exempt_loopback = false;
  std::size_t max_subscriptions = 256;                            // event subscriptions per connection
  std::chrono::milliseconds idle_unauthenticated_timeout{30000};  // 0 = never closed
  // Browser origins besides the daemon's own that may open WebSockets (server/origin_policy.hpp).
  std::vector<std::string> allowed_origins;
  std::size_t io_threads = 0;  // [server] io_threads: connection I/O threads; 0 = one per core

  // Reads connections_per_ip, exempt_loopback, subscriptions_per_session,
  // idle_unauthenticated_timeout (seconds).
  void read_limits(const Config& config);
  // Reads [server] tls_listen, tls_certificate, tls_private_key.
  void read_tls(const Config& config);
  // Reads [server] allowed_origins; throws std::runtime_error naming a malformed origin.
  void read_origins(const Config& config);
};

// "HOST:PORT" or "[V6]:PORT" -> host and port; throws std::runtime_error when malformed.
std::pair<std::string, unsigned short> split_host_port(const std::string& listen);

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, rpc::Dispatcher& dispatcher, events::EventHub& hub,
         std::shared_ptr<spdlog::logger> log);
  ~Server();
  // Binds and starts accepting; throws std::runtime_error when an address cannot be bound.
  void start();
  void stop();
  // Has the connection I/O threads give back their unused stack pages (for a daemon gone quiet).
  void release_unused_stacks();

 private:
  void start_tls();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mw::server
