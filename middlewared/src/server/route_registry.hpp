#pragma once
// Every HTTP and WebSocket path the daemon serves besides the JSON-RPC endpoints: the routes
// plugins register (PluginContext::add_http_route and add_websocket_route) and the core's own
// pages (/health, /metrics, /api/versions, the dashboard), and the small thread pool their
// handlers run on, so that a handler may block (open a file, render metrics, make an in-process
// call) without stalling a network thread.
// No Beast here: plugin_host.cpp includes this; the Beast side is extension_routes.cpp.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <middlewared/http.hpp>

namespace mw::server {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // extra response headers (cache, CSP)
};
// A core page: the answer to a GET of `target` (path and query), or nullopt for 404.
using Page = std::function<std::optional<HttpResponse>(const std::string& target)>;

class RouteRegistry {
 public:
  explicit RouteRegistry(std::size_t threads = 2);
  ~RouteRegistry();
  RouteRegistry(const RouteRegistry&) = delete;
  RouteRegistry& operator=(const RouteRegistry&) = delete;

  // Throws std::invalid_argument for a prefix that does not start with '/' or is taken.
  void add_http(std::string prefix, HttpHandler handler);
  void add_websocket(std::string prefix, WebSocketAcceptor acceptor);
  // A core page under `prefix`: other methods than GET are answered 405.
  void add_page(std::string prefix, Page page);

  // The route with the longest prefix matching `path` (see prefix_matches), or null. The pointers
  // stay valid for the registry's life: routes are added at setup and never removed.
  const HttpHandler* find_http(std::string_view path) const;
  const WebSocketAcceptor* find_websocket(std::string_view path) const;

  // Runs `task` on the route pool (never on the network thread).
  void run_blocking(std::function<void()> task);
  // Joins the pool; later run_blocking calls are dropped.
  void shutdown();

  // "/_download" matches "/_download" and "/_download/7" but not "/_downloads";
  // a prefix ending in '/' matches everything below it.
  static bool prefix_matches(std::string_view prefix, std::string_view path);

 private:
  template <class T>
  struct Route {
    std::string prefix;
    std::unique_ptr<T> target;
  };
  template <class T>
  static const T* longest(const std::vector<Route<T>>& routes, std::string_view path);

  mutable std::mutex mutex_;
  std::vector<Route<HttpHandler>> http_;
  std::vector<Route<WebSocketAcceptor>> websocket_;
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace mw::server
