#pragma once
// The layer between Beast's WebSocket stream and the socket that lets FrameGate see every write
// Beast makes, and hold one back while the rest of a directly written frame is still going out.
// Before Beast reads or writes the socket, the frames the gate holds go out (`before_io`, set by
// the connection): Beast reads the socket only once it has handled every frame it already read,
// so the answers of those frames leave together.
#include <cstddef>
#include <functional>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "server/frame_gate.hpp"

namespace mw::server {

template <class Inner>
class GatedStream {
 public:
  using executor_type = typename Inner::executor_type;

  template <class... Args>
  explicit GatedStream(FrameGate& gate, Args&&... args) : gate_(&gate), inner_(std::forward<Args>(args)...) {}

  executor_type get_executor() noexcept { return inner_.get_executor(); }
  void before_io(std::function<void()> flush) { before_io_ = std::move(flush); }
  Inner& next_layer() noexcept { return inner_; }
  const Inner& next_layer() const noexcept { return inner_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (before_io_) before_io_();
    inner_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (before_io_) before_io_();  // held frames were offered before whatever Beast writes now
    // The wrapper keeps the handler's executor, so its completion runs where Beast expects.
    auto executor = boost::asio::get_associated_executor(handler, get_executor());
    unsigned char head[10];
    std::size_t head_size = boost::asio::buffer_copy(boost::asio::buffer(head), buffers);
    DeferredWrite write([this, buffers, executor, handler = std::forward<Handler>(handler)]() mutable {
      inner_.async_write_some(buffers, boost::asio::bind_executor(executor, [this, handler = std::move(handler)](
                                                                                auto ec, std::size_t n) mutable {
                                gate_->beast_write_ends(n);
                                std::move(handler)(ec, n);
                              }));
    });
    if (gate_->beast_write_begins(write, head, head_size)) write();
  }

 private:
  FrameGate* gate_;
  Inner inner_;
  std::function<void()> before_io_;
};

// Closing the WebSocket tears down the socket underneath (found by argument-dependent lookup).
template <class Inner>
void teardown(boost::beast::role_type role, GatedStream<Inner>& stream, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Inner, class Handler>
void async_teardown(boost::beast::role_type role, GatedStream<Inner>& stream, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace mw::server
