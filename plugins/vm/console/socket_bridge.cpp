#include "console/socket_bridge.hpp"

#include <array>
#include <deque>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace mw::vm::console {

namespace net = boost::asio;
using generic = net::generic::stream_protocol;

std::string SocketTarget::describe() const {
  return unix_path.empty() ? host + ":" + std::to_string(port) : "unix:" + unix_path;
}

struct SocketBridge::Impl {
  Impl(net::any_io_executor ex, std::shared_ptr<WebSocketChannel> ch)
      : strand(net::make_strand(ex)), socket(strand), channel(std::move(ch)) {}

  net::strand<net::any_io_executor> strand;
  generic::socket socket;
  std::shared_ptr<WebSocketChannel> channel;
  std::array<char, 16384> buffer{};
  std::deque<std::string> outgoing;  // WebSocket -> socket, written in order
  bool connected = false;
  bool writing = false;
  bool closed = false;
};

std::shared_ptr<SocketBridge> SocketBridge::create(net::any_io_executor executor,
                                                   std::shared_ptr<WebSocketChannel> channel) {
  return std::shared_ptr<SocketBridge>(new SocketBridge(std::move(executor), std::move(channel)));
}

SocketBridge::SocketBridge(net::any_io_executor executor, std::shared_ptr<WebSocketChannel> channel)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(channel))) {}

SocketBridge::~SocketBridge() = default;

void SocketBridge::connect(SocketTarget target, std::function<void(std::error_code)> done) {
  net::dispatch(impl_->strand,
                [self = shared_from_this(), target = std::move(target), done = std::move(done)]() mutable {
                  auto after = [self, done = std::move(done)](const boost::system::error_code& ec) {
                    auto& im = *self->impl_;
                    if (!ec && im.closed) return done(std::make_error_code(std::errc::connection_aborted));
                    if (ec) return done(std::error_code(ec.value(), std::system_category()));
                    im.connected = true;
                    done({});
                    self->read_loop();
                    self->write_next();
                  };
                  auto& socket = self->impl_->socket;
                  if (!target.unix_path.empty()) {
                    socket.async_connect(generic::endpoint(net::local::stream_protocol::endpoint(target.unix_path)),
                                         std::move(after));
                    return;
                  }
                  boost::system::error_code ec;
                  auto address = net::ip::make_address(target.host, ec);
                  if (ec) return after(ec);
                  net::ip::tcp::endpoint ep(address, static_cast<unsigned short>(target.port));
                  socket.async_connect(generic::endpoint(ep), std::move(after));
                });
}

void SocketBridge::read_loop() {
  auto& im = *impl_;
  im.socket.async_read_some(
      net::buffer(im.buffer), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        auto& im = *self->impl_;
        if (im.closed) return;
        if (ec) return self->shut(1000, ec == net::error::eof ? "Console closed" : "Console error: " + ec.message());
        im.channel->send(std::string(im.buffer.data(), n), true);
        self->read_loop();
      });
}

void SocketBridge::write_next() {
  auto& im = *impl_;
  if (!im.connected || im.writing || im.closed || im.outgoing.empty()) return;
  im.writing = true;
  net::async_write(im.socket, net::buffer(im.outgoing.front()),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     auto& im = *self->impl_;
                     im.writing = false;
                     if (im.closed) return;
                     im.outgoing.pop_front();
                     if (ec) return self->shut(1011, "Console write failed: " + ec.message());
                     self->write_next();
                   });
}

// On the strand: stop relaying, close the socket and (unless it is already gone) the WebSocket.
void SocketBridge::shut(int code, const std::string& reason) {
  auto& im = *impl_;
  if (im.closed) return;
  im.closed = true;
  im.outgoing.clear();
  boost::system::error_code ignored;
  im.socket.close(ignored);
  if (code) im.channel->close(code, reason);
}

void SocketBridge::on_message(std::string data, bool) {
  net::dispatch(impl_->strand, [self = shared_from_this(), data = std::move(data)]() mutable {
    auto& im = *self->impl_;
    if (im.closed) return;
    im.outgoing.push_back(std::move(data));
    self->write_next();
  });
}

void SocketBridge::on_close() {
  net::dispatch(impl_->strand, [self = shared_from_this()] { self->shut(0, {}); });
}

}  // namespace mw::vm::console
