// The second (and last) translation unit with server-side Beast code: plugin HTTP routes and
// plugin WebSockets. Kept apart from server.cpp so that the JSON-RPC path stays readable.
#include "server/extension_routes.hpp"
#include "server/close_reason.hpp"
#include "server/drop_socket.hpp"
#include "server/idle_watch.hpp"
#include "server/multipart.hpp"

#include <array>
#include <atomic>
#include <cctype>
#include <deque>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <middlewared/client_text.hpp>
#include <middlewared/guard.hpp>
#include <mw/util/text.hpp>

namespace mw::server::ext {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// A plugin's WebSocket queue may hold this much before the client counts as too slow and is dropped.
constexpr std::size_t kMaxQueuedBytes = 64u << 20;
constexpr std::size_t kMaxMessage = 1u << 20;

// Sends a reply whose body comes from an HttpBodySource, one chunk per piece (chunked encoding),
// then ends the connection. The source may take its time: nothing waits on a thread meanwhile.
template <class Protocol>
class ChunkedReply : public std::enable_shared_from_this<ChunkedReply<Protocol>> {
 public:
  ChunkedReply(std::shared_ptr<void> owner, Stream<Protocol>& stream, std::shared_ptr<HttpBodySource> source,
               std::function<void(beast::error_code)> finish)
      : owner_(std::move(owner)), stream_(stream), source_(std::move(source)), finish_(std::move(finish)) {}

  void start(std::shared_ptr<http::response<http::empty_body>> header) {
    header_ = std::move(header);
    serializer_ = std::make_shared<http::response_serializer<http::empty_body>>(*header_);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write_header(stream_, *serializer_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->fail(ec);
                               self->next();
                             });
  }

 private:
  void next() {
    source_->read([self = this->shared_from_this()](std::string piece, bool end) {
      net::post(self->stream_.get_executor(), [self, piece = std::move(piece), end]() mutable {
        self->piece_ = std::move(piece);
        self->stream_.expires_after(std::chrono::seconds(60));  // a client that stops reading is dropped
        if (end) {
          net::async_write(self->stream_, http::make_chunk_last(),
                           [self](beast::error_code ec, std::size_t) { self->finish_(ec); });
          return;
        }
        net::async_write(self->stream_, http::make_chunk(net::buffer(self->piece_)),
                         [self](beast::error_code ec, std::size_t) {
                           if (ec) return self->fail(ec);
                           self->next();
                         });
      });
    });
  }

  void fail(beast::error_code ec) {
    source_->cancel();
    finish_(ec);
  }

  std::shared_ptr<void> owner_;  // keeps stream_ alive
  Stream<Protocol>& stream_;
  std::shared_ptr<HttpBodySource> source_;
  std::function<void(beast::error_code)> finish_;
  std::shared_ptr<http::response<http::empty_body>> header_;
  std::shared_ptr<http::response_serializer<http::empty_body>> serializer_;
  std::string piece_;
};

// Writes a string reply, the reply's file streamed through Beast's file_body (read in chunks), or
// the reply's body source sent chunked.
template <class Protocol>
void write_reply(std::shared_ptr<void> owner, Stream<Protocol>& stream, unsigned version, bool keep_alive,
                 HttpReply reply, std::function<void(bool)> done) {
  auto finish = [owner, done = std::move(done)](beast::error_code ec, bool keep) { done(!ec && keep); };
  auto decorate = [&](auto& res) {
    res.set(http::field::server, "middlewared");
    res.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    res.keep_alive(keep_alive);
  };
  if (reply.stream && !reply.file) {
    auto res = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(reply.status), version);
    decorate(*res);
    res->keep_alive(false);  // the connection ends with the body
    res->chunked(true);
    auto sender = std::make_shared<ChunkedReply<Protocol>>(owner, stream, std::move(reply.stream),
                                                           [finish](beast::error_code ec) { finish(ec, false); });
    sender->start(std::move(res));
    return;
  }
  if (reply.file) {
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(reply.file->c_str(), beast::file_mode::scan, ec);
    if (!ec) {
      auto res = std::make_shared<http::response<http::file_body>>();
      res->result(static_cast<http::status>(reply.status));
      res->version(version);
      res->body() = std::move(body);
      decorate(*res);
      res->prepare_payload();
      stream.expires_after(std::chrono::hours(1));  // a large download on a slow link
      http::async_write(stream, *res,
                        [res, finish](beast::error_code ec, std::size_t) { finish(ec, res->keep_alive()); });
      return;
    }
    reply.status = 404;
    reply.content_type = "text/plain";
    reply.body = "Not found\n";
    reply.headers.clear();
  }
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version);
  decorate(*res);
  res->body() = std::move(reply.body);
  res->prepare_payload();
  stream.expires_after(std::chrono::seconds(30));
  http::async_write(stream, *res, [res, finish](beast::error_code ec, std::size_t) { finish(ec, res->keep_alive()); });
}

