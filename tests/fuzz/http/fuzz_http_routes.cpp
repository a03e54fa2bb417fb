// The HTTP request line, headers, path and query string of every route, as anyone may send them:
// Beast's parser with the server's limits, then our code that splits and matches the target
// (to_plugin_request, the route registry, the /ui files, the console's /_download and
// /vm/display/ paths and their query strings). Nothing may throw or crash, and no path may name a
// file outside its root.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <mw/util/text.hpp>

#include "app/ui_route.hpp"
#include "console/console_protocol.hpp"
#include "server/plugin_request.hpp"
#include "server/route_registry.hpp"

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace console = mw::vm::console;

namespace {

constexpr const char* kSecret = "SECRET-OUTSIDE-THE-ROOT";

// <dir>/root holds the served files; <dir>/secret.txt must never be served, not even through
// the symlink root/link.txt that points at it.
struct Files {
  Files() {
    char tmpl[] = "/tmp/fuzz-http-XXXXXX";
    dir = mkdtemp(tmpl);
    fs::create_directories(dir / "root" / "assets");
    std::ofstream(dir / "root" / "index.html") << "index";
    std::ofstream(dir / "root" / "assets" / "app.js") << "js";
    std::ofstream(dir / "secret.txt") << kSecret;
    fs::create_symlink(dir / "secret.txt", dir / "root" / "link.txt");
  }
  ~Files() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  fs::path dir;
};

// The routes the daemon registers (the console's, beside the core's own).
mw::server::RouteRegistry& routes() {
  static mw::server::RouteRegistry* registry = [] {
    auto* r = new mw::server::RouteRegistry(1);
    auto http = [](const mw::HttpRequest&) { return mw::HttpReply{}; };
    auto ws = [](const mw::HttpRequest&, std::shared_ptr<mw::WebSocketChannel>) { return nullptr; };
    r->add_http("/_download", http);
    r->add_http("/vm/display/", http);
    r->add_websocket("/vm/display/", ws);
    r->add_websocket("/_shell", ws);
    r->add_websocket("/websocket/shell", ws);
    return r;
  }();
  return *registry;
}

bool inside(const fs::path& root, const fs::path& file) {
  auto normal = file.lexically_normal();
  auto rel = normal.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static Files files;
  static mw::app::UiRoute ui(files.dir / "root");

  http::request_parser<http::string_body> parser;
  parser.header_limit(8192);  // as HttpSession::read
  parser.body_limit(8192);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (!parser.is_header_done()) return 0;
  const auto& req = parser.get();

  mw::HttpRequest plugin = mw::server::ext::to_plugin_request(req, mw::PeerInfo{});
  if (plugin.path.find('?') != std::string::npos) __builtin_trap();
  for (const auto& [name, value] : plugin.headers)
    if (name != mw::util::ascii_lower(name)) __builtin_trap();

  // Plain GET targets: the dashboard files.
  if (auto page = ui(req.target()); page && page->status == 200 && page->body == kSecret) __builtin_trap();

  // Plugin routes and what the console does with their paths and query strings.
  routes().find_http(plugin.path);
  routes().find_websocket(plugin.path);
  console::id_after(plugin.path, "/_download/");
  console::query_param(plugin.query, "auth_token");
  console::query_param(plugin.query, "token");
  if (auto where = console::parse_display_path(plugin.path)) {
    const fs::path root = "/usr/share/novnc";
    if (auto file = console::static_file(root, where->rest)) {
      if (!inside(root, *file)) __builtin_trap();
      console::content_type_for(*file);
    }
  }
  return 0;
}
