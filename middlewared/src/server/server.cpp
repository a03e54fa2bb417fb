// The one translation unit that instantiates Boost.Beast on the server side (compile time).
#include "server/server.hpp"
#include "server/tcp_peer.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include <deque>
#include <fstream>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <middlewared/client_text.hpp>
#include <middlewared/guard.hpp>

#include <mw/util/random.hpp>
#include <mw/util/time.hpp>
#include "events/event_hub.hpp"
#include "rpc/dispatcher.hpp"
#include "server/accept_backoff.hpp"
#include "server/close_reason.hpp"
#include "server/drop_socket.hpp"
#include "server/extension_routes.hpp"
#include "server/frame_gate.hpp"
#include "server/gated_stream.hpp"
#include "server/idle_watch.hpp"
#include "server/io_threads.hpp"
#include "server/origin_policy.hpp"
#include "server/peer_counter.hpp"
#include "server/tls_listener.hpp"
#include "session/client_session.hpp"

namespace mw::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

namespace {

constexpr std::size_t kAnonymousMaxMessage = 8192;
constexpr std::size_t kAuthenticatedMaxMessage = 65536;
constexpr std::size_t kMaxQueuedFrames = 10000;
// A streamed answer's frames: large enough that a frame's header and system call cost nothing
// against its bytes, small enough to stay in the caches between being written and being sent.
constexpr std::size_t kStreamPartSize = 64 * 1024;

// The connection whose frames the calling thread is handling right now, if any: its answers are
// held to leave together (FrameGate::hold).
thread_local const void* t_handling_frames_of = nullptr;

// The wire format spoken on an RPC path, or nullopt when the path is not an RPC endpoint.
std::optional<session::WireFormat> rpc_path_format(std::string_view target) {
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (path == "/api/current" || path == "/api/v27.0.0" || path == "/api/v26.0.0") return session::WireFormat::JsonRpc;
  if (path == "/websocket") return session::WireFormat::Legacy;
  return std::nullopt;
}

PeerInfo peer_of(const tcp::socket& s) { return tcp_peer(s, false); }

PeerInfo peer_of(local::socket& s) {
  PeerInfo p;
  p.transport = PeerInfo::Transport::Unix;
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    p.uid = cred.uid;
    p.pid = static_cast<uint32_t>(cred.pid);
  }
  return p;
}

// Unix-socket peers whose credentials say root are logged in at connect.
std::shared_ptr<const Credentials> credentials_at_connect(const PeerInfo& p) {
  if (p.transport != PeerInfo::Transport::Unix || !p.uid || *p.uid != 0) return nullptr;
  auto c = std::make_shared<Credentials>();
  c->type = "UNIX_SOCKET";
  c->username = "root";
  c->uid = 0;
  c->roles = {kFullAdmin};
  c->login_id = util::uuid4();
  c->login_at_ms = util::now_ms();
  return c;
}

struct Shared {
  rpc::Dispatcher& dispatcher;
  events::EventHub& hub;
  std::shared_ptr<spdlog::logger> log;
  std::size_t max_queued_bytes;
  RouteRegistry* routes = nullptr;
  UploadStarter upload;  // POST /_upload; empty = not served (needs `routes` for its pool)
  std::size_t max_subscriptions = session::ClientSession::kDefaultMaxSubscriptions;
  std::chrono::milliseconds idle_unauthenticated_timeout{0};
  std::shared_ptr<PeerCounter> tcp_peers;  // connections per remote address
  bool exempt_loopback = false;
  OriginPolicy origins = OriginPolicy();  // its default constructor is explicit: not from `{}`
  IoThreads* io_threads = nullptr;        // where accepted connections live
};

template <class Protocol>
class WsSession : public session::ClientSession {
 public:
  using Stream = beast::basic_stream<Protocol>;

  WsSession(Stream&& stream, PeerInfo peer, session::WireFormat format, std::shared_ptr<PeerCounter::Slot> slot,
            Shared& shared)
      : ClientSession(std::move(peer), shared.hub, format, shared.max_subscriptions),
        gate_(FrameGate::Limits{kMaxQueuedFrames, shared.max_queued_bytes}),
        ws_(gate_, std::move(stream)),
        shared_(shared),
        slot_(std::move(slot)),
        idle_(ws_.get_executor(), shared.idle_unauthenticated_timeout) {
    ws_.next_layer().before_io([this] { react(gate_.flush()); });
  }