// One plugin WebSocket: Beast on one side, the plugin's WebSocketHandler on the other.
template <class Protocol>
class PluginSocket : public std::enable_shared_from_this<PluginSocket<Protocol>> {
 public:
  PluginSocket(Stream<Protocol>&& stream, Request req, SocketLimits limits, std::shared_ptr<spdlog::logger> log)
      : ws_(std::move(stream)),
        req_(std::move(req)),
        log_(std::move(log)),
        slot_(std::move(limits.slot)),
        idle_(ws_.get_executor(), limits.idle_unauthenticated_timeout) {}

  void start(HttpRequest plugin_req, const WebSocketAcceptor& acceptor, RouteRegistry& routes) {
    auto channel = std::make_shared<Channel>(this->weak_from_this());
    auto self = this->shared_from_this();
    routes.run_blocking([self, channel, plugin_req = std::move(plugin_req), &acceptor]() {
      std::shared_ptr<WebSocketHandler> handler;
      // A throwing acceptor refuses the connection (403).
      run_guarded(self->log_, "WebSocket route " + plugin_req.path, [&] { handler = acceptor(plugin_req, channel); });
      net::post(self->ws_.get_executor(),
                [self, handler = std::move(handler)]() mutable { self->decided(std::move(handler)); });
    });
  }

