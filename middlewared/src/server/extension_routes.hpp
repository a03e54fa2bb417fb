#pragma once
// Serving plugin routes over Beast: plain HTTP replies (strings or files streamed in chunks) and
// raw WebSocket connections handed to a plugin's WebSocketHandler. Included only by server.cpp
// and extension_routes.cpp, which instantiates these for TCP and unix-socket streams.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <middlewared/http.hpp>

#include "server/peer_counter.hpp"
#include "server/plugin_request.hpp"
#include "server/route_registry.hpp"
#include "server/upload_pipe.hpp"

namespace spdlog {
class logger;
}

namespace mw::server::ext {

template <class Protocol>
using Stream = boost::beast::basic_stream<Protocol>;
// Runs `handler` on the route pool and writes its reply on `stream`; then calls `done(keep_alive)`
// on the stream's executor (false: the connection is finished). `owner` keeps `stream` alive.
template <class Protocol>
void serve_http(std::shared_ptr<void> owner, Stream<Protocol>& stream, Request req, PeerInfo peer,
                const HttpHandler& handler, RouteRegistry& routes, std::function<void(bool)> done);

// What a plugin WebSocket is held to, like every other connection ([limits]).
struct SocketLimits {
  std::shared_ptr<PeerCounter::Slot> slot;  // its place in the per-address count; null when not counted
  // Closed when silent this long before the plugin says it logged in (WebSocketChannel::set_authenticated).
  std::chrono::milliseconds idle_unauthenticated_timeout{0};
};

// Takes the connection over: asks `acceptor` (on the route pool) and then either completes the
// WebSocket handshake and relays messages to the plugin's handler, or answers 403.
template <class Protocol>
void serve_websocket(Stream<Protocol>&& stream, Request req, PeerInfo peer, const WebSocketAcceptor& acceptor,
                     RouteRegistry& routes, SocketLimits limits, std::shared_ptr<spdlog::logger> log);

// POST /_upload after its header was read with `parser`: streams the multipart body, hands the
// "data" part to `starter` (on the route pool) and the "file" part to the job through an
// UploadPipe, reading from the socket only as fast as the job writes; answers {"job_id": N}.
// Then calls `done(keep_alive)` on the stream's executor. `owner` keeps `stream` and `buffer` alive.
using HeaderParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
template <class Protocol>
void serve_upload(std::shared_ptr<void> owner, Stream<Protocol>& stream, boost::beast::flat_buffer& buffer,
                  HeaderParser&& parser, PeerInfo peer, const UploadStarter& starter, RouteRegistry& routes,
                  std::function<void(bool)> done);

}  // namespace mw::server::ext