  void run(http::request<http::string_body> req) {
    set_credentials(credentials_at_connect(peer()));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1u << 20);  // backstop; the real limits are checked per message below
    ws_.auto_fragment(false);
    ws_.async_accept(req, [self = self()](beast::error_code ec) { self->on_accept(ec); });
  }

  // Any thread. Most frames go straight to the socket from the calling thread (FrameGate); the
  // I/O thread is called in only for what cannot. Answers produced while this connection's frames
  // are handled wait for the others of the same read.
  bool send(std::shared_ptr<const std::string> frame) override {
    react(t_handling_frames_of == this ? gate_.hold(std::move(frame)) : gate_.offer(std::move(frame)));
    return true;
  }

  bool send_stream(std::shared_ptr<session::StreamedAnswer> answer) override {
    react(gate_.offer_stream(std::move(answer)));
    return true;
  }

  void close(int code, std::string reason) override {
    net::post(ws_.get_executor(), [self = self(), code, reason = std::move(reason)]() mutable {
      self->close_now(static_cast<websocket::close_code>(code), std::move(reason));
    });
  }

 private:
  std::shared_ptr<WsSession> self() { return std::static_pointer_cast<WsSession>(shared_from_this()); }

  // What the I/O thread must do after the gate took a frame.
  void react(FrameGate::Offer offer) {
    using Offer = FrameGate::Offer;
    switch (offer) {
      case Offer::Sent:
      case Offer::Held:
      case Offer::Queued:
      case Offer::Closed:
        break;
      case Offer::Start:
        net::post(ws_.get_executor(), [self = self()] { self->write_next(); });
        break;
      case Offer::Partial:
        net::post(ws_.get_executor(), [self = self()] { self->write_remainder(); });
        break;
      case Offer::Overflow:
        net::post(ws_.get_executor(), [self = self()] { self->drop_slow_consumer(); });
        break;
      case Offer::Failed:
        net::post(ws_.get_executor(), [self = self()] { self->abort_connection(); });
        break;
    }
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    gate_.open(beast::get_lowest_layer(ws_).socket().native_handle());
    shared_.hub.attach(shared_from_this());
    shared_.log->debug("session {} connected ({})", id(), peer().origin());
    idle_.start(
        self(), [this] { return credentials() != nullptr; },
        [this] {
          shared_.log->info("session {} ({}) closed: unauthenticated and idle for {} ms", id(), peer().origin(),
                            idle_.timeout().count());
          close_now(static_cast<websocket::close_code>(IdleWatch::kCloseCode), IdleWatch::kCloseReason);
        });
    read();
  }

  void read() {
    ws_.async_read_some(buffer_, 16384, [self = self()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    idle_.activity();
    bool authenticated = credentials() != nullptr;
    if (!authenticated && buffer_.size() > kAnonymousMaxMessage)
      return close_now(websocket::close_code::bad_payload, "Anonymous connection max message length is 8 kB");
    if (authenticated && buffer_.size() > kAuthenticatedMaxMessage)
      return close_now(websocket::close_code::too_big, "Max message length is 64 kB");
    if (!ws_.is_message_done()) return read();
    if (ws_.got_binary()) return close_now(websocket::close_code::unknown_data, "Invalid websocket message type: 2");
    auto data = buffer_.cdata();
    std::string_view frame(static_cast<const char*>(data.data()), data.size());
    auto deliver = [&] {
      struct Handling {
        explicit Handling(const void* session) { t_handling_frames_of = session; }
        ~Handling() { t_handling_frames_of = nullptr; }
      } handling(this);
      shared_.dispatcher.on_message(shared_from_this(), frame);
    };
    if (!run_guarded(shared_.log, "an API message", deliver))
      return close_now(websocket::close_code::internal_error, std::string(kUnexpectedError));
    buffer_.consume(buffer_.size());
    read();
  }

  void drop_slow_consumer() {
    // A consumer this slow would hold memory for everyone: drop it, never block the others.
    shared_.log->warn("session {} ({}) dropped: {} messages ({} bytes) waiting to be read", id(), peer().origin(),
                      gate_.queued_frames(), gate_.queued_bytes());
    abort_connection();
  }

  // Writes the queued frames until the queue is empty: all at once while the socket takes them,
  // else one after another through Beast, which waits until the socket takes more.
  void write_next() {
    if (closed_) return;
    switch (gate_.write_queue()) {
      case FrameGate::Offer::Sent:
        return;
      case FrameGate::Offer::Partial:
        return write_remainder();
      case FrameGate::Offer::Failed:
        return abort_connection();
      case FrameGate::Offer::Overflow:
        return drop_slow_consumer();
      default:
        break;
    }
    auto next = gate_.next_frame();
    if (next.stream) return write_stream(std::move(next.stream), true);
    auto frame = std::move(next.frame);
    if (!frame) return;
    ws_.text(true);
    ws_.async_write(net::buffer(*frame), [self = self(), frame](beast::error_code ec, std::size_t) {
      self->gate_.frame_written();
      if (ec) return self->abort_connection();
      self->write_next();
    });
  }

  // A streamed answer: one message, a frame per part, each part written once the socket took the
  // one before. Meanwhile this connection's calls are read and run; their answers queue behind.
  void write_stream(FrameGate::Stream answer, bool first) {
    if (closed_) return;  // a close frame is on its way: the message stays unfinished
    bool last = false;
    try {
      last = answer->next(kStreamPartSize);
    } catch (...) {
      // The message is cut short and cannot be ended well: the client must not wait for the rest.
      log_unexpected(shared_.log, "a streamed answer", std::current_exception());
      gate_.frame_written();
      return abort_connection();
    }
    if (first) ws_.text(true);
    const auto payload = net::buffer(answer->part());
    ws_.async_write_some(last, payload,
                         [self = self(), answer = std::move(answer), last](beast::error_code ec, std::size_t) mutable {
                           if (ec) {
                             self->gate_.frame_written();
                             return self->abort_connection();
                           }
                           if (!last) return self->write_stream(std::move(answer), false);
                           self->gate_.frame_written();
                           self->write_next();
                         });
  }

  // The rest of a frame the socket took only part of, then whatever queued up behind it.
  void write_remainder() {
    auto rest = gate_.remainder();  // stays put until remainder_written()
    const std::array<net::const_buffer, 2> parts{net::buffer(rest.header.data(), rest.header.size()),
                                                 net::buffer(rest.payload.data(), rest.payload.size())};
    net::async_write(beast::get_lowest_layer(ws_), parts, [self = self()](beast::error_code ec, std::size_t) {
      bool write_queue = false;
      auto held = self->gate_.remainder_written(write_queue);
      if (ec) return self->abort_connection();
      if (held) held();
      if (write_queue) self->write_next();
    });
  }

  void close_now(websocket::close_code code, std::string reason) {
    if (closed_) return;
    closed_ = true;
    react(gate_.flush());  // the answers of frames read before, as if sent at once
    gate_.close_direct_writes();
    shared_.log->debug("session {} closing: {} {}", id(), static_cast<int>(code), reason);
    ws_.async_close(server::close_reason(static_cast<int>(code), reason),
                    [self = self()](beast::error_code) { self->finish(); });
  }

  void abort_connection() {
    closed_ = true;
    gate_.close_direct_writes();
    drop_socket(beast::get_lowest_layer(ws_).socket());
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    closed_ = true;
    gate_.close_direct_writes();  // our duplicate descriptor must not keep the socket open
    idle_.stop();
    clear_subscriptions();
    shared_.hub.detach(this);
    shared_.log->debug("session {} disconnected", id());
  }

  FrameGate gate_;  // before ws_, which refers to it
  websocket::stream<GatedStream<Stream>> ws_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  bool closed_ = false;  // I/O thread only
  bool finished_ = false;
  std::shared_ptr<PeerCounter::Slot> slot_;  // released with the session
  IdleWatch idle_;
};

// Reads HTTP requests until one asks for a WebSocket upgrade on an RPC path.
template <class Protocol>
class HttpSession : public std::enable_shared_from_this<HttpSession<Protocol>> {
 public:
  static constexpr std::uint64_t kMaxPlainBody = 8192;
  using Stream = beast::basic_stream<Protocol>;
  // `slot` is the connection's place in the per-address count; nullptr when the address is over
  // its cap, and then every request is answered 503. `peer` replaces what the socket says about
  // its peer: the TLS listener's clear-text socketpair stands for a TCP client.
  HttpSession(typename Protocol::socket&& socket, Shared& shared, std::shared_ptr<PeerCounter::Slot> slot,
              bool over_cap, std::optional<PeerInfo> peer = std::nullopt)
      : stream_(std::move(socket)),
        shared_(shared),
        slot_(std::move(slot)),
        over_cap_(over_cap),
        peer_(std::move(peer)) {}

  void run() { read(); }

 private:
  PeerInfo peer() { return peer_ ? *peer_ : peer_of(stream_.socket()); }

  void read() {
    parser_.emplace();
    parser_->header_limit(8192);
    // Beast judges Content-Length against body_limit while reading the header: no limit until the
    // path is known (an upload is streamed), then 8 KiB for everything else (on_header).
    parser_->body_limit(boost::none);
    stream_.expires_after(std::chrono::seconds(30));
    // The header first: an upload's body is streamed, never read whole (serve_upload).
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return;
    const auto& head = parser_->get();
    std::string_view target = head.target();
    if (shared_.upload && !over_cap_ && head.method() == http::verb::post &&
        target.substr(0, target.find('?')) == "/_upload") {
      auto self = this->shared_from_this();
      ext::serve_upload<Protocol>(self, stream_, buffer_, std::move(*parser_), peer(), shared_.upload, *shared_.routes,
                                  [self](bool keep_alive) { self->after_reply(keep_alive); });
      return;
    }
    if (parser_->content_length().value_or(0) > kMaxPlainBody) return drop_oversized();
    parser_->body_limit(kMaxPlainBody);
    if (parser_->is_done()) return on_read(ec);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  // What Beast answered before: nothing, the connection closes (the body is never read).
  void drop_oversized() {
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ignored);
  }

  void after_reply(bool keep_alive) {
    if (keep_alive) return read();
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ignored);
  }

  void on_read(beast::error_code ec) {
    if (ec) return;
    auto req = parser_->release();
    if (over_cap_) {
      req.keep_alive(false);
      return respond(req, 503, "text/plain", "Too many connections from your address\n");
    }
    if (websocket::is_upgrade(req) && !origin_allowed(req))
      return respond(req, 403, "text/plain", "Origin not allowed\n");
    if (serve_plugin_route(req)) return;
    if (websocket::is_upgrade(req)) {
      auto format = rpc_path_format(req.target());
      if (!format) return respond(req, 404, "text/plain", "Not found\n");
      PeerInfo peer = this->peer();
      auto ws = std::make_shared<WsSession<Protocol>>(std::move(stream_), std::move(peer), *format, std::move(slot_),
                                                      shared_);
      ws->run(std::move(req));
      return;
    }
    if (req.method() != http::verb::get) return respond(req, 405, "text/plain", "Method not allowed\n");
    respond(req, 404, "text/plain", "Not found\n");
  }

  // Browsers say which site a page came from; only the daemon's own and the listed ones may open
  // a WebSocket (server/origin_policy.hpp).
  bool origin_allowed(const http::request<http::string_body>& req) {
    auto origin = req.find(http::field::origin);
    if (origin == req.end()) return true;
    if (shared_.origins.allows(origin->value(), req[http::field::host])) return true;
    shared_.log->info("refused a WebSocket upgrade from origin {} (Host {}, {})", log_text(origin->value()),
                      log_text(req[http::field::host]), peer().origin());
    return false;
  }

  // Every path of the route registry: the plugins' (PluginContext::add_http_route /
  // add_websocket_route) and the core's own pages.
  bool serve_plugin_route(http::request<http::string_body>& req) {
    if (!shared_.routes) return false;
    std::string_view path = req.target();
    path = path.substr(0, path.find('?'));
    if (websocket::is_upgrade(req)) {
      const WebSocketAcceptor* acceptor = shared_.routes->find_websocket(path);
      if (!acceptor) return false;
      PeerInfo peer = this->peer();
      ext::SocketLimits limits{std::move(slot_), shared_.idle_unauthenticated_timeout};
      ext::serve_websocket<Protocol>(std::move(stream_), std::move(req), std::move(peer), *acceptor, *shared_.routes,
                                     std::move(limits), shared_.log);
      return true;
    }
    const HttpHandler* handler = shared_.routes->find_http(path);
    if (!handler) return false;
    auto self = this->shared_from_this();
    ext::serve_http<Protocol>(self, stream_, std::move(req), peer(), *handler, *shared_.routes,
                              [self](bool keep_alive) { self->after_reply(keep_alive); });
    return true;
  }

  void respond(const http::request<http::string_body>& req, int status, std::string type, std::string body,
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), req.version());
    res->set(http::field::server, "middlewared");
    res->set(http::field::content_type, type);
    for (auto& [name, value] : headers) res->set(name, value);
    res->keep_alive(req.keep_alive());
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(Protocol::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  Stream stream_;
  Shared& shared_;
  std::shared_ptr<PeerCounter::Slot> slot_;
  bool over_cap_ = false;
  std::optional<PeerInfo> peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

template <class Protocol>
class Listener : public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(net::io_context& io, typename Protocol::endpoint ep, Shared& shared, std::string name)
      : io_(io), acceptor_(io), shared_(shared), backoff_(io.get_executor(), shared.log, std::move(name)) {
    acceptor_.open(ep.protocol());
    if constexpr (std::is_same_v<Protocol, tcp>) acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  typename Protocol::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run() { accept(); }
  // On the I/O thread.
  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    backoff_.stop();
  }

 private:
  void accept() {
    if (!acceptor_.is_open()) return;
    // The connection lives on the next I/O thread; the acceptor stays on the main loop. No strand:
    // one thread runs that loop, so its handlers never run at once, and a strand would only add
    // the cost of copying its executor in every asynchronous step (docs/BENCHMARKS.md, "Core").
    // The socket is accepted on the main loop and its descriptor then handed to the I/O thread's:
    // an accept still pending when the daemon stops is destroyed with the main loop, after the
    // I/O threads' loops are gone, and must not hold a socket of theirs.
    acceptor_.async_accept([self = this->shared_from_this()](beast::error_code ec, typename Protocol::socket s) {
      if (ec == net::error::operation_aborted) return;
      if (ec) return self->backoff_.failed(ec, [self] { self->accept(); });
      self->backoff_.succeeded();
      if (auto moved = self->onto_io_thread(std::move(s))) self->start_session(std::move(*moved));
      self->accept();
    });
  }

  // The same connection, on the next I/O thread's loop; nullopt if it is already unusable.
  std::optional<typename Protocol::socket> onto_io_thread(typename Protocol::socket s) {
    beast::error_code ec;
    const auto protocol = s.local_endpoint(ec).protocol();
    if (ec) return std::nullopt;
    const auto fd = s.release(ec);
    if (ec) return std::nullopt;
    return typename Protocol::socket(shared_.io_threads->next(), protocol, fd);
  }

  void start_session(typename Protocol::socket s) {
    std::shared_ptr<PeerCounter::Slot> slot;
    bool over_cap = false;
    if constexpr (std::is_same_v<Protocol, tcp>) {
      boost::system::error_code ec;
      auto remote = s.remote_endpoint(ec);
      if (ec) return;  // already gone
      std::string address = remote.address().to_string();
      if (shared_.exempt_loopback && is_loopback_address(address)) return spawn(std::move(s), nullptr, false);
      slot = shared_.tcp_peers->acquire(address);
      if (!slot) {
        over_cap = true;
        shared_.log->debug("connection from {} refused: over the per-address cap", address);
      }
    }
    spawn(std::move(s), std::move(slot), over_cap);
  }

  void spawn(typename Protocol::socket s, std::shared_ptr<PeerCounter::Slot> slot, bool over_cap) {
    auto executor = s.get_executor();
    auto session = std::make_shared<HttpSession<Protocol>>(std::move(s), shared_, std::move(slot), over_cap);
    net::post(executor, [session] { session->run(); });  // on the connection's own I/O thread
  }

  net::io_context& io_;
  typename Protocol::acceptor acceptor_;
  Shared& shared_;
  AcceptBackoff backoff_;
};

}  // namespace