  void send(std::string data, bool binary) {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), data = std::move(data), binary]() mutable {
      if (self->closing_ || self->finished_) return;
      self->queued_bytes_ += data.size();
      self->queue_.emplace_back(std::move(data), binary);
      if (self->queued_bytes_ > kMaxQueuedBytes) {
        self->log_->warn("plugin WebSocket {} dropped: {} bytes waiting to be read", log_text(self->req_.target()),
                         self->queued_bytes_);
        return self->abort_connection();
      }
      self->pump();
    });
  }

  void close(int code, std::string reason) {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
      self->close_now(code, reason);
    });
  }

  void set_authenticated() { authenticated_ = true; }

 private:
  struct Channel final : WebSocketChannel {
    explicit Channel(std::weak_ptr<PluginSocket> s) : socket(std::move(s)) {}
    void send(std::string data, bool binary) override {
      if (auto s = socket.lock()) s->send(std::move(data), binary);
    }
    void close(int code, std::string reason) override {
      if (auto s = socket.lock()) s->close(code, std::move(reason));
    }
    void set_authenticated() override {
      if (auto s = socket.lock()) s->set_authenticated();
    }
    std::weak_ptr<PluginSocket> socket;
  };

  void decided(std::shared_ptr<WebSocketHandler> handler) {
    if (!handler) return refuse();
    handler_ = std::move(handler);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxMessage);
    // noVNC (and websockify clients) may ask for the "binary" subprotocol; a browser drops the
    // connection when an asked-for protocol is not echoed.
    bool wants_binary = false;
    if (auto it = req_.find(http::field::sec_websocket_protocol); it != req_.end()) {
      std::string protocols = util::ascii_lower(it->value());
      wants_binary = protocols.find("binary") != std::string::npos;
    }
    ws_.set_option(websocket::stream_base::decorator([wants_binary](websocket::response_type& res) {
      res.set(http::field::server, "middlewared");
      if (wants_binary) res.set(http::field::sec_websocket_protocol, "binary");
    }));
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();
      self->accepted_ = true;
      self->idle_.start(
          self, [s = self.get()] { return s->authenticated_.load(); },
          [s = self.get()] {
            s->log_->info("plugin WebSocket {} closed: unauthenticated and idle for {} ms", log_text(s->req_.target()),
                          s->idle_.timeout().count());
            s->close_now(IdleWatch::kCloseCode, IdleWatch::kCloseReason);
          });
      self->read();
      self->pump();
    });
  }

  // On the executor: a close frame goes once the queued messages are out.
  void close_now(int code, std::string_view reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_reason_ = server::close_reason(code, reason);
    pump();
  }

  void refuse() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->set(http::field::server, "middlewared");
    res->set(http::field::content_type, "text/plain");
    res->keep_alive(false);
    res->body() = "Forbidden\n";
    res->prepare_payload();
    finished_ = true;
    http::async_write(ws_.next_layer(), *res, [self = this->shared_from_this(), res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().shutdown(Protocol::socket::shutdown_both, ignored);
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      self->idle_.activity();
      std::string data = beast::buffers_to_string(self->buffer_.cdata());
      self->buffer_.consume(self->buffer_.size());
      auto deliver = [&] { self->handler_->on_message(std::move(data), self->ws_.got_binary()); };
      if (self->handler_ && !run_guarded(self->log_, "a WebSocket route's message handler", deliver))
        return self->close(1011, std::string(kUnexpectedError));
      self->read();
    });
  }

  // Writes queued messages one at a time; once they are out, a requested close goes.
  void pump() {
    if (!accepted_ || writing_ || finished_) return;
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        ws_.async_close(close_reason_, [self = this->shared_from_this()](beast::error_code) { self->finish(); });
      }
      return;
    }
    writing_ = true;
    ws_.binary(queue_.front().second);
    ws_.async_write(net::buffer(queue_.front().first),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queued_bytes_ -= self->queue_.front().first.size();
                      self->queue_.pop_front();
                      if (self->finished_) return self->drop_queue();
                      if (ec) return self->abort_connection();
                      self->pump();
                    });
  }

  void abort_connection() {
    drop_socket(beast::get_lowest_layer(ws_).socket());
    finish();
  }

  // Tells the plugin once, and lets go of its handler (which holds the channel). A write still in
  // flight reads from the queue's front: the queue is dropped only when that write completes.
  void finish() {
    if (finished_) return;
    finished_ = true;
    idle_.stop();
    if (!writing_) drop_queue();
    if (auto h = std::move(handler_)) run_guarded(log_, "a WebSocket route's close handler", [&] { h->on_close(); });
  }

  void drop_queue() {
    queue_.clear();
    queued_bytes_ = 0;
  }

  websocket::stream<Stream<Protocol>> ws_;
  Request req_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<WebSocketHandler> handler_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> queue_;
  std::size_t queued_bytes_ = 0;
  websocket::close_reason close_reason_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
  std::shared_ptr<PeerCounter::Slot> slot_;  // released with the socket
  std::atomic<bool> authenticated_ = false;  // set from any thread by the plugin
  IdleWatch idle_;
};

}  // namespace

template <class Protocol>
void serve_http(std::shared_ptr<void> owner, Stream<Protocol>& stream, Request req, PeerInfo peer,
                const HttpHandler& handler, RouteRegistry& routes, std::function<void(bool)> done) {
  auto plugin_req = std::make_shared<HttpRequest>(to_plugin_request(req, std::move(peer)));
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  routes.run_blocking([owner, &stream, plugin_req, version, keep_alive, &handler, done = std::move(done)]() mutable {
    HttpReply reply;
    if (!run_guarded(nullptr, "HTTP route " + plugin_req->path, [&] { reply = handler(*plugin_req); }))
      reply = HttpReply{500, "text/plain", std::string(kUnexpectedError) + "\n", std::nullopt, {}};
    net::post(stream.get_executor(),
              [owner, &stream, version, keep_alive, reply = std::move(reply), done = std::move(done)]() mutable {
                write_reply<Protocol>(owner, stream, version, keep_alive, std::move(reply), std::move(done));
              });
  });
}

template <class Protocol>
void serve_websocket(Stream<Protocol>&& stream, Request req, PeerInfo peer, const WebSocketAcceptor& acceptor,
                     RouteRegistry& routes, SocketLimits limits, std::shared_ptr<spdlog::logger> log) {
  HttpRequest plugin_req = to_plugin_request(req, std::move(peer));
  auto socket =
      std::make_shared<PluginSocket<Protocol>>(std::move(stream), std::move(req), std::move(limits), std::move(log));
  socket->start(std::move(plugin_req), acceptor, routes);
}

