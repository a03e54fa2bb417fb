#include "server/route_registry.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>

#include <middlewared/worker_pool.hpp>

namespace mw::server {

struct RouteRegistry::Pool {
  explicit Pool(std::size_t threads) : pool(threads, "route pool") {}
  WorkerPool pool;
  bool stopped = false;
};

RouteRegistry::RouteRegistry(std::size_t threads) : pool_(std::make_unique<Pool>(threads)) {}

RouteRegistry::~RouteRegistry() { shutdown(); }

void RouteRegistry::add_page(std::string prefix, Page page) {
  add_http(std::move(prefix), [page = std::move(page)](const HttpRequest& req) -> HttpReply {
    if (req.method != "GET") return {405, "text/plain", "Method not allowed\n"};
    auto answer = page(req.query.empty() ? req.path : req.path + "?" + req.query);
    if (!answer) return {404, "text/plain", "Not found\n"};
    return {answer->status, std::move(answer->content_type), std::move(answer->body), std::nullopt,
            std::move(answer->headers)};
  });
}

bool RouteRegistry::prefix_matches(std::string_view prefix, std::string_view path) {
  if (!path.starts_with(prefix)) return false;
  if (path.size() == prefix.size() || prefix.ends_with('/')) return true;
  return path[prefix.size()] == '/' || path[prefix.size()] == '?';
}

template <class T>
const T* RouteRegistry::longest(const std::vector<Route<T>>& routes, std::string_view path) {
  const Route<T>* best = nullptr;
  for (const auto& r : routes)
    if (prefix_matches(r.prefix, path) && (!best || r.prefix.size() > best->prefix.size())) best = &r;
  return best ? best->target.get() : nullptr;
}

namespace {
void check_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.front() != '/')
    throw std::invalid_argument("route prefix must start with '/': " + prefix);
}
}  // namespace

void RouteRegistry::add_http(std::string prefix, HttpHandler handler) {
  check_prefix(prefix);
  std::lock_guard lock(mutex_);
  for (const auto& r : http_)
    if (r.prefix == prefix) throw std::invalid_argument("HTTP route registered twice: " + prefix);
  http_.push_back({std::move(prefix), std::make_unique<HttpHandler>(std::move(handler))});
}

void RouteRegistry::add_websocket(std::string prefix, WebSocketAcceptor acceptor) {
  check_prefix(prefix);
  std::lock_guard lock(mutex_);
  for (const auto& r : websocket_)
    if (r.prefix == prefix) throw std::invalid_argument("WebSocket route registered twice: " + prefix);
  websocket_.push_back({std::move(prefix), std::make_unique<WebSocketAcceptor>(std::move(acceptor))});
}

const HttpHandler* RouteRegistry::find_http(std::string_view path) const {
  std::lock_guard lock(mutex_);
  return longest(http_, path);
}

const WebSocketAcceptor* RouteRegistry::find_websocket(std::string_view path) const {
  std::lock_guard lock(mutex_);
  return longest(websocket_, path);
}

void RouteRegistry::run_blocking(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (pool_->stopped) return;
  boost::asio::post(pool_->pool.get_executor(), std::move(task));
}

void RouteRegistry::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (pool_->stopped) return;
    pool_->stopped = true;
  }
  pool_->pool.join();
}

}  // namespace mw::server