std::pair<std::string, unsigned short> split_host_port(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("listen address must be HOST:PORT: " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::stoi(listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::runtime_error("listen port out of range: " + listen);
  return {host, static_cast<unsigned short>(port)};
}

struct Server::Impl {
  net::io_context& io;
  ServerOptions options;
  Shared shared;
  std::shared_ptr<Listener<tcp>> tcp_listener;
  std::shared_ptr<Listener<local>> unix_listener;
  std::unique_ptr<TlsListener> tls_listener;
  std::unique_ptr<IoThreads> io_threads;  // last: stopped first, while `shared` is still there
};

Server::Server(net::io_context& io, ServerOptions options, rpc::Dispatcher& dispatcher, events::EventHub& hub,
               std::shared_ptr<spdlog::logger> log)
    : impl_(new Impl{io, std::move(options), Shared{dispatcher, hub, log, 0}, nullptr, nullptr}) {
  impl_->shared.max_queued_bytes = impl_->options.max_queued_bytes;
  impl_->shared.routes = impl_->options.routes;
  if (impl_->options.routes) impl_->shared.upload = impl_->options.upload;
  impl_->shared.max_subscriptions = impl_->options.max_subscriptions;
  impl_->shared.idle_unauthenticated_timeout = impl_->options.idle_unauthenticated_timeout;
  impl_->shared.tcp_peers = std::make_shared<PeerCounter>(impl_->options.max_connections_per_ip);
  impl_->shared.exempt_loopback = impl_->options.exempt_loopback;
  impl_->shared.origins = OriginPolicy(impl_->options.allowed_origins);
  impl_->io_threads = std::make_unique<IoThreads>(impl_->options.io_threads, log);
  impl_->shared.io_threads = impl_->io_threads.get();
}

Server::~Server() { stop(); }

void Server::start() {
  auto& o = impl_->options;
  if (o.unix_path) {
    std::filesystem::create_directories(o.unix_path->parent_path());
    std::error_code ignored;
    std::filesystem::remove(*o.unix_path, ignored);  // a stale socket of a previous run
    try {
      impl_->unix_listener = std::make_shared<Listener<local>>(impl_->io, local::endpoint(o.unix_path->string()),
                                                               impl_->shared, "unix socket " + o.unix_path->string());
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot listen on " + o.unix_path->string() + ": " + e.what());
    }
    // Everyone may connect; only root peers are authenticated at connect.
    ::chmod(o.unix_path->c_str(), 0666);
    impl_->unix_listener->run();
    impl_->shared.log->info("listening on unix socket {}", o.unix_path->string());
  }
  if (o.tcp_listen) {
    auto [host, port] = split_host_port(*o.tcp_listen);
    try {
      tcp::endpoint ep(net::ip::make_address(host), port);
      impl_->tcp_listener = std::make_shared<Listener<tcp>>(impl_->io, ep, impl_->shared, "tcp " + *o.tcp_listen);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot listen on " + *o.tcp_listen + ": " + e.what());
    }
    auto bound = impl_->tcp_listener->local_endpoint();
    std::string bound_text = bound.address().to_string() + ":" + std::to_string(bound.port());
    if (!o.tcp_port_file.empty()) {
      std::filesystem::create_directories(o.tcp_port_file.parent_path());
      std::ofstream(o.tcp_port_file) << bound_text << "\n";
    }
    impl_->tcp_listener->run();
    impl_->shared.log->info("listening on tcp {}", bound_text);
  }
  if (o.tls_listen) start_tls();
}

void Server::start_tls() {
  auto& o = impl_->options;
  TlsListenerOptions tls{*o.tls_listen, o.tls_certificate, o.tls_private_key, impl_->shared.tcp_peers,
                         impl_->shared.exempt_loopback};
  // Decrypted connections join the unix-socket session code, as the TCP peer they are.
  auto adopt = [&shared = impl_->shared](local::socket clear, PeerInfo peer, std::shared_ptr<PeerCounter::Slot> slot,
                                         bool over_cap) {
    std::make_shared<HttpSession<local>>(std::move(clear), shared, std::move(slot), over_cap, std::move(peer))->run();
  };
  impl_->tls_listener = std::make_unique<TlsListener>(impl_->io, std::move(tls), std::move(adopt), impl_->shared.log);
  std::string bound;
  try {
    bound = impl_->tls_listener->start();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + *o.tls_listen + " (TLS): " + e.what());
  }
  if (!o.tls_port_file.empty()) {
    std::filesystem::create_directories(o.tls_port_file.parent_path());
    std::ofstream(o.tls_port_file) << bound << "\n";
  }
  impl_->shared.log->info("listening on tls {} (certificate {})", bound, o.tls_certificate.string());
}

void Server::stop() {
  if (impl_->tcp_listener) impl_->tcp_listener->stop();
  if (impl_->unix_listener) impl_->unix_listener->stop();
  if (impl_->tls_listener) impl_->tls_listener->stop();
  impl_->io_threads->stop();
}

void Server::release_unused_stacks() { impl_->io_threads->release_unused_stacks(); }

}  // namespace mw::server