namespace {

// One POST /_upload: the body is read in chunks into `chunk_` and never kept beyond the pipe's limit.
template <class Protocol>
class UploadSession : public std::enable_shared_from_this<UploadSession<Protocol>> {
 public:
  using BodyParser = http::request_parser<http::buffer_body>;

  UploadSession(std::shared_ptr<void> owner, Stream<Protocol>& stream, beast::flat_buffer& buffer,
                HeaderParser&& header, PeerInfo peer, const UploadStarter& starter, RouteRegistry& routes,
                std::function<void(bool)> done)
      : owner_(std::move(owner)),
        stream_(stream),
        buffer_(buffer),
        head_(to_plugin_request(header.get(), std::move(peer))),
        version_(header.get().version()),
        parser_(std::move(header)),
        starter_(starter),
        routes_(routes),
        done_(std::move(done)) {
    parser_.body_limit(boost::none);  // the method's own limit applies (it sees every byte)
  }

  void start() {
    auto boundary = multipart_boundary(head_.headers.count("content-type") ? head_.headers.at("content-type") : "");
    if (!boundary) return refuse(400, "The body must be multipart/form-data with a boundary");
    reader_.emplace(*boundary);
    events_.begin = [this](const std::string& name) { on_part(name); };
    events_.data = [this](std::string_view bytes) { on_data(bytes); };
    events_.end = [this] { on_part_end(); };
    // curl and other clients ask before sending a large body, and wait a second when not told.
    auto expect = head_.headers.find("expect");
    if (expect == head_.headers.end() || util::ascii_lower(expect->second) != "100-continue") return read();
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->broken();
      self->read();
    });
  }

 private:
  enum class Part { None, Data, File, Extra };

  void read() {
    parser_.get().body().data = chunk_.data();
    parser_.get().body().size = chunk_.size();
    stream_.expires_after(std::chrono::seconds(60));  // a client silent this long has gone
    http::async_read_some(stream_, buffer_, parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return broken();
    const std::size_t n = chunk_.size() - parser_.get().body().size;
    if (!reader_->feed(std::string_view(chunk_.data(), n), events_)) return refuse(400, reader_->error());
    if (refusal_) return refuse(refusal_->first, refusal_->second);
    if (parser_.is_done()) return finished();
    if (starting_ || waiting_for_room_) return;  // resumed by started() or the pipe's on_room
    read();
  }

  void on_part(const std::string& name) {
    ++parts_;
    if (parts_ == 1 && name != "data") return set_refusal(405, "\"data\" part must be the first on payload");
    if (parts_ == 2 && name != "file") return set_refusal(405, "\"file\" not found as second part on payload");
    if (parts_ > 2) return set_refusal(405, "Too many uploaded files");
    part_ = parts_ == 1 ? Part::Data : Part::File;
  }

  void on_data(std::string_view bytes) {
    if (refusal_) return;
    if (part_ == Part::Data) {
      if (data_.size() + bytes.size() > 65536) return set_refusal(413, "The \"data\" part is larger than 64 KiB");
      data_.append(bytes);
    } else if (part_ == Part::File && !job_gone_) {
      auto self = this->shared_from_this();
      auto result = pipe_->push(std::string(bytes),
                                [self] { net::post(self->stream_.get_executor(), [self] { self->room(); }); });
      if (result == UploadPipe::Push::Full) waiting_for_room_ = true;
      if (result == UploadPipe::Push::Closed) job_gone_ = true;
    }
  }

  void on_part_end() {
    if (refusal_) return;
    if (part_ == Part::Data) start_job();
    if (part_ == Part::File) {
      pipe_->finish(true);
      file_complete_ = true;
    }
    part_ = Part::None;
  }

  void set_refusal(int status, std::string message) {
    if (!refusal_) refusal_.emplace(status, std::move(message));
  }

  // Authentication and the job's start may block: off to the route pool, reading paused meanwhile.
  void start_job() {
    starting_ = true;
    auto self = this->shared_from_this();
    routes_.run_blocking([self] {
      UploadStart start;
      try {
        start = self->starter_(self->head_, self->data_, self->pipe_);
      } catch (const std::exception& e) {
        start = {500, e.what(), 0};
      }
      net::post(self->stream_.get_executor(), [self, start = std::move(start)] { self->started(start); });
    });
  }

  void started(const UploadStart& start) {
    starting_ = false;
    if (start.status != 200) {
      pipe_->leave();
      return refuse(start.status, start.message);
    }
    job_id_ = start.job_id;
    if (parser_.is_done()) return finished();
    if (!waiting_for_room_) read();
  }

  void room() {
    if (!waiting_for_room_) return;
    waiting_for_room_ = false;
    if (!starting_ && !answered_) read();
  }

  void finished() {
    if (starting_) return;  // started() finishes
    if (!job_id_)
      return refuse(405, parts_ == 0 ? "No part found on payload" : "\"file\" not found as second part on payload");
    if (!file_complete_) pipe_->finish(false);
    answer(200, "application/json", "{\"job_id\": " + std::to_string(*job_id_) + "}", reader_->done());
  }

  void refuse(int status, const std::string& message) {
    pipe_->finish(false);
    answer(status, "text/plain", message, false);
  }

  // The client went away mid-body: the job sees an interrupted upload.
  void broken() {
    pipe_->finish(false);
    answered_ = true;
    done_(false);
  }

  void answer(int status, std::string type, std::string body, bool keep_alive) {
    if (answered_) return;
    answered_ = true;
    HttpReply reply{status, std::move(type), std::move(body), std::nullopt, {}};
    // A refused upload leaves body bytes unread: the connection cannot carry another request.
    write_reply<Protocol>(owner_, stream_, version_, keep_alive && parser_.is_done(), std::move(reply), done_);
  }

  std::shared_ptr<void> owner_;
  Stream<Protocol>& stream_;
  beast::flat_buffer& buffer_;
  HttpRequest head_;
  unsigned version_;
  BodyParser parser_;
  const UploadStarter& starter_;
  RouteRegistry& routes_;
  std::function<void(bool)> done_;
  std::array<char, 65536> chunk_{};
  std::optional<MultipartReader> reader_;
  MultipartReader::Events events_;
  std::shared_ptr<UploadPipe> pipe_ = std::make_shared<UploadPipe>();
  std::string data_;
  Part part_ = Part::None;
  int parts_ = 0;
  std::optional<std::pair<int, std::string>> refusal_;
  std::optional<int> job_id_;
  bool starting_ = false;
  bool waiting_for_room_ = false;
  bool job_gone_ = false;
  bool file_complete_ = false;
  bool answered_ = false;
};

}  // namespace

template <class Protocol>
void serve_upload(std::shared_ptr<void> owner, Stream<Protocol>& stream, beast::flat_buffer& buffer,
                  HeaderParser&& parser, PeerInfo peer, const UploadStarter& starter, RouteRegistry& routes,
                  std::function<void(bool)> done) {
  auto session = std::make_shared<UploadSession<Protocol>>(std::move(owner), stream, buffer, std::move(parser),
                                                           std::move(peer), starter, routes, std::move(done));
  session->start();
}

using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
template void serve_http<tcp>(std::shared_ptr<void>, Stream<tcp>&, Request, PeerInfo, const HttpHandler&,
                              RouteRegistry&, std::function<void(bool)>);
template void serve_http<local>(std::shared_ptr<void>, Stream<local>&, Request, PeerInfo, const HttpHandler&,
                                RouteRegistry&, std::function<void(bool)>);
template void serve_websocket<tcp>(Stream<tcp>&&, Request, PeerInfo, const WebSocketAcceptor&, RouteRegistry&,
                                   SocketLimits, std::shared_ptr<spdlog::logger>);
template void serve_websocket<local>(Stream<local>&&, Request, PeerInfo, const WebSocketAcceptor&, RouteRegistry&,
                                     SocketLimits, std::shared_ptr<spdlog::logger>);

template void serve_upload<tcp>(std::shared_ptr<void>, Stream<tcp>&, beast::flat_buffer&, HeaderParser&&, PeerInfo,
                                const UploadStarter&, RouteRegistry&, std::function<void(bool)>);
template void serve_upload<local>(std::shared_ptr<void>, Stream<local>&, beast::flat_buffer&, HeaderParser&&, PeerInfo,
                                  const UploadStarter&, RouteRegistry&, std::function<void(bool)>);

}  // namespace mw::server::ext
